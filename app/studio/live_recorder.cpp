// LiveRecorder: a bounded hand-over queue and an encoder thread over video::MediaOutput.
// The view's RGBA frames are what gets recorded (blends across models included), turned
// into the encoder's YUV by libswscale on the recorder thread.
#include "studio/live_recorder.h"

#include <condition_variable>
#include <deque>
#include <filesystem>
#include <mutex>
#include <thread>

#include <QElapsedTimer>

#include "video/av_error.h"
#include "video/frame_mapping.h"
#include "video/media_output.h"

namespace stylize::studio {

struct LiveRecorder::Impl {
    static constexpr std::size_t kQueueDepth = 3;

    QString path;
    std::mutex mutex;
    std::condition_variable wake;
    std::deque<std::pair<QImage, std::int64_t>> queue;  // guarded by mutex
    bool finishing = false;                              // guarded by mutex
    std::string error;                                   // guarded by mutex
    qint64 dropped = 0, bytes = 0, frames = 0;           // guarded by mutex
    QElapsedTimer clock;
    std::thread thread;

    // Encoder thread only.
    std::unique_ptr<video::MediaOutput> output;
    video::SwsContextPtr sws;
    std::int64_t firstUs = -1;

    void encode(const QImage& image, std::int64_t us)
    {
        if (!output) {
            video::OutputSettings settings;
            settings.path = path.toStdString();
            settings.size = {image.width(), image.height()};
            settings.live = true;
            output = std::make_unique<video::MediaOutput>(settings);
        }
        if (firstUs < 0)
            firstUs = us;
        video::FramePtr frame = output->newVideoFrame();
        video::rgbaToEncoderYuv(sws, image.constBits(), int(image.bytesPerLine()), image.width(), image.height(),
                                AVPixelFormat(frame->format), frame->data, frame->linesize, frame->width,
                                frame->height);
        video::TimedFrame timed;
        timed.frame = std::move(frame);
        timed.us = us - firstUs;
        output->writeVideo(std::move(timed));
        std::lock_guard lock(mutex);
        bytes = output->bytesWritten();
        ++frames;
    }

    void run()
    {
        for (;;) {
            std::pair<QImage, std::int64_t> item;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return finishing || !queue.empty(); });
                if (queue.empty())
                    break;
                item = std::move(queue.front());
                queue.pop_front();
            }
            try {
                encode(item.first, item.second);
            } catch (const std::exception& e) {
                std::lock_guard lock(mutex);
                error = e.what();
                queue.clear();
                finishing = true;
                break;
            }
        }
    }
};

LiveRecorder::LiveRecorder(const QString& path) : impl_(std::make_unique<Impl>())
{
    impl_->path = path;
    // Fail now, not at the first frame, when the folder is missing or not writable.
    const std::filesystem::path file = path.toStdString();
    const std::filesystem::path folder = file.has_parent_path() ? file.parent_path() : ".";
    std::error_code ec;
    if (!std::filesystem::is_directory(folder, ec))
        throw video::VideoError("The folder '" + folder.string() + "' does not exist.");
    impl_->clock.start();
    impl_->thread = std::thread([this] { impl_->run(); });
}

LiveRecorder::~LiveRecorder()
{
    try {
        finish();
    } catch (const std::exception&) {
        // finish() already reported through status(); a destructor must not throw.
    }
}

void LiveRecorder::push(const QImage& rgba, std::int64_t timestampUs)
{
    std::lock_guard lock(impl_->mutex);
    if (impl_->finishing)
        return;
    if (impl_->queue.size() >= Impl::kQueueDepth) {
        impl_->queue.pop_front();  // the encoder is behind: drop the oldest, never wait
        ++impl_->dropped;
    }
    impl_->queue.emplace_back(rgba, timestampUs);
    impl_->wake.notify_one();
}

void LiveRecorder::finish()
{
    {
        std::lock_guard lock(impl_->mutex);
        impl_->finishing = true;
        impl_->wake.notify_all();
    }
    if (impl_->thread.joinable())
        impl_->thread.join();
    std::string error;
    {
        std::lock_guard lock(impl_->mutex);
        error = impl_->error;
    }
    if (impl_->output) {
        auto output = std::move(impl_->output);
        output->finishVideo();
        output->close();
        std::lock_guard lock(impl_->mutex);
        impl_->bytes = output->bytesWritten();
    }
    if (!error.empty())
        throw video::VideoError(error);
}

RecordingStatus LiveRecorder::status() const
{
    std::lock_guard lock(impl_->mutex);
    RecordingStatus s;
    s.active = !impl_->finishing;
    s.path = impl_->path;
    s.elapsedMs = impl_->clock.elapsed();
    s.bytes = impl_->bytes;
    s.dropped = impl_->dropped;
    s.frames = impl_->frames;
    return s;
}

}  // namespace stylize::studio
