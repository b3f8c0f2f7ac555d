// StudioController: device and styles on the controller thread; the live path is a
// pipeline::LiveSession (the same one `stylize-cli live` runs) on a worker thread of its
// own, stylizing with LiveStylize, so slots stay responsive while the network runs
// (seconds per frame on a CPU driver). The controller holds control (what plays, what
// style, what records), not frames.
#include "studio/studio_controller.h"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <map>
#include <set>
#include <mutex>
#include <thread>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>

#include "default_styles.h"
#include "pipeline/live_session.h"
#include "studio/camera_sources.h"
#include "studio/live_stylize.h"
#include "studio/picture_style_set.h"
#include "studio/preview_renderer.h"
#include "studio/studio_export.h"
#include "studio/style_library.h"
#include "video/av_error.h"
#include "stylizer.h"
#include "vk/context.h"
#include "vk/error.h"
#include "vk/pipeline_cache.h"

namespace stylize::studio {
namespace {

// The longest side of what the view shows; bigger frames are resampled by the shader.
constexpr int kMaxViewSide = 1280;

QString sentence(const std::exception& e) { return QString::fromStdString(e.what()); }

// A read-only QImage over a frame's memory (no copy): the image, and every implicit copy
// of it the view and snapshot take, hold the memory until the last of them is gone.
QImage wrapShared(const render::SharedFrame& frame)
{
    if (!frame.memory)
        return {};
    auto* hold = new std::shared_ptr<const void>(frame.memory);
    return QImage(
        frame.planes[0], frame.width, frame.height, frame.strides[0], QImage::Format_RGBA8888,
        [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); }, hold);
}

}  // namespace

struct StudioController::State {
    StudioConfig config;
    std::unique_ptr<vk::Context> context;  // controller thread creates it; then shared read-only

    std::mutex mutex;  // guards the fields below marked "mutex" and the library
    std::condition_variable wake;
    StyleLibrary library;             // mutex (appended by importModel, read by the stylize stage)
    BlendSettings blend;              // mutex
    std::optional<QString> pendingSnapshot;  // mutex
    std::optional<SourceSpec> requestedSource;  // mutex: the last source asked for
    std::atomic<bool> stop{false};
    bool frameAwaitingView = false;    // mutex: a frameReady the view has not acknowledged yet
    bool awaitingFrameStyled = false;  // mutex: ... and it is a stylized one
    bool firstFrameShown = false;      // mutex: the view has shown a stylized live frame (previews wait for it)
    std::map<QString, QImage> previews;  // mutex: rendered previews by style id

    std::unique_ptr<LiveStylize> stylize;             // controller thread creates it; stylize thread runs it
    std::unique_ptr<pipeline::LiveSession> session;   // controller thread; its methods are thread-safe
    std::thread live;                                 // controller thread starts and joins it: session->run()
    QString recordingPath;                            // mutex (the live threads report it)
    QElapsedTimer recordingClock;                     // mutex
    std::atomic<bool> recording{false};

    std::unique_ptr<PictureStyleSet> pictures;  // controller thread (the library holds its model snapshots)
    std::thread previewThread;               // controller thread starts (once) and joins it: renders previewQueue
    std::deque<std::pair<StyleCard, std::shared_ptr<const model::Model>>> previewQueue;  // mutex
    std::set<QString> previewsQueued;        // mutex: ids in previewQueue or being rendered
    // Made by start() on the controller thread, then used by the preview thread only
    // (shutdown() cancels its compiles from the controller thread: cancel() is atomic).
    std::shared_ptr<vk::PipelineCache> previewPipelines;
    std::unique_ptr<StudioExport> exporter;  // controller thread
};
QString bundledResourcesDir()
{
    return QString::fromStdString(app::resourcesDir().string());
}

QString pictureModelMissingMessage()
{
    return StudioController::tr(
        "Pictures become styles through Magenta's arbitrary-style model, which is not imported yet. Use Import "
        "model… and choose style_transfer_f16_384.tflite in the folder that holds it beside "
        "style_predict_quantized_256.tflite (TensorFlow Lite's artistic style transfer example, Apache-2.0; "
        "README, \"Pictures as styles\", says where to get them).");
}

StudioController::StudioController(StudioConfig config, QObject* parent)
    : QObject(parent), state_(std::make_unique<State>())
{
    state_->config = std::move(config);
}

StudioController::~StudioController() { shutdown(); }

void StudioController::registerMetaTypes()
{
    qRegisterMetaType<StyleCard>();
    qRegisterMetaType<QList<StyleCard>>();
    qRegisterMetaType<BlendSettings>();
    qRegisterMetaType<SourceSpec>();
    qRegisterMetaType<QList<SourceSpec>>();
    qRegisterMetaType<LiveStats>();
    qRegisterMetaType<RecordingStatus>();
    qRegisterMetaType<ExportRequest>();
    qRegisterMetaType<ExportProgress>();
}

void StudioController::start(const SourceSpec& initial)
{
    State& s = *state_;
    video::configureFfmpegLog(false);  // errors reach the user as sentences, not as log spam
    try {
        s.context = std::make_unique<vk::Context>(s.config.device.toStdString());
    } catch (const std::exception& e) {
        emit errorOccurred(tr("No usable Vulkan device: %1").arg(sentence(e)));
        return;
    }
    emit deviceReady(QString::fromStdString(s.context->info().name));
    s.previewPipelines = render::Stylizer::makePipelineCache(*s.context, render::Stylizer::defaultPrecision(*s.context));

    QStringList models = s.config.modelFiles;
    if (!s.config.resourcesDir.isEmpty()) {
        // The full network on GPUs, the light one where a CPU runs the shaders.
        const bool cpu = s.context->info().type == VK_PHYSICAL_DEVICE_TYPE_CPU;
        try {
            const auto pack = app::chooseDefaultPack(s.config.resourcesDir.toStdString(), cpu);
            models.prepend(QString::fromStdString(pack.string()));
        } catch (const std::exception& e) {
            emit errorOccurred(tr("The bundled styles are missing: %1").arg(sentence(e)));
        }
    }
    for (const QString& path : models) {
        if (PictureStyleSet::isModelFolder(path)) {
            loadPictureModel(path);
            continue;
        }
        try {
            s.library.add(path);
        } catch (const std::exception& e) {
            emit errorOccurred(tr("Could not load the styles in '%1': %2").arg(path, sentence(e)));
        }
    }
    if (s.pictures) {
        // The remembered pictures: their vectors come from the cache (no predictor run).
        for (const QString& picture : s.config.pictureStyles) {
            try {
                s.pictures->add(picture);
            } catch (const std::exception& e) {
                emit errorOccurred(tr("The picture style '%1' is gone: %2").arg(picture, sentence(e)));
            }
        }
        std::lock_guard lock(s.mutex);
        s.library.setPictureStyles(s.pictures->folder(), s.pictures->model(), s.pictures->ids(), s.pictures->magenta());
    }
    if (s.library.styleCount() == 0)
        emit errorOccurred(tr("No styles are installed: use Import model… to add an ONNX model, an Engstrom/ml5 "
                              "checkpoint folder or a Stylize style pack."));
    emit stylesChanged(s.library.cards());

    QList<SourceSpec> sources = listCameras();
    const SourceSpec sample{SourceKind::SampleClip, s.config.sampleClip, tr("Sample clip")};
    const SourceSpec pattern{SourceKind::TestPattern, QStringLiteral("testsrc2=size=640x480:rate=30"),
                             tr("Test pattern")};
    sources.append(sample);
    sources.append(pattern);
    emit sourcesListed(sources);

    SourceSpec first = initial;
    if (first.kind == SourceKind::Camera && first.location.isEmpty())
        first = sources.first().kind == SourceKind::Camera ? sources.first() : sample;
    if (first.kind == SourceKind::SampleClip)
        first = sample;
    startLive();
    setSource(first);
    renderMissingPreviews();
}

void StudioController::startLive()
{
    State& s = *state_;
    LiveStylize::Callbacks callbacks;
    callbacks.preparing = [this](const QString& message) { emit preparing(message); };
    callbacks.failed = [this](const QString& message) { emit errorOccurred(message); };
    s.stylize = std::make_unique<LiveStylize>(*s.context, s.library, s.mutex, s.config.targetFps, callbacks,
                                              s.config.framesInFlight);

    pipeline::LiveConfig config;  // no source yet: setSource() starts the first
    config.loop = true;           // the sample clip and files play on; a still image repeats
    config.warmUp = false;        // the view shows the source while the stylizer prepares
    config.view = true;
    config.viewMaxSide = kMaxViewSide;
    config.viewBefore = true;
    pipeline::LiveEvents events;
    events.sourceStarted = [this](const video::SourceSpec& spec, render::Size) {
        State& s = *state_;
        std::optional<SourceSpec> started;
        {
            std::lock_guard lock(s.mutex);
            if (s.requestedSource && toVideoSource(*s.requestedSource).location == spec.location)
                started = s.requestedSource;
        }
        s.stylize->sourceChanged();
        if (started)
            emit sourceStarted(*started);
    };
    events.sourceStopped = [this](const std::string& message) { emit errorOccurred(QString::fromStdString(message)); };
    events.recordingFailed = [this](const std::string& message) {
        emit errorOccurred(tr("The recording stopped: %1").arg(QString::fromStdString(message)));
        State& s = *state_;
        s.recording = false;
        const pipeline::RecordingStats r = s.session->recordingStats();
        RecordingStatus status;
        {
            std::lock_guard lock(s.mutex);
            status.path = s.recordingPath;
        }
        status.frames = r.recorded;
        status.bytes = r.bytes;
        status.dropped = r.dropped;
        emit recordingChanged(status);
    };
    // Two frames in flight on a GPU: while the device paints one, the next is uploaded
    // and the one before is shown (LiveSession submits a second only while a frame waits).
    pipeline::LiveSharedStylize stylize;
    stylize.submit = [&live = *s.stylize](const render::FrameView& in, const render::FrameGeometry& out) {
        return live.submit(in, out);
    };
    stylize.collect = [&live = *s.stylize] { return live.collect(); };
    stylize.depth = [&live = *s.stylize] { return live.depth(); };
    s.session = std::make_unique<pipeline::LiveSession>(
        config, std::move(stylize), [this](const pipeline::LiveFrame& frame) { showFrame(frame); }, events);
    s.live = std::thread([this] {
        State& s = *state_;
        try {
            s.session->run([this](const pipeline::LiveStats& stats) { reportStats(stats); });
        } catch (const std::exception& e) {
            emit errorOccurred(tr("The live view stopped: %1").arg(sentence(e)));
        }
    });
}

// The stylize thread, for every frame: to the view (and a snapshot), then back-pressure:
// the next frame is rendered (with the settings of that moment) only once this one is on
// screen. A view that never says so (none connected) releases it after half a second.
void StudioController::showFrame(const pipeline::LiveFrame& frame)
{
    State& s = *state_;
    // Unstylized frames (the stylizer is preparing, or no style is loaded) go out as the
    // same image twice: that is how the view tells them from stylized ones.
    const QImage before = frame.before.memory ? wrapShared(frame.before) : wrapShared(frame.shown);
    const QImage shown = frame.stylized ? wrapShared(frame.shown) : before;
    std::optional<QString> snapshot;
    {
        std::lock_guard lock(s.mutex);
        snapshot = std::exchange(s.pendingSnapshot, std::nullopt);
        s.frameAwaitingView = true;
        s.awaitingFrameStyled = frame.stylized;
    }
    if (snapshot)
        saveSnapshot(shown, *snapshot);
    emit frameReady(shown, before);
    std::unique_lock lock(s.mutex);
    s.wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return !s.frameAwaitingView || s.stop; });
}

// The live thread, a few times a second: the HUD's figures, the same as the CLI prints.
void StudioController::reportStats(const pipeline::LiveStats& live)
{
    State& s = *state_;
    LiveStats stats;
    stats.fps = live.recentFps;
    stats.msPerFrame = live.msPerFrame;
    stats.dropped = live.droppedBeforeStylize;
    stats.device = QString::fromStdString(s.context->info().name);
    stats.frameSize = QSize(live.sourceSize.width, live.sourceSize.height);
    const render::Size processing = s.stylize->processingSize();
    stats.processingSize = QSize(processing.width, processing.height);
    emit statsChanged(stats);
    if (s.recording) {
        const pipeline::RecordingStats r = s.session->recordingStats();
        RecordingStatus status;
        status.active = true;
        {
            std::lock_guard lock(s.mutex);
            status.path = s.recordingPath;
            status.elapsedMs = s.recordingClock.elapsed();
        }
        status.frames = r.recorded;
        status.bytes = r.bytes;
        status.dropped = r.dropped;
        emit recordingChanged(status);
    }
}

QList<StyleCard> StudioController::cardsWithPreviews()
{
    State& s = *state_;
    std::lock_guard lock(s.mutex);
    QList<StyleCard> cards = s.library.cards();
    for (StyleCard& card : cards)
        if (card.preview.isNull() && s.previews.count(card.id))
            card.preview = s.previews[card.id];
    return cards;
}

void StudioController::renderMissingPreviews()
{
    // On a thread of its own: a preview builds a stylizer (seconds of pipeline compiles
    // on a CPU driver), and the controller thread must keep taking the UI's requests.
    // The controller only queues what is missing; one preview thread works the queue.
    State& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        const QList<StyleCard> cards = s.library.cards();
        for (const StyleCard& card : cards) {
            if (!card.preview.isNull() || s.previews.count(card.id) || s.previewsQueued.count(card.id))
                continue;
            for (int m = 0; m < s.library.modelCount(); ++m)
                if (s.library.modelPath(m) == card.modelPath) {
                    s.previewQueue.emplace_back(card, s.library.sharedModel(m));
                    s.previewsQueued.insert(card.id);
                }
        }
        if (s.previewQueue.empty() || s.previewThread.joinable()) {
            s.wake.notify_all();
            return;
        }
    }
    s.previewThread = std::thread([this] {
        State& s = *state_;
        // The live view first: on a CPU driver the previews' pipeline compiles would
        // otherwise hold back the first live frames for tens of seconds.
        {
            std::unique_lock lock(s.mutex);
            s.wake.wait_for(lock, std::chrono::seconds(30), [&] { return s.firstFrameShown || s.stop; });
        }
        // One renderer at a time (its model held beside it): a picture style added makes
        // a new model snapshot, and an old renderer's plan would only hold device memory.
        std::shared_ptr<const model::Model> rendererModel;
        std::unique_ptr<PreviewRenderer> renderer;
        while (true) {
            std::pair<StyleCard, std::shared_ptr<const model::Model>> job;
            {
                std::unique_lock lock(s.mutex);
                s.wake.wait(lock, [&] { return !s.previewQueue.empty() || s.stop; });
                if (s.stop)
                    return;
                job = std::move(s.previewQueue.front());
                s.previewQueue.pop_front();
            }
            const auto& [card, model] = job;
            try {
                if (rendererModel != model) {
                    renderer.reset();
                    rendererModel = model;
                    renderer = std::make_unique<PreviewRenderer>(*s.context, *model, s.config.sampleImage,
                                                                 s.config.previewCache, s.previewPipelines);
                }
                const QImage image = renderer->render(card);
                std::lock_guard lock(s.mutex);
                s.previews[card.id] = image;
            } catch (const vk::Cancelled&) {
                return;  // shutting down
            } catch (const std::exception& e) {
                emit errorOccurred(tr("Could not render a preview of '%1': %2").arg(card.name, sentence(e)));
            }
            bool last = false;
            {
                std::lock_guard lock(s.mutex);
                s.previewsQueued.erase(card.id);
                last = s.previewQueue.empty();
            }
            if (last)  // the gallery updates once per batch
                emit stylesChanged(cardsWithPreviews());
        }
    });
}

void StudioController::setSource(const SourceSpec& source)
{
    State& s = *state_;
    if (!s.session)
        return;
    video::SourceSpec spec;
    try {
        spec = toVideoSource(source);
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not open %1: %2").arg(source.label.isEmpty() ? source.location : source.label,
                                                           sentence(e)));
        return;
    }
    {
        std::lock_guard lock(s.mutex);
        s.requestedSource = source;
    }
    s.session->setSource(spec);
}

void StudioController::frameShown()
{
    {
        std::lock_guard lock(state_->mutex);
        state_->frameAwaitingView = false;
        state_->firstFrameShown = state_->firstFrameShown || state_->awaitingFrameStyled;
    }
    state_->wake.notify_all();
}

void StudioController::setBlend(const BlendSettings& blend)
{
    State& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        s.blend = blend;
    }
    if (s.stylize)
        s.stylize->setBlend(blend);
}

bool StudioController::loadPictureModel(const QString& folder)
{
    State& s = *state_;
    if (s.pictures && s.pictures->folder() == QFileInfo(folder).absoluteFilePath())
        return true;
    try {
        const QString cache = s.config.previewCache.isEmpty()
                                  ? QString()
                                  : QDir(s.config.previewCache).filePath("picture-styles.json");
        auto pictures = std::make_unique<PictureStyleSet>(folder, cache);
        if (s.pictures) {
            // Another copy of the model: the pictures move over to it.
            for (const QString& id : s.pictures->ids())
                pictures->add(PictureStyleSet::pathOf(id));
            std::lock_guard lock(s.mutex);
            s.library.setPictureStyles(s.pictures->folder(), nullptr, {});
        }
        s.pictures = std::move(pictures);
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not load Magenta's arbitrary-style model from '%1': %2").arg(folder, sentence(e)));
        return false;
    }
    emit pictureModelReady(s.pictures->folder());
    return true;
}

void StudioController::publishPictureStyles()
{
    State& s = *state_;
    {
        std::lock_guard lock(s.mutex);
        s.library.setPictureStyles(s.pictures->folder(), s.pictures->model(), s.pictures->ids(), s.pictures->magenta());
    }
    if (s.stylize)
        s.stylize->libraryChanged();
    emit stylesChanged(cardsWithPreviews());
}

void StudioController::addPictureStyle(const QString& picturePath)
{
    State& s = *state_;
    if (!s.pictures) {
        emit errorOccurred(pictureModelMissingMessage());
        return;
    }
    QString id;
    try {
        id = s.pictures->add(picturePath);  // the predictor: well under a second
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not make a style of '%1': %2").arg(picturePath, sentence(e)));
        return;
    }
    publishPictureStyles();
    emit pictureStyleAdded(id, QFileInfo(picturePath).absoluteFilePath());
    if (s.context)
        renderMissingPreviews();
}

void StudioController::removePictureStyle(const QString& id)
{
    State& s = *state_;
    if (!s.pictures || !s.pictures->remove(id))
        return;
    publishPictureStyles();
    emit pictureStyleRemoved(id, PictureStyleSet::pathOf(id));
}

void StudioController::importModel(const QString& path)
{
    State& s = *state_;
    if (PictureStyleSet::isModelFolder(path)) {
        if (loadPictureModel(path) && !s.pictures->empty()) {
            publishPictureStyles();
            renderMissingPreviews();
        }
        return;
    }
    try {
        // Parsed outside the lock: the live path takes it every frame.
        StyleLibrary::Loaded loaded = StyleLibrary::load(path);
        std::lock_guard lock(s.mutex);
        s.library.append(std::move(loaded));
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not import '%1': %2").arg(path, sentence(e)));
        return;
    }
    if (s.stylize)
        s.stylize->libraryChanged();
    emit stylesChanged(cardsWithPreviews());
    if (s.context)
        renderMissingPreviews();
}

void StudioController::startRecording(const QString& path)
{
    State& s = *state_;
    if (!s.session || s.recording)
        return;
    pipeline::RecordSettings settings;
    settings.path = path.toStdString();  // the size of the first frame recorded
    try {
        s.session->startRecording(settings);
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not start recording to '%1': %2").arg(path, sentence(e)));
        return;
    }
    {
        std::lock_guard lock(s.mutex);
        s.recordingPath = path;
        s.recordingClock.start();
    }
    s.recording = true;
    RecordingStatus status;
    status.active = true;
    status.path = path;
    emit recordingChanged(status);
}

void StudioController::stopRecording()
{
    State& s = *state_;
    if (!s.session || !s.session->recording())
        return;
    s.recording = false;
    RecordingStatus status;
    status.path = s.recordingPath;
    status.elapsedMs = s.recordingClock.elapsed();
    try {
        const pipeline::RecordingStats r = s.session->stopRecording();
        status.frames = r.recorded;
        status.bytes = r.bytes;
        status.dropped = r.dropped;
        if (r.recorded == 0)
            emit errorOccurred(tr("Nothing was recorded (no frame reached the recorder): no file was written to "
                                  "'%1'.").arg(s.recordingPath));
    } catch (const std::exception& e) {
        const pipeline::RecordingStats r = s.session->recordingStats();
        status.frames = r.recorded;
        status.bytes = r.bytes;
        status.dropped = r.dropped;
        emit errorOccurred(tr("The recording '%1' could not be finished: %2").arg(s.recordingPath, sentence(e)));
    }
    emit recordingChanged(status);
}

void StudioController::takeSnapshot(const QString& path)
{
    std::lock_guard lock(state_->mutex);
    state_->pendingSnapshot = path;
}

void StudioController::startExport(const ExportRequest& request)
{
    State& s = *state_;
    if (!s.context) {
        emit exportFinished(false, tr("No Vulkan device is available to export with."));
        return;
    }
    if (s.exporter && s.exporter->running()) {
        emit exportFinished(false, tr("An export is already running; cancel it or wait for it to finish."));
        return;
    }
    BlendSettings blend;
    std::vector<ModelBlend> models;
    {
        std::lock_guard lock(s.mutex);
        blend = s.blend;
        models = s.library.resolve(blend);  // the models travel with the job: it never reads the library
    }
    if (models.empty()) {
        emit exportFinished(false, tr("No style is loaded: import a model or install the default style pack."));
        return;
    }
    s.exporter = std::make_unique<StudioExport>(*s.context, std::move(models), blend, request, s.config.framesInFlight);
    StudioExport* job = s.exporter.get();
    job->start([this](const ExportProgress& p) { emit exportProgress(p); },
               [this](bool ok, const QString& message) { emit exportFinished(ok, message); });
}

void StudioController::cancelExport()
{
    if (state_->exporter)
        state_->exporter->cancel();
}

void StudioController::shutdown()
{
    State& s = *state_;
    stopRecording();  // finished and reported while the session still runs
    {
        std::lock_guard lock(s.mutex);  // no waiter can miss it between its check and its wait
        s.stop = true;
    }
    s.wake.notify_all();
    if (s.previewPipelines)
        s.previewPipelines->cancel();  // a preview compiling stops at its next pipeline
    if (s.session)
        s.session->stop();
    if (s.live.joinable())
        s.live.join();
    if (s.previewThread.joinable())
        s.previewThread.join();
    if (s.exporter) {
        s.exporter->cancel();
        s.exporter->wait();
        s.exporter.reset();
    }
    s.session.reset();
    s.stylize.reset();
}

void StudioController::saveSnapshot(const QImage& image, const QString& path)
{
    if (image.save(path, "PNG"))
        emit snapshotSaved(path);
    else
        emit errorOccurred(tr("Could not save the snapshot to '%1': check that the folder exists and is "
                              "writable.").arg(path));
}

}  // namespace stylize::studio
