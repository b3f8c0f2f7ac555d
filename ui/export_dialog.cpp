// ExportDialog layout, validation and progress display.
#include "export_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace stylize::ui {
namespace {

QString duration(double seconds)
{
    const int s = int(seconds + 0.5);
    return s >= 3600 ? QStringLiteral("%1:%2:%3").arg(s / 3600).arg(s / 60 % 60, 2, 10, QChar('0')).arg(s % 60, 2, 10, QChar('0'))
                     : QStringLiteral("%1:%2").arg(s / 60).arg(s % 60, 2, 10, QChar('0'));
}

QWidget* withBrowse(QLineEdit* edit, QPushButton* button)
{
    auto* w = new QWidget;
    auto* row = new QHBoxLayout(w);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(edit, 1);
    row->addWidget(button);
    return w;
}

}  // namespace

ExportDialog::ExportDialog(QWidget* parent) : QDialog(parent)
{
    setWindowTitle(tr("Export stylized video"));
    setModal(false);
    setMinimumWidth(520);
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    input_ = new QLineEdit(this);
    input_->setPlaceholderText(tr("A video file: mp4, mkv, webm, mov, avi…"));
    auto* browseIn = new QPushButton(tr("Browse…"), this);
    form->addRow(tr("Video"), withBrowse(input_, browseIn));
    output_ = new QLineEdit(this);
    auto* browseOut = new QPushButton(tr("Browse…"), this);
    form->addRow(tr("Save as"), withBrowse(output_, browseOut));
    codec_ = new QComboBox(this);
    codec_->addItem(tr("H.264 (plays everywhere)"), "h264");
    codec_->addItem(tr("HEVC / H.265 (smaller)"), "hevc");
    codec_->addItem(tr("VP9 (WebM)"), "vp9");
    codec_->addItem(tr("AV1 (smallest, slowest)"), "av1");
    form->addRow(tr("Codec"), codec_);
    quality_ = new QSlider(Qt::Horizontal, this);
    // Right is better, as users expect; the encoder's CRF runs the other way (CRF = 50 - value).
    quality_->setRange(10, 40);
    quality_->setValue(30);
    qualityLabel_ = new QLabel(this);
    auto* qualityRow = new QWidget(this);
    auto* q = new QHBoxLayout(qualityRow);
    q->setContentsMargins(0, 0, 0, 0);
    q->addWidget(new QLabel(tr("smaller"), qualityRow));
    q->addWidget(quality_, 1);
    q->addWidget(new QLabel(tr("better"), qualityRow));
    q->addWidget(qualityLabel_);
    form->addRow(tr("Quality"), qualityRow);
    size_ = new QComboBox(this);
    size_->addItem(tr("Same as the video"), QSize());
    for (QSize s : {QSize(1920, 1080), QSize(1280, 720), QSize(854, 480), QSize(640, 360)})
        size_->addItem(QStringLiteral("%1 × %2").arg(s.width()).arg(s.height()), s);
    form->addRow(tr("Size"), size_);
    layout->addLayout(form);

    progress_ = new QProgressBar(this);
    progress_->setRange(0, 1000);
    progress_->setValue(0);
    progress_->setTextVisible(true);
    progress_->setFormat(QStringLiteral("%p%"));
    layout->addWidget(progress_);
    status_ = new QLabel(tr("Uses the styles and settings of the live view."), this);
    status_->setWordWrap(true);
    layout->addWidget(status_);

    auto* buttons = new QDialogButtonBox(this);
    start_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    cancel_ = buttons->addButton(tr("Cancel export"), QDialogButtonBox::RejectRole);
    auto* close = buttons->addButton(QDialogButtonBox::Close);
    cancel_->setEnabled(false);
    layout->addWidget(buttons);

    auto updateQuality = [this] {
        qualityLabel_->setText(tr("CRF %1").arg(50 - quality_->value()));
    };
    connect(quality_, &QSlider::valueChanged, this, updateQuality);
    updateQuality();
    connect(browseIn, &QPushButton::clicked, this, &ExportDialog::browseInput);
    connect(browseOut, &QPushButton::clicked, this, &ExportDialog::browseOutput);
    connect(start_, &QPushButton::clicked, this, [this] {
        const auto r = request();
        if (r.input.isEmpty() || !QFileInfo(r.input).isFile()) {
            status_->setText(tr("Choose a video file to export: '%1' is not a file.").arg(r.input));
            return;
        }
        if (r.output.isEmpty()) {
            status_->setText(tr("Choose where to save the stylized video."));
            return;
        }
        if (QFileInfo(r.output).absoluteFilePath() == QFileInfo(r.input).absoluteFilePath()) {
            status_->setText(tr("The output would overwrite the input: choose another file name."));
            return;
        }
        setRunning(true);
        progress_->setValue(0);
        status_->setText(tr("Starting…"));
        emit exportRequested(r);
    });
    connect(cancel_, &QPushButton::clicked, this, [this] {
        status_->setText(tr("Cancelling…"));
        cancel_->setEnabled(false);
        emit cancelRequested();
    });
    connect(close, &QPushButton::clicked, this, &QDialog::hide);
}

stylize::studio::ExportRequest ExportDialog::request() const
{
    stylize::studio::ExportRequest r;
    r.input = input_->text().trimmed();
    r.output = output_->text().trimmed();
    r.codec = codec_->currentData().toString();
    r.crf = 50 - quality_->value();
    r.size = size_->currentData().toSize();
    return r;
}

void ExportDialog::setInput(const QString& path)
{
    input_->setText(path);
    if (output_->text().isEmpty() && !path.isEmpty()) {
        const QFileInfo info(path);
        output_->setText(info.absolutePath() + "/" + info.completeBaseName() + "-stylized.mp4");
    }
}

void ExportDialog::setOutput(const QString& path) { output_->setText(path); }

void ExportDialog::browseInput()
{
    const QString path = QFileDialog::getOpenFileName(this, tr("Video to stylize"), input_->text(),
                                                      tr("Videos (*.mp4 *.mkv *.webm *.mov *.avi *.mpg *.m4v);;All files (*)"));
    if (!path.isEmpty())
        setInput(path);
}

void ExportDialog::browseOutput()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Save stylized video"), output_->text(),
                                                      tr("MP4 (*.mp4);;Matroska (*.mkv);;WebM (*.webm)"));
    if (!path.isEmpty())
        output_->setText(path);
}

void ExportDialog::setRunning(bool running)
{
    running_ = running;
    start_->setEnabled(!running);
    cancel_->setEnabled(running);
    input_->setEnabled(!running);
    output_->setEnabled(!running);
    codec_->setEnabled(!running);
    quality_->setEnabled(!running);
    size_->setEnabled(!running);
}

void ExportDialog::showProgress(const stylize::studio::ExportProgress& p)
{
    if (p.framesTotal > 0)
        progress_->setValue(int(1000 * std::min<qint64>(p.framesDone, p.framesTotal) / p.framesTotal));
    else
        progress_->setRange(0, 0);  // busy indicator when the length is unknown
    QString text = tr("%n frames", nullptr, int(p.framesDone));
    if (p.framesTotal > 0)
        text += tr(" of %1").arg(p.framesTotal);
    text += tr(" · %1 fps").arg(p.fps, 0, 'f', 1);
    if (p.etaSeconds >= 0)
        text += tr(" · %1 left").arg(duration(p.etaSeconds));
    status_->setText(text);
}

void ExportDialog::showFinished(bool ok, const QString& message)
{
    setRunning(false);
    progress_->setRange(0, 1000);
    if (ok)
        progress_->setValue(1000);
    status_->setText(message);
}

}  // namespace stylize::ui
