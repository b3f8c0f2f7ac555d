// StudioController: device and styles on the controller thread; the live loop (read,
// stylize, show, record) on a worker thread of its own so that slots stay responsive
// while the network runs (seconds per frame on a CPU driver).
#include "studio/studio_controller.h"

#include <atomic>
#include <map>
#include <condition_variable>
#include <future>
#include <mutex>
#include <thread>

#include <QDir>
#include <QFileInfo>

#include "default_styles.h"
#include "studio/blended_stylizer.h"
#include "studio/brush_sizer.h"
#include "studio/live_input.h"
#include "studio/live_recorder.h"
#include "studio/preview_renderer.h"
#include "studio/studio_export.h"
#include "studio/style_library.h"
#include "video/av_error.h"
#include "vk/context.h"

namespace stylize::studio {
namespace {

// The longest side of what the view shows; bigger frames are resampled by the shader.
constexpr int kMaxViewSide = 1280;

render::Size viewSize(render::Size frame)
{
    const int longest = std::max(frame.width, frame.height);
    if (longest <= kMaxViewSide)
        return frame;
    const double s = double(kMaxViewSide) / longest;
    return {std::max(2, int(frame.width * s) / 2 * 2), std::max(2, int(frame.height * s) / 2 * 2)};
}

QString sentence(const std::exception& e) { return QString::fromStdString(e.what()); }

// A read-only QImage over the stylizer's result memory (no copy): the image, and every
// implicit copy of it the view, recorder and snapshot take, hold the memory until the
// last of them is gone; then the stylizer reuses it.
QImage wrapShared(render::SharedFrame frame)
{
    auto* hold = new std::shared_ptr<const void>(std::move(frame.memory));
    return QImage(
        frame.planes[0], frame.width, frame.height, frame.strides[0], QImage::Format_RGBA8888,
        [](void* p) { delete static_cast<std::shared_ptr<const void>*>(p); }, hold);
}

}  // namespace

struct StudioController::State {
    StudioConfig config;
    std::unique_ptr<vk::Context> context;
    StyleLibrary library;

    // Shared with the live thread; guarded by `mutex`.
    std::mutex mutex;
    std::condition_variable wake;
    BlendSettings blend;
    std::uint64_t blendVersion = 0;
    std::optional<SourceSpec> pendingSource;
    std::optional<QString> pendingSnapshot;
    std::shared_ptr<LiveRecorder> recorder;  // the live thread holds a copy while pushing
    bool libraryChanged = false;
    std::atomic<bool> stop{false};
    bool frameAwaitingView = false;  // a frameReady the view has not acknowledged yet
    bool awaitingFrameStyled = false;  // ... and it is a stylized one
    bool firstFrameShown = false;    // the view has shown a stylized live frame (previews wait for it)
    std::thread live;

    std::map<QString, QImage> previews;  // rendered previews by style id; guarded by mutex
    std::thread previewThread;           // controller thread starts and joins it

    std::unique_ptr<StudioExport> exporter;  // controller thread
};

QString bundledResourcesDir()
{
    return QString::fromStdString(app::resourcesDir().string());
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
        try {
            s.library.add(path);
        } catch (const std::exception& e) {
            emit errorOccurred(tr("Could not load the styles in '%1': %2").arg(path, sentence(e)));
        }
    }
    if (s.library.modelCount() == 0)
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
    {
        std::lock_guard lock(s.mutex);
        s.pendingSource = first;
    }
    s.live = std::thread([this] { liveLoop(); });
    renderMissingPreviews();
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
    State& s = *state_;
    if (s.previewThread.joinable())
        s.previewThread.join();
    std::vector<std::pair<StyleCard, std::shared_ptr<const model::Model>>> missing;
    {
        std::lock_guard lock(s.mutex);
        const QList<StyleCard> cards = s.library.cards();
        for (const StyleCard& card : cards)
            if (card.preview.isNull() && !s.previews.count(card.id))
                for (int m = 0; m < s.library.modelCount(); ++m)
                    if (s.library.modelPath(m) == card.modelPath)
                        missing.emplace_back(card, s.library.sharedModel(m));
    }
    if (missing.empty())
        return;
    s.previewThread = std::thread([this, missing] {
        State& s = *state_;
        // The live view first: on a CPU driver the previews' pipeline compiles would
        // otherwise hold back the first live frames for tens of seconds.
        {
            std::unique_lock lock(s.mutex);
            s.wake.wait_for(lock, std::chrono::seconds(30), [&] { return s.firstFrameShown || s.stop; });
        }
        std::map<const model::Model*, std::unique_ptr<PreviewRenderer>> renderers;
        for (const auto& [card, model] : missing) {
            if (s.stop)
                return;
            try {
                auto& renderer = renderers[model.get()];
                if (!renderer)
                    renderer = std::make_unique<PreviewRenderer>(*s.context, *model, s.config.sampleImage,
                                                                 s.config.previewCache);
                const QImage image = renderer->render(card);
                std::lock_guard lock(s.mutex);
                s.previews[card.id] = image;
            } catch (const std::exception& e) {
                emit errorOccurred(tr("Could not render a preview of '%1': %2").arg(card.name, sentence(e)));
            }
        }
        emit stylesChanged(cardsWithPreviews());
    });
}

void StudioController::setSource(const SourceSpec& source)
{
    std::lock_guard lock(state_->mutex);
    state_->pendingSource = source;
    state_->wake.notify_all();
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
    std::lock_guard lock(state_->mutex);
    state_->blend = blend;
    ++state_->blendVersion;
}

void StudioController::importModel(const QString& path)
{
    State& s = *state_;
    try {
        std::lock_guard lock(s.mutex);  // the live thread reads the library
        s.library.add(path);
        s.libraryChanged = true;
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not import '%1': %2").arg(path, sentence(e)));
        return;
    }
    emit stylesChanged(cardsWithPreviews());
    if (s.context)
        renderMissingPreviews();
}

void StudioController::startRecording(const QString& path)
{
    std::lock_guard lock(state_->mutex);
    if (state_->recorder)
        return;
    try {
        state_->recorder = std::make_shared<LiveRecorder>(path);
    } catch (const std::exception& e) {
        emit errorOccurred(tr("Could not start recording to '%1': %2").arg(path, sentence(e)));
        return;
    }
    RecordingStatus status;
    status.active = true;
    status.path = path;
    emit recordingChanged(status);
}

void StudioController::stopRecording()
{
    std::shared_ptr<LiveRecorder> recorder;
    {
        std::lock_guard lock(state_->mutex);
        recorder = std::move(state_->recorder);
    }
    if (!recorder)
        return;
    RecordingStatus status = recorder->status();
    try {
        recorder->finish();
    } catch (const std::exception& e) {
        emit errorOccurred(tr("The recording '%1' could not be finished: %2").arg(status.path, sentence(e)));
    }
    status = recorder->status();
    status.active = false;
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
    {
        std::lock_guard lock(s.mutex);
        blend = s.blend;
    }
    s.exporter = std::make_unique<StudioExport>(*s.context, s.library, blend, request);
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
    {
        std::lock_guard lock(s.mutex);  // no waiter can miss it between its check and its wait
        s.stop = true;
    }
    s.wake.notify_all();
    if (s.live.joinable())
        s.live.join();
    if (s.previewThread.joinable())
        s.previewThread.join();
    if (s.exporter) {
        s.exporter->cancel();
        s.exporter->wait();
        s.exporter.reset();
    }
    stopRecording();
}

void StudioController::saveSnapshot(const QImage& image, const QString& path)
{
    if (image.save(path, "PNG"))
        emit snapshotSaved(path);
    else
        emit errorOccurred(tr("Could not save the snapshot to '%1': check that the folder exists and is "
                              "writable.").arg(path));
}

void StudioController::liveLoop()
{
    State& s = *state_;
    BlendedStylizer stylizer(*s.context, s.library);
    BrushSizer brush(s.config.targetFps);
    std::unique_ptr<LiveInput> input;
    SourceSpec source;
    std::uint64_t appliedBlend = ~0ull;
    qint64 dropped = 0;
    double fps = 0;
    auto lastShown = std::chrono::steady_clock::now();
    auto playStart = lastShown;
    std::int64_t firstPts = 0;
    // Every frame goes to the view through here: marked as awaiting the view's frameShown().
    auto show = [&](const QImage& stylized, const QImage& original, bool styled) {
        {
            std::lock_guard lock(s.mutex);
            s.frameAwaitingView = true;
            s.awaitingFrameStyled = styled;
        }
        emit frameReady(stylized, original);
    };
    bool needFirst = true;
    // A plan (first frame, new size or model) compiles pipelines: tens of seconds on a
    // cold CPU-driver cache. It is built on a helper thread; if that takes longer than a
    // moment, the source plays on unstylized (with a note) instead of the view sitting
    // black or frozen. Nothing else touches the stylizer meanwhile.
    std::future<void> building;
    std::chrono::steady_clock::time_point buildStart;
    bool announced = false;
    bool styledThisSource = false;

    while (!s.stop) {
        std::optional<SourceSpec> next;
        {
            std::lock_guard lock(s.mutex);
            next = std::exchange(s.pendingSource, std::nullopt);
        }
        if (next) {
            try {
                auto opened = next->kind == SourceKind::File && isStillImage(next->location)
                                  ? openStillImage(next->location)
                                  : openVideoInput(*next);
                input = std::move(opened);
                source = *next;
                needFirst = true;
                styledThisSource = false;
                emit sourceStarted(source);
            } catch (const std::exception& e) {
                emit errorOccurred(tr("Could not open %1: %2").arg(next->label.isEmpty() ? next->location : next->label,
                                                                   sentence(e)));
            }
        }
        if (!input) {
            std::unique_lock lock(s.mutex);
            s.wake.wait_for(lock, std::chrono::milliseconds(200), [&] { return s.stop || s.pendingSource; });
            continue;
        }

        InputFrame frame;
        try {
            if (!input->read(frame)) {
                if (!input->rewind() || !input->read(frame))
                    throw std::runtime_error("it has no frames to show");
                needFirst = true;
            }
        } catch (const std::exception& e) {
            emit errorOccurred(tr("%1 stopped: %2").arg(source.label.isEmpty() ? source.location : source.label,
                                                        sentence(e)));
            input.reset();
            continue;
        }

        // Files play in real time: frames whose time has passed while we were busy are
        // skipped (and counted) instead of slowing the clip down.
        if (!input->isRealTime()) {
            const auto now = std::chrono::steady_clock::now();
            if (needFirst) {
                playStart = now;
                firstPts = frame.timestampUs;
                needFirst = false;
            } else {
                const auto due = playStart + std::chrono::microseconds(frame.timestampUs - firstPts);
                if (due + std::chrono::milliseconds(50) < now) {
                    ++dropped;
                    continue;
                }
                std::this_thread::sleep_until(due);
            }
        }

        std::optional<QString> snapshot;
        std::shared_ptr<LiveRecorder> recorder;
        bool haveStyles = false;
        {
            std::unique_lock lock(s.mutex);
            // Back-pressure from the view: render the next frame (with the settings of
            // that moment) only once the last one is on screen. A view that never says so
            // (none connected) releases the loop after half a second.
            s.wake.wait_for(lock, std::chrono::milliseconds(500), [&] { return !s.frameAwaitingView || s.stop; });
            s.frameAwaitingView = false;
            if (!building.valid() && (s.blendVersion != appliedBlend || s.libraryChanged)) {
                stylizer.setBlend(s.library.resolve(s.blend),
                                  {float(s.blend.strength), s.blend.preserveColours});
                brush.setPercent(s.blend.brushPercent);
                appliedBlend = s.blendVersion;
                s.libraryChanged = false;
            }
            snapshot = std::exchange(s.pendingSnapshot, std::nullopt);
            recorder = s.recorder;
            haveStyles = s.library.modelCount() > 0;
        }
        if (!haveStyles) {  // nothing to stylize with: show the source as it is
            if (!frame.original.isNull())
                show(frame.original, frame.original, false);
            std::this_thread::sleep_for(std::chrono::milliseconds(30));
            continue;
        }

        const render::Size frameSize = frame.view.size();
        const render::Size out = viewSize(frameSize);
        const render::Size processing = brush.processingSize(frameSize);
        render::FrameGeometry target;
        target.layout = render::PixelLayout::Rgba8;
        target.width = out.width;
        target.height = out.height;
        if (building.valid() || stylizer.needsPlan(frame.view, processing, target)) {
            if (!building.valid()) {
                const render::FrameGeometry geometry = frame.view;
                building = std::async(std::launch::async, [&stylizer, geometry, processing, target] {
                    stylizer.prepare(geometry, processing, target);
                });
                buildStart = std::chrono::steady_clock::now();
            }
            // A warm rebuild (new brush size) is quick: wait for it rather than flash
            // unstylized frames; a new source's first frames wait less.
            const auto grace = std::chrono::milliseconds(styledThisSource ? 1500 : 700);
            if (building.wait_until(buildStart + grace) != std::future_status::ready) {
                if (!announced) {
                    emit preparing(tr("Preparing the style on %1: its first use compiles shaders, up to a minute "
                                      "on a CPU driver…")
                                       .arg(QString::fromStdString(s.context->info().name)));
                    announced = true;
                }
                if (!frame.original.isNull()) {  // recording and snapshot take what the view shows
                    if (recorder)
                        recorder->push(frame.original, frame.timestampUs);
                    if (snapshot)
                        saveSnapshot(frame.original, *snapshot);
                    show(frame.original, frame.original, false);
                }
                continue;
            }
            if (std::exchange(announced, false))
                emit preparing({});
            try {
                building.get();
            } catch (const std::exception& e) {
                emit errorOccurred(tr("Stylizing failed: %1").arg(sentence(e)));
                std::this_thread::sleep_for(std::chrono::milliseconds(500));
                continue;
            }
        }
        const auto t0 = std::chrono::steady_clock::now();
        QImage stylized;
        try {
            stylized = wrapShared(stylizer.runShared(frame.view, processing, target));
        } catch (const std::exception& e) {
            emit errorOccurred(tr("Stylizing failed: %1").arg(sentence(e)));
            std::this_thread::sleep_for(std::chrono::milliseconds(500));
            continue;
        }
        const auto t1 = std::chrono::steady_clock::now();
        const double ms = std::chrono::duration<double, std::milli>(t1 - t0).count();
        brush.report(ms, t1);
        const double interval = std::chrono::duration<double>(t1 - lastShown).count();
        lastShown = t1;
        fps = fps == 0 ? 1.0 / std::max(interval, 1e-3) : 0.8 * fps + 0.2 / std::max(interval, 1e-3);

        if (recorder)
            recorder->push(stylized, frame.timestampUs);
        if (snapshot)
            saveSnapshot(stylized, *snapshot);
        show(stylized, frame.original, true);
        styledThisSource = true;
        LiveStats stats;
        stats.fps = fps;
        stats.msPerFrame = ms;
        stats.dropped = dropped;
        stats.device = QString::fromStdString(s.context->info().name);
        stats.frameSize = QSize(frameSize.width, frameSize.height);
        stats.processingSize = QSize(processing.width, processing.height);
        emit statsChanged(stats);
        if (recorder)
            emit recordingChanged(recorder->status());
    }
}

}  // namespace stylize::studio
