// The FFmpeg-backed live inputs of the studio: cameras and the test pattern are read on
// a capture thread into a two-frame queue that drops the oldest (the view never lags
// behind the camera), files are decoded on demand and paced by the live loop.
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "studio/live_input.h"
#include "video/av_error.h"
#include "video/camera_list.h"
#include "video/frame_mapping.h"
#include "video/media_input.h"
#include "video/video_decoder.h"

extern "C" {
#include <libavutil/imgutils.h>
}

namespace stylize::studio {
namespace {

// RGBA copies of decoded frames for the "before" half of the view.
class OriginalConverter {
public:
    QImage convert(const AVFrame& f)
    {
        QImage image(f.width, f.height, QImage::Format_RGBA8888);
        try {
            video::frameToRgba(sws_, f, image.bits(), int(image.bytesPerLine()));
        } catch (const video::VideoError&) {
            return {};
        }
        return image;
    }

private:
    video::SwsContextPtr sws_;
};

video::SourceSpec toVideoSpec(const SourceSpec& s)
{
    switch (s.kind) {
    case SourceKind::File:
    case SourceKind::SampleClip: return video::fileSource(s.location.toStdString());
    case SourceKind::TestPattern: return video::resolveSource(s.location.isEmpty() ? "testsrc" : "lavfi:" + s.location.toStdString() + ",realtime");
    case SourceKind::Camera: return video::resolveSource(s.location.toStdString());
    }
    return video::fileSource(s.location.toStdString());
}

// Decodes frames one packet at a time on the calling thread.
class DecodingReader {
public:
    explicit DecodingReader(const video::SourceSpec& spec) : spec_(spec) { open(); }

    // The next decoded frame, or false at the end of the input.
    bool next(video::TimedFrame& out)
    {
        while (ready_.empty()) {
            if (ended_)
                return false;
            const video::ReadStatus status = input_->read(packet_.get());
            if (status == video::ReadStatus::EndOfFile) {
                decoder_->decode(nullptr, sink());  // flush: the last frames are not lost
                ended_ = true;
                continue;
            }
            if (packet_->stream_index == input_->videoIndex())
                decoder_->decode(packet_.get(), sink());
            av_packet_unref(packet_.get());
        }
        out = std::move(ready_.front());
        ready_.pop_front();
        return true;
    }

    void open()
    {
        ready_.clear();
        decoder_.reset();
        input_ = std::make_unique<video::MediaInput>(spec_);
        decoder_ = std::make_unique<video::VideoDecoder>(*input_);
        ended_ = false;
    }
    video::MediaInput& input() { return *input_; }

private:
    video::VideoDecoder::Sink sink()
    {
        return [this](video::TimedFrame&& f) { ready_.push_back(std::move(f)); };
    }

    video::SourceSpec spec_;
    std::unique_ptr<video::MediaInput> input_;
    std::unique_ptr<video::VideoDecoder> decoder_;
    video::PacketPtr packet_ = video::allocPacket();
    std::deque<video::TimedFrame> ready_;
    bool ended_ = false;
};

class FileInput : public LiveInput {
public:
    explicit FileInput(const video::SourceSpec& spec) : reader_(spec) {}

    bool read(InputFrame& frame) override
    {
        if (!reader_.next(current_))
            return false;
        frame.view = video::frameView(*current_.frame);
        frame.timestampUs = current_.us;
        frame.original = originals_.convert(*current_.frame);
        return true;
    }
    bool rewind() override
    {
        reader_.open();
        return true;
    }
    bool isRealTime() const override { return false; }

private:
    DecodingReader reader_;
    video::TimedFrame current_;  // owns the buffers frame.view points into
    OriginalConverter originals_;
};

class CaptureInput : public LiveInput {
public:
    explicit CaptureInput(const video::SourceSpec& spec) : reader_(spec)
    {
        thread_ = std::thread([this] { capture(); });
    }
    ~CaptureInput() override
    {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        reader_.input().interrupt();
        ready_.notify_all();
        thread_.join();
    }

    bool read(InputFrame& frame) override
    {
        std::unique_lock lock(mutex_);
        ready_.wait(lock, [this] { return !queue_.empty() || !error_.empty() || ended_; });
        if (!error_.empty())
            throw video::VideoError(error_);
        if (queue_.empty())
            return false;
        current_ = std::move(queue_.front());
        queue_.pop_front();
        lock.unlock();
        frame.view = video::frameView(*current_.frame);
        frame.timestampUs = current_.us;
        frame.original = originals_.convert(*current_.frame);
        return true;
    }
    bool rewind() override { return false; }
    bool isRealTime() const override { return true; }

private:
    void capture()
    {
        try {
            video::TimedFrame f;
            while (reader_.next(f)) {
                std::lock_guard lock(mutex_);
                if (stop_)
                    return;
                if (queue_.size() >= kQueueDepth)
                    queue_.pop_front();  // live: the oldest frame goes, the view stays current
                queue_.push_back(std::move(f));
                ready_.notify_one();
            }
            std::lock_guard lock(mutex_);
            ended_ = true;
        } catch (const std::exception& e) {
            std::lock_guard lock(mutex_);
            if (!stop_)
                error_ = e.what();
        }
        ready_.notify_all();
    }

    static constexpr std::size_t kQueueDepth = 2;
    DecodingReader reader_;  // capture thread only (interrupt() is thread-safe)
    std::mutex mutex_;
    std::condition_variable ready_;
    std::deque<video::TimedFrame> queue_;  // guarded by mutex_
    std::string error_;                    // guarded by mutex_
    bool ended_ = false, stop_ = false;    // guarded by mutex_
    std::thread thread_;
    video::TimedFrame current_;  // reader (live loop) thread only
    OriginalConverter originals_;
};

}  // namespace

std::unique_ptr<LiveInput> openVideoInput(const SourceSpec& source)
{
    const video::SourceSpec spec = toVideoSpec(source);
    if (spec.live())
        return std::make_unique<CaptureInput>(spec);
    return std::make_unique<FileInput>(spec);
}

QList<SourceSpec> listCameras()
{
    QList<SourceSpec> list;
    try {
        for (const video::CameraInfo& c : video::listCameras())
            list.append({SourceKind::Camera, QString::fromStdString(c.device), QString::fromStdString(c.name)});
    } catch (const std::exception&) {
        // No camera subsystem is the same as no camera: the sample clip plays instead.
    }
    return list;
}

}  // namespace stylize::studio
