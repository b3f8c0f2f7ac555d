// MainWindow: layout, wiring to the controller thread, shortcuts, files and settings.
#include "main_window.h"

#include <QCloseEvent>
#include <QDateTime>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QMimeData>
#include <QShortcut>
#include <QSplitter>
#include <QVBoxLayout>

#include "blend_panel.h"
#include "export_dialog.h"
#include "live_view.h"
#include "message_bar.h"
#include "source_bar.h"
#include "studio/studio_controller.h"
#include "style_gallery.h"

namespace stylize::ui {

using namespace stylize::studio;

MainWindow::MainWindow(const StudioConfig& config, QWidget* parent) : QMainWindow(parent)
{
    setWindowTitle(tr("Stylize"));
    setAcceptDrops(true);
    importedModels_ = settings_.importedModels();
    pictureStyles_ = settings_.pictureStyles();

    auto* central = new QWidget(this);
    auto* column = new QVBoxLayout(central);
    column->setContentsMargins(6, 6, 6, 6);
    sourceBar_ = new SourceBar(central);
    messages_ = new MessageBar(central);
    view_ = new LiveView(central);
    view_->setStatusText(tr("Starting the engine…"));
    view_->setSplitPosition(settings_.splitPosition());
    column->addWidget(sourceBar_);
    column->addWidget(messages_);
    column->addWidget(view_, 1);

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(6, 6, 6, 6);
    gallery_ = new StyleGallery(side);
    blend_ = new BlendPanel(side);
    sideLayout->addWidget(gallery_, 3);
    sideLayout->addWidget(blend_, 2);

    auto* splitter = new QSplitter(Qt::Horizontal, this);
    splitter->addWidget(central);
    splitter->addWidget(side);
    splitter->setStretchFactor(0, 1);
    splitter->setStretchFactor(1, 0);
    setCentralWidget(splitter);
    resize(1360, 820);
    if (const QByteArray g = settings_.windowGeometry(); !g.isEmpty())
        restoreGeometry(g);

    StudioController::registerMetaTypes();
    StudioConfig full = config;
    full.modelFiles.append(importedModels_);
    full.pictureStyles = pictureStyles_;
    controller_ = new StudioController(full);
    controller_->moveToThread(&engineThread_);
    connect(&engineThread_, &QThread::finished, controller_, &QObject::deleteLater);
    engineThread_.setObjectName("stylize-engine");
    engineThread_.start();
    connectController();
    buildShortcuts();
}

MainWindow::~MainWindow()
{
    if (engineThread_.isRunning()) {
        QMetaObject::invokeMethod(controller_, &StudioController::shutdown, Qt::BlockingQueuedConnection);
        engineThread_.quit();
        engineThread_.wait();
    }
}

void MainWindow::start(const std::optional<SourceSpec>& requested)
{
    // A camera without a location means "the first camera", which falls back to the sample clip.
    SourceSpec initial = requested.value_or(settings_.hasLastSource() ? settings_.lastSource()
                                                                      : SourceSpec{SourceKind::Camera, {}, {}});
    QMetaObject::invokeMethod(controller_, [c = controller_, initial] { c->start(initial); }, Qt::QueuedConnection);
}

void MainWindow::connectController()
{
    connect(controller_, &StudioController::frameReady, view_, [this](const QImage& s, const QImage& o) {
        if (!preparing_)
            view_->setStatusText({});
        view_->showFrames(s, o);
        controller_->frameShown();  // thread-safe: lets the live loop render the next one
    });
    connect(controller_, &StudioController::statsChanged, view_, &LiveView::showStats);
    connect(controller_, &StudioController::preparing, this, [this](const QString& message) {
        preparing_ = !message.isEmpty();
        view_->setStatusText(message);
    });
    connect(controller_, &StudioController::deviceReady, this,
            [this](const QString& name) { view_->setStatusText(tr("Opening the source on %1…").arg(name)); });
    connect(controller_, &StudioController::stylesChanged, this, &MainWindow::onStylesChanged);
    connect(controller_, &StudioController::pictureModelReady, this, [this] { pictureModelReady_ = true; });
    connect(controller_, &StudioController::pictureStyleAdded, this, [this](const QString& id, const QString& path) {
        if (!pictureStyles_.contains(path)) {
            pictureStyles_.append(path);
            settings_.setPictureStyles(pictureStyles_);
        }
        gallery_->setSelectedIds({id});  // it paints at once (its card came with stylesChanged, just before)
        messages_->showNotice(tr("'%1' is a style now: it paints the view; add it to a blend like any other.")
                                  .arg(QFileInfo(path).fileName()));
    });
    connect(controller_, &StudioController::pictureStyleRemoved, this, [this](const QString&, const QString& path) {
        pictureStyles_.removeAll(path);
        settings_.setPictureStyles(pictureStyles_);
    });
    connect(controller_, &StudioController::sourcesListed, sourceBar_, &SourceBar::setSources);
    connect(controller_, &StudioController::sourceStarted, this, [this](const SourceSpec& s) {
        sourceBar_->showSource(s);
        if (s.kind != SourceKind::File || !s.location.isEmpty())
            settings_.setLastSource(s);
    });
    connect(controller_, &StudioController::errorOccurred, messages_, &MessageBar::showError);
    connect(controller_, &StudioController::recordingChanged, this, [this](const RecordingStatus& s) {
        const bool finished = recording_.active && !s.active;
        recording_ = s;
        sourceBar_->showRecording(s);
        if (finished && s.frames > 0)
            messages_->showNotice(tr("Recording saved to %1").arg(s.path));
        else if (finished)
            messages_->showError(tr("Nothing was recorded: no frame reached the recorder before it stopped, so %1 "
                                    "was not written. Record again once the view shows frames.")
                                     .arg(s.path));
    });
    connect(controller_, &StudioController::snapshotSaved, messages_,
            [this](const QString& path) { messages_->showNotice(tr("Snapshot saved to %1").arg(path)); });

    connect(sourceBar_, &SourceBar::sourceChosen, controller_, &StudioController::setSource);
    connect(sourceBar_, &SourceBar::openFileRequested, this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open a video or an image"), settings_.folder("open"),
            tr("Videos and images (*.mp4 *.mkv *.webm *.mov *.avi *.mpg *.m4v *.png *.jpg *.jpeg);;All files (*)"));
        if (!path.isEmpty())
            openFile(path);
    });
    connect(sourceBar_, &SourceBar::recordToggled, this, &MainWindow::toggleRecording);
    connect(sourceBar_, &SourceBar::snapshotRequested, this, &MainWindow::takeSnapshot);
    connect(sourceBar_, &SourceBar::exportRequested, this, &MainWindow::openExportDialog);
    connect(gallery_, &StyleGallery::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(gallery_, &StyleGallery::importRequested, this, &MainWindow::importModel);
    connect(gallery_, &StyleGallery::addPictureRequested, this, qOverload<>(&MainWindow::addPictureStyle));
    connect(gallery_, &StyleGallery::picturesDropped, this, &MainWindow::addPictureStyles);
    connect(gallery_, &StyleGallery::removePictureRequested, this, [this](const QString& id) {
        QMetaObject::invokeMethod(controller_, [c = controller_, id] { c->removePictureStyle(id); },
                                  Qt::QueuedConnection);
    });
    connect(blend_, &BlendPanel::blendChanged, this, [this](const BlendSettings& b) {
        settings_.setBlend(b);
        QMetaObject::invokeMethod(controller_, [c = controller_, b] { c->setBlend(b); }, Qt::QueuedConnection);
    });
    connect(view_, &LiveView::splitMoved, this, [this](double p) { settings_.setSplitPosition(p); });
}

ExportDialog* MainWindow::exportDialog()
{
    if (!export_) {
        export_ = new ExportDialog(this);
        export_->setOutput(QDir(settings_.folder("export")).filePath("stylized.mp4"));
        connect(export_, &ExportDialog::exportRequested, controller_, &StudioController::startExport);
        connect(export_, &ExportDialog::cancelRequested, controller_, &StudioController::cancelExport);
        connect(controller_, &StudioController::exportProgress, export_, &ExportDialog::showProgress);
        connect(controller_, &StudioController::exportFinished, export_, &ExportDialog::showFinished);
    }
    return export_;
}

void MainWindow::openExportDialog()
{
    ExportDialog* dialog = exportDialog();
    const SourceSpec current = sourceBar_->currentSource();
    if (!dialog->running() && current.kind == SourceKind::File)
        dialog->setInput(current.location);
    dialog->show();
    dialog->raise();
}

void MainWindow::buildShortcuts()
{
    auto add = [this](const QKeySequence& key, auto slot) {
        auto* s = new QShortcut(key, this);
        s->setContext(Qt::WindowShortcut);
        connect(s, &QShortcut::activated, this, slot);
    };
    add(QKeySequence(Qt::Key_Space), [this] { toggleRecording(); });
    add(QKeySequence(Qt::Key_S), [this] { takeSnapshot(); });
    add(QKeySequence(Qt::Key_F), [this] { isFullScreen() ? showNormal() : showFullScreen(); });
    add(QKeySequence(Qt::Key_Escape), [this] {
        if (isFullScreen())
            showNormal();
    });
    add(QKeySequence(Qt::Key_H), [this] { view_->setHudVisible(!view_->hudVisible()); });
    // 1-9 and 0, as the keys sit on the keyboard: the first ten styles.
    for (int i = 1; i <= StyleGallery::kShortcutStyles; ++i) {
        const int key = Qt::Key_0 + StyleGallery::shortcutDigit(i);
        add(QKeySequence(key), [this, i] { gallery_->selectOnly(i - 1); });
        add(QKeySequence(Qt::CTRL | key), [this, i] { gallery_->toggle(i - 1); });
    }
    // Every style, the eleventh and the pictures too: one step along the gallery.
    add(QKeySequence(Qt::Key_PageDown), [this] { gallery_->selectNeighbour(1); });
    add(QKeySequence(Qt::Key_PageUp), [this] { gallery_->selectNeighbour(-1); });
    add(QKeySequence(Qt::CTRL | Qt::Key_E), [this] { openExportDialog(); });
    add(QKeySequence(QKeySequence::Quit), [this] { close(); });
}

void MainWindow::onStylesChanged(const QList<StyleCard>& styles)
{
    styles_ = styles;
    gallery_->setStyles(styles);
    // Restore the remembered blend once styles exist; else start on the first style.
    if (gallery_->selectedIds().isEmpty() && !styles.isEmpty()) {
        const BlendSettings saved = settings_.blend();
        QStringList ids;
        for (const auto& w : saved.styles)
            for (const auto& s : styles)
                if (s.id == w.id)
                    ids.append(w.id);
        gallery_->setSelectedIds(ids.isEmpty() ? QStringList{styles.first().id} : ids);
        blend_->setSettings(saved);
    }
}

void MainWindow::onSelectionChanged(const QStringList& ids)
{
    QStringList names;
    for (const QString& id : ids)
        for (const auto& s : styles_)
            if (s.id == id)
                names.append(s.name);
    blend_->setStyles(ids, names);
}

void MainWindow::importModel()
{
    QString path = QFileDialog::getOpenFileName(
        this, tr("Import a style model"), settings_.folder("models"),
        tr("Style models (*.onnx *.stylepack manifest.json *.tflite);;All files (*)"));
    if (path.isEmpty())
        return;
    settings_.setFolder("models", QFileInfo(path).absolutePath());
    importModelPath(path);
}

void MainWindow::importModelPath(QString path)
{
    // Folders are chosen by a file in them: an Engstrom/ml5 checkpoint's manifest, or
    // either TensorFlow Lite file of Magenta's arbitrary-style model.
    const QFileInfo chosen(path);
    if (chosen.fileName() == "manifest.json" || chosen.suffix() == "tflite")
        path = chosen.absolutePath();
    path = QFileInfo(path).absoluteFilePath();
    if (!importedModels_.contains(path)) {
        importedModels_.append(path);
        settings_.setImportedModels(importedModels_);
    }
    QMetaObject::invokeMethod(controller_, [c = controller_, path] { c->importModel(path); }, Qt::QueuedConnection);
}

void MainWindow::addPictureStyle()
{
    if (!pictureModelReady_) {
        messages_->showError(pictureModelMissingMessage());
        return;
    }
    const QStringList paths = QFileDialog::getOpenFileNames(
        this, tr("Add pictures as styles"), settings_.folder("pictures"),
        tr("Pictures (*.png *.jpg *.jpeg *.webp *.bmp);;All files (*)"));
    if (!paths.isEmpty())
        settings_.setFolder("pictures", QFileInfo(paths.first()).absolutePath());
    addPictureStyles(paths);
}

void MainWindow::addPictureStyles(const QStringList& paths)
{
    if (paths.isEmpty())
        return;
    if (!pictureModelReady_) {
        messages_->showError(pictureModelMissingMessage());
        return;
    }
    messages_->showNotice(paths.size() == 1 ? tr("Making a style of %1…").arg(QFileInfo(paths.first()).fileName())
                                            : tr("Making styles of %1 pictures…").arg(paths.size()));
    for (const QString& path : paths)
        QMetaObject::invokeMethod(controller_, [c = controller_, path] { c->addPictureStyle(path); },
                                  Qt::QueuedConnection);
}

void MainWindow::toggleRecording()
{
    if (recording_.active) {
        QMetaObject::invokeMethod(controller_, &StudioController::stopRecording, Qt::QueuedConnection);
        return;
    }
    const QDir folder(settings_.folder("recordings"));
    QDir().mkpath(folder.path());
    // Matroska stays playable when the app or the machine stops mid-recording.
    const QString path =
        folder.filePath(QStringLiteral("stylize-%1.mkv").arg(QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss")));
    QMetaObject::invokeMethod(controller_, [c = controller_, path] { c->startRecording(path); }, Qt::QueuedConnection);
}

void MainWindow::takeSnapshot()
{
    const QDir folder(settings_.folder("snapshots"));
    QDir().mkpath(folder.path());
    const QString path = folder.filePath(
        QStringLiteral("stylize-%1.png").arg(QDateTime::currentDateTime().toString("yyyyMMdd-HHmmss-zzz")));
    QMetaObject::invokeMethod(controller_, [c = controller_, path] { c->takeSnapshot(path); }, Qt::QueuedConnection);
}

void MainWindow::openFile(const QString& path)
{
    const QFileInfo info(path);
    if (!info.isFile()) {
        messages_->showError(tr("'%1' is not a file that can be opened.").arg(path));
        return;
    }
    settings_.setFolder("open", info.absolutePath());
    SourceSpec s{SourceKind::File, info.absoluteFilePath(), info.fileName()};
    QMetaObject::invokeMethod(controller_, [c = controller_, s] { c->setSource(s); }, Qt::QueuedConnection);
}

void MainWindow::closeEvent(QCloseEvent* event)
{
    settings_.setWindowGeometry(saveGeometry());
    QMainWindow::closeEvent(event);
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event)
{
    if (event->mimeData()->hasUrls() && event->mimeData()->urls().first().isLocalFile())
        event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event)
{
    const QList<QUrl> urls = event->mimeData()->urls();
    if (!urls.isEmpty() && urls.first().isLocalFile())
        openFile(urls.first().toLocalFile());
}

}  // namespace stylize::ui
