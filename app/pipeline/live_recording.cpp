// LiveRecording: a drop-oldest FrameQueue and an encoder thread over video::MediaOutput.
#include "pipeline/live_recording.h"

#include <filesystem>
#include <mutex>
#include <thread>

#include "pipeline/frame_queue.h"
#include "pipeline/stage_support.h"
#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/media_output.h"

namespace stylize::pipeline {

struct LiveRecording::Impl {
    RecordSettings settings;
    FrameQueue<video::TimedFrame> queue{4, QueuePolicy::DropOldest};
    FailureLatch failure;
    std::thread thread;

    mutable std::mutex mutex;
    std::unique_ptr<video::MediaOutput> output;  // mutex for creation; then encoder thread until joined
    RecordingStats stats;                        // mutex
    std::int64_t firstUs = -1;                   // encoder thread
    std::int64_t lastUs = 0, lastDurationUs = 0; // encoder thread
    bool finished = false;                       // mutex

    void open(render::Size size)
    {
        video::OutputSettings out;
        out.path = settings.path;
        if (!settings.codec.empty())
            out.codec = video::parseVideoCodec(settings.codec);
        out.crf = settings.crf;
        out.preset = settings.preset;
        out.size = size;
        out.frameRate = settings.frameRate > 0 ? settings.frameRate : 30;
        out.live = true;
        auto created = std::make_unique<video::MediaOutput>(out);
        std::lock_guard lock(mutex);
        stats.codec = created->encoderName();
        output = std::move(created);
    }

    void encodeAll()
    {
        video::FrameScaler scaler;
        while (auto item = queue.pop()) {
            const AVFrame& f = *item->frame;
            if (!output)
                open({f.width, f.height});
            const render::Size size = output->size();
            if (f.format != output->pixelFormat() || f.width != size.width || f.height != size.height)
                item->frame = scaler.scale(f, output->pixelFormat(), size.width, size.height);
            if (firstUs < 0)
                firstUs = item->us;
            item->us -= firstUs;
            lastUs = item->us;
            lastDurationUs = item->durationUs;
            output->writeVideo(std::move(*item));
            std::lock_guard lock(mutex);
            ++stats.recorded;
            stats.bytes = output->bytesWritten();
        }
    }
};

LiveRecording::LiveRecording(RecordSettings settings) : impl_(std::make_unique<Impl>())
{
    impl_->settings = std::move(settings);
    const std::filesystem::path file = impl_->settings.path;
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : ".";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw video::VideoError("Cannot record to " + impl_->settings.path + ": the folder '" + folder.string() +
                                "' does not exist.");
    if (!impl_->settings.size.empty())
        impl_->open(impl_->settings.size);
    impl_->thread = std::thread([impl = impl_.get()] {
        try {
            impl->encodeAll();
        } catch (...) {
            // The encoder or the disk failed: stop taking frames at once, so the caller
            // learns it on its next push.
            impl->failure.set(std::current_exception());
            impl->queue.cancel();
        }
    });
}

LiveRecording::~LiveRecording()
{
    try {
        finish();
    } catch (const std::exception&) {
    }
}

const std::string& LiveRecording::path() const { return impl_->settings.path; }

video::FramePtr LiveRecording::newEncoderFrame()
{
    std::lock_guard lock(impl_->mutex);
    return impl_->output ? impl_->output->newVideoFrame() : video::FramePtr{};
}

bool LiveRecording::push(video::TimedFrame frame)
{
    return !impl_->failure.failed() && impl_->queue.push(std::move(frame));
}

std::string LiveRecording::failure() const { return impl_->failure.failed() ? impl_->failure.message() : ""; }

RecordingStats LiveRecording::stats() const
{
    std::lock_guard lock(impl_->mutex);
    RecordingStats s = impl_->stats;
    s.dropped = impl_->queue.dropped();
    return s;
}

RecordingStats LiveRecording::finish()
{
    Impl& m = *impl_;
    {
        std::lock_guard lock(m.mutex);
        if (m.finished)
            return m.stats;
        m.finished = true;
    }
    m.queue.close();
    if (m.thread.joinable())
        m.thread.join();
    RecordingStats s = stats();
    // The encoder thread has ended: the output is this thread's now.
    std::unique_ptr<video::MediaOutput> output = std::move(m.output);
    if (output && s.recorded == 0)
        output.reset();  // nothing recorded: no file, not an empty one (the partial file goes)
    if (m.failure.failed()) {
        std::string message = m.failure.message();
        if (output) {
            try {
                output->close();
                message += " The recording up to then (" + std::to_string(s.recorded) + " frames) is in " +
                           m.settings.path + ".";
            } catch (...) {
            }
        }
        throw video::VideoError(message);
    }
    if (output) {
        output->finishVideo();
        output->close();
        s.bytes = output->bytesWritten();
        s.seconds = (m.lastUs + (m.lastDurationUs > 0 ? m.lastDurationUs : std::llround(1e6 / m.settings.frameRate))) / 1e6;
    }
    std::lock_guard lock(m.mutex);
    m.stats = s;
    return s;
}

}  // namespace stylize::pipeline
