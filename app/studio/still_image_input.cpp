// The still-image live input: one decoded image repeated, paced like a 30 fps source.
#include <QFileInfo>
#include <QImageReader>

#include "image_io.h"
#include "studio/live_input.h"

namespace stylize::studio {
namespace {

class StillImageInput : public LiveInput {
public:
    explicit StillImageInput(const QString& path)
    {
        image_ = app::readImage(path.toStdString());
        original_ = QImage(image_.rgba.data(), image_.width, image_.height, image_.width * 4,
                           QImage::Format_RGBA8888)
                        .copy();
    }

    bool read(InputFrame& frame) override
    {
        frame.view = render::frameView(image_.view());
        frame.timestampUs = count_++ * 33333;
        frame.original = original_;
        return true;
    }
    bool rewind() override { return true; }
    bool isRealTime() const override { return false; }

private:
    render::Image image_;
    QImage original_;
    std::int64_t count_ = 0;
};

}  // namespace

bool isStillImage(const QString& path)
{
    const QByteArray format = QImageReader::imageFormat(path);
    return !format.isEmpty() && format != "gif";
}

std::unique_ptr<LiveInput> openStillImage(const QString& path) { return std::make_unique<StillImageInput>(path); }

}  // namespace stylize::studio
