// Still image I/O over QImage (Qt Gui, no widgets), converting to tight RGBA8.
#include "image_io.h"

#include <QImage>
#include <QImageReader>
#include <QFile>
#include <QSaveFile>

#include <cstring>
#include <system_error>

namespace stylize::app {

render::Image readImage(const std::filesystem::path& file)
{
    std::error_code ec;
    if (!std::filesystem::exists(file, ec))
        throw ImageFileError("Image '" + file.string() + "' does not exist");
    QImageReader reader(QString::fromStdString(file.string()));
    reader.setAutoTransform(true);  // honour EXIF orientation, as viewers do
    constexpr int kMaxSide = 16384;
    if (QSize s = reader.size(); s.isValid() && (s.width() > kMaxSide || s.height() > kMaxSide))
        throw ImageFileError("Image '" + file.string() + "' is " + std::to_string(s.width()) + "x" +
                             std::to_string(s.height()) + "; at most " + std::to_string(kMaxSide) +
                             " pixels per side are supported");
    QImage image = reader.read();
    if (image.isNull())
        throw ImageFileError("Cannot read image '" + file.string() + "': " + reader.errorString().toStdString());
    image = image.convertToFormat(QImage::Format_RGBA8888);
    render::Image out;
    out.width = image.width();
    out.height = image.height();
    out.rgba.resize(std::size_t(out.width) * out.height * 4);
    for (int y = 0; y < out.height; ++y)
        std::memcpy(out.rgba.data() + std::size_t(y) * out.width * 4, image.constScanLine(y), std::size_t(out.width) * 4);
    return out;
}

namespace {

// Why a write failed, in words: Qt says "Unknown error" for a full disk.
std::string writeFailure(const QFileDevice& out, const std::filesystem::path& file)
{
    std::error_code ec;
    const std::filesystem::path dir = file.has_parent_path() ? file.parent_path() : std::filesystem::path(".");
    const auto space = std::filesystem::space(dir, ec);
    if ((!ec && space.available < 256 * 1024) || out.error() == QFileDevice::ResourceError)
        return "the disk is full; free some space and try again (an existing file was left as it was)";
    const std::string qt = out.errorString().toStdString();
    return qt.empty() || qt == "Unknown error" ? "the write failed (" + std::to_string(int(out.error())) + ")" : qt;
}

}  // namespace

void writeImage(const render::Image& image, const std::filesystem::path& file)
{
    QImage q(image.rgba.data(), image.width, image.height, image.width * 4, QImage::Format_RGBA8888);
    std::string ext = file.extension().string();
    for (char& c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const char* format = ext == ".jpg" || ext == ".jpeg" ? "JPEG" : ext == ".bmp" ? "BMP" : ext == ".png" ? "PNG" : nullptr;
    if (!format)
        throw ImageFileError("Cannot write '" + file.string() + "': use a .png, .jpg or .bmp file name");
    const int quality = std::strcmp(format, "JPEG") == 0 ? 95 : -1;
    const QImage rgb = q.convertToFormat(QImage::Format_RGB888);
    // A device or FIFO (also through a link) is written in place: QSaveFile would put a
    // temporary file beside it and rename it over the device node.
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
        QFile out(QString::fromStdString(file.string()));
        if (!out.open(QIODevice::WriteOnly) || !rgb.save(&out, format, quality) || !out.flush())
            throw ImageFileError("Cannot write '" + file.string() + "': " + writeFailure(out, file));
        return;
    }
    // Otherwise through a temporary file renamed into place: a failure leaves an existing
    // file as it was.
    QSaveFile out(QString::fromStdString(file.string()));
    if (!out.open(QIODevice::WriteOnly))
        throw ImageFileError("Cannot write '" + file.string() + "': " + writeFailure(out, file));
    if (!rgb.save(&out, format, quality) || !out.commit())
        throw ImageFileError("Cannot write '" + file.string() + "': " + writeFailure(out, file));
}

}  // namespace stylize::app
