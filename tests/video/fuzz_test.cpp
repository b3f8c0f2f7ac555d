// Damaged inputs through demux → decode → stylize → encode: seeded byte flips and
// truncations of generated clips, for a fixed number of cases and a time limit. Every
// case must end in a result or one clean error naming a file; no crash, no hang.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <random>

#include "pipeline/export_job.h"
#include "video/video_test_support.h"

namespace stylize::test {
namespace {

namespace fs = std::filesystem;

std::string readBytes(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST(Fuzz, DamagedClipsFailCleanlyOrExportWhatDecodes)
{
    const std::string audio = " -f lavfi -i sine=sample_rate=22050";
    const std::vector<fs::path> seeds = {
        makeClip("fuzz.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30" + audio +
                                 " -t 0.5 -c:v libx264 -g 5 -c:a aac "
                                 "-movflags +faststart"),
        makeClip("fuzz.mkv", "-f lavfi -i testsrc2=size=96x64:rate=30" + audio +
                                 " -t 0.5 -c:v libx264 -g 5 -c:a "
                                 "libvorbis"),
        makeClip("fuzz.webm", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 0.5 -c:v libvpx-vp9 -deadline realtime"),
        makeClip("fuzz.avi", "-f lavfi -i testsrc2=size=96x64:rate=30" + audio + " -t 0.5 -c:v mpeg4 -c:a libmp3lame"),
    };
    std::vector<std::string> seedBytes;
    for (const fs::path& s : seeds)
        seedBytes.push_back(readBytes(s));

    std::mt19937 rng(20240521);
    constexpr int kCases = 48;
    constexpr double kBudgetSeconds = 150;
    const auto started = std::chrono::steady_clock::now();
    int completed = 0, damaged = 0, failed = 0, run = 0;
    for (int i = 0; i < kCases; ++i) {
        if (std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() > kBudgetSeconds)
            break;
        const std::size_t which = i % seeds.size();
        std::string bytes = seedBytes[which];
        const int kind = std::uniform_int_distribution<int>(0, 2)(rng);
        if (kind != 1) {  // flip bytes (past the first few, so some cases get past the header)
            const int flips = std::uniform_int_distribution<int>(1, 40)(rng);
            std::uniform_int_distribution<std::size_t> at(16, bytes.size() - 1);
            for (int f = 0; f < flips; ++f)
                bytes[at(rng)] = static_cast<char>(rng());
        }
        if (kind != 0)  // truncate
            bytes.resize(std::uniform_int_distribution<std::size_t>(1, bytes.size() - 1)(rng));
        const fs::path in = videoTempDir() / ("damaged_" + std::to_string(i) + seeds[which].extension().string());
        std::ofstream(in, std::ios::binary) << bytes;
        const fs::path out = videoTempDir() / ("damaged_out_" + std::to_string(i) + ".mkv");

        pipeline::ExportConfig config;
        config.input = in.string();
        config.output = out.string();
        config.preset = "ultrafast";
        const auto caseStart = std::chrono::steady_clock::now();
        ++run;
        try {
            pipeline::ExportJob job(config, tinyStylizer());
            const pipeline::ExportResult result = job.run();
            result.outcome == pipeline::ExportOutcome::Completed ? ++completed : ++damaged;
            EXPECT_GT(result.framesWritten, 0) << in;
            std::string errors;
            // The output must be a complete file (damaged frames may decode oddly, not fail).
            const std::optional<StreamFacts> v = findStream(probe(out), "video");
            ASSERT_TRUE(v) << in;
            EXPECT_EQ(v->frames, result.framesWritten) << in;
        } catch (const std::runtime_error& e) {
            ++failed;
            const std::string message = e.what();
            EXPECT_FALSE(message.empty());
            EXPECT_EQ(message.back(), '.') << message;
            EXPECT_TRUE(message.find(in.string()) != std::string::npos ||
                        message.find(out.string()) != std::string::npos)
                << "the message names the file: " << message;
            EXPECT_FALSE(fs::exists(out)) << "no half-written output after: " << message;
        }
        EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - caseStart).count(), 60)
            << in << " took too long";
    }
    std::printf("fuzz: %d cases, %d completed, %d with damage reported, %d clean errors\n", run, completed, damaged,
                failed);
    EXPECT_GE(run, 12);
}

}  // namespace
}  // namespace stylize::test
