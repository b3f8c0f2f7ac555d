// The app's recordings keep the colours the view shows: a known pattern recorded by
// LiveRecorder at SD and HD sizes, decoded by FFmpeg's own tool, within 2 levels.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include <QColor>
#include <QImage>
#include <QPainter>

#include "studio/live_recorder.h"

namespace stylize::studio {
namespace {

namespace fs = std::filesystem;

// Flat patches in a 4x2 grid: primaries, secondaries, a mid grey and a skin tone.
const std::array<QColor, 8> kPatches = {QColor(220, 30, 30),   QColor(30, 200, 40),  QColor(40, 50, 210),
                                        QColor(230, 220, 40),  QColor(40, 210, 220), QColor(210, 40, 200),
                                        QColor(128, 128, 128), QColor(224, 172, 140)};

QImage pattern(int w, int h)
{
    QImage img(w, h, QImage::Format_RGBA8888);
    QPainter p(&img);
    for (int i = 0; i < 8; ++i)
        p.fillRect(QRect((i % 4) * w / 4, (i / 4) * h / 2, w / 4 + 1, h / 2 + 1), kPatches[i]);
    return img;
}

// The last frame of `file` as FFmpeg's command line tool decodes it to RGB (the recorder
// may drop frames pushed faster than it encodes; every frame is the same pattern).
std::vector<std::uint8_t> decodeRgb(const fs::path& file, int w, int h)
{
    const fs::path raw = file.string() + ".rgb";
    const std::string cmd = "ffmpeg -v error -y -i '" + file.string() +
                            "' -sws_flags accurate_rnd+full_chroma_int+bitexact -f rawvideo -pix_fmt rgb24 '" + raw.string() + "'";
    EXPECT_EQ(std::system(cmd.c_str()), 0) << cmd;
    std::ifstream in(raw, std::ios::binary);
    std::vector<std::uint8_t> rgb((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::size_t frame = std::size_t(w) * h * 3;
    EXPECT_GE(rgb.size(), frame);
    EXPECT_EQ(rgb.size() % frame, 0u);
    if (rgb.size() < frame)
        return {};
    return std::vector<std::uint8_t>(rgb.end() - frame, rgb.end());
}

TEST(RecordingColours, WithinTwoLevelsOfTheViewAtSdAndHd)
{
    const fs::path dir = fs::temp_directory_path() / "stylize_recording_colours";
    fs::create_directories(dir);
    for (const auto& [w, h] : {std::pair{640, 360}, std::pair{1280, 720}}) {
        const fs::path file = dir / ("pattern_" + std::to_string(w) + ".mkv");
        fs::remove(file);
        const QImage view = pattern(w, h);
        {
            LiveRecorder recorder(QString::fromStdString(file.string()));
            for (int i = 0; i < 12; ++i)
                recorder.push(view, i * 33'333);
            recorder.finish();
        }
        const std::vector<std::uint8_t> rgb = decodeRgb(file, w, h);
        if (rgb.size() != std::size_t(w) * h * 3)
            continue;
        for (int i = 0; i < 8; ++i) {
            // The patch centre, away from chroma-subsampled edges.
            const int x = (i % 4) * w / 4 + w / 8, y = (i / 4) * h / 2 + h / 4;
            const std::uint8_t* p = &rgb[(std::size_t(y) * w + x) * 3];
            const QColor want = kPatches[i];
            const int worst = std::max({std::abs(p[0] - want.red()), std::abs(p[1] - want.green()),
                                        std::abs(p[2] - want.blue())});
            EXPECT_LE(worst, 2) << w << "x" << h << " patch " << i << ": recorded " << int(p[0]) << "," << int(p[1])
                                << "," << int(p[2]) << ", the view shows " << want.red() << "," << want.green()
                                << "," << want.blue();
        }
    }
}

}  // namespace
}  // namespace stylize::studio
