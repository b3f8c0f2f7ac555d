// stylize-cli as users and scripts run it: progress, Ctrl-C, live recording (and a
// kill during it), devices, exit statuses and messages, and the fixture clips.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <filesystem>
#include <regex>
#include <sstream>
#include <thread>

#include "support/test_paths.h"
#include "video/video_test_support.h"

namespace stylize::test {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> cli(std::vector<std::string> args)
{
    args.insert(args.begin(), cliPath().string());
    return args;
}

TEST(Cli, ExportPrintsProgressLinesAndASummary)
{
    const fs::path in = makeClip("cli_in.mp4",
                                 "-f lavfi -i testsrc2=size=96x64:rate=30 -f lavfi -i "
                                 "sine=sample_rate=44100 -t 1 -c:v libx264 -c:a aac");
    const fs::path out = videoTempDir() / "cli_out.mp4";
    ChildProcess child(
        cli({"export", in.string(), out.string(), "--model", tinyModelPath().string(), "--processing", "64x48"}));
    ASSERT_EQ(child.wait(180), 0) << child.output();
    const std::string log = child.output();
    EXPECT_NE(log.find("progress: 100% (30/30 frames)"), std::string::npos) << log;
    EXPECT_NE(log.find("30 frames"), std::string::npos) << log;
    EXPECT_NE(log.find("audio copied (aac)"), std::string::npos) << log;

    // Two frames in flight (the GPU default; lavapipe's is one): the same frames.
    const fs::path two = videoTempDir() / "cli_out_in_flight.mp4";
    ChildProcess pipelined(cli({"export", in.string(), two.string(), "--model", tinyModelPath().string(),
                                "--processing", "64x48", "--in-flight", "2"}));
    ASSERT_EQ(pipelined.wait(180), 0) << pipelined.output();
    const auto md5 = [](const fs::path& f) {
        return shellOutput("ffmpeg -v error -i '" + f.string() + "' -map 0:v -f framemd5 - | grep -v '^#'");
    };
    EXPECT_EQ(md5(two), md5(out));
    ChildProcess tooDeep(cli({"export", in.string(), two.string(), "--in-flight", "3"}));
    EXPECT_EQ(tooDeep.wait(60), 2) << tooDeep.output();
}

TEST(Cli, CtrlCStopsTheExportAndSaysWhatBecameOfTheOutput)
{
    const fs::path in = makeClip("cli_long.mp4",
                                 "-f lavfi -i testsrc2=size=96x64:rate=30 -f lavfi -i "
                                 "sine=sample_rate=44100 -t 40 -c:v libx264 -preset ultrafast -c:a aac");
    const fs::path out = videoTempDir() / "cli_interrupted.mp4";
    ChildProcess child(
        cli({"export", in.string(), out.string(), "--model", tinyModelPath().string(), "--processing", "64x48"}));
    // Wait until frames are flowing, then interrupt like a user at the terminal.
    ASSERT_TRUE(child.waitForOutput(R"(progress: \d+% \([1-9]\d*/)", 120)) << child.output();
    child.signal(SIGINT);
    const int status = child.wait(60);
    const std::string log = child.output();
    ASSERT_EQ(status, 130) << log;
    std::smatch m;
    ASSERT_TRUE(
        std::regex_search(log, m, std::regex(R"(Export stopped after (\d+) of \d+ frames: .* holds the first)")))
        << log;
    const long frames = std::stol(m[1]);
    EXPECT_GT(frames, 0);
    EXPECT_LT(frames, 1200);
    const std::optional<StreamFacts> v = findStream(probe(out), "video");
    ASSERT_TRUE(v) << log;
    EXPECT_EQ(v->frames, frames);
    EXPECT_TRUE(playsCleanly(out));
}

TEST(Cli, LiveThreeSecondsOfTheTestPatternIsAbout90FramesAndReportsDrops)
{
    const fs::path out = videoTempDir() / "live.mkv";
    ChildProcess child(cli({"live", "--source", "testsrc", "--record", out.string(), "--seconds", "3", "--model",
                            tinyModelPath().string(), "--processing", "64x48", "--size", "320x240"}));
    ASSERT_EQ(child.wait(120), 0) << child.output();
    const std::string log = child.output();
    std::smatch m;
    ASSERT_TRUE(std::regex_search(
        log, m,
        std::regex(R"((\d+) frames captured.*dropped (\d+) before the stylizer and (\d+) before the recorder)")))
        << log;
    const long captured = std::stol(m[1]);
    EXPECT_GE(captured, 85);
    EXPECT_LE(captured, 92);
    const std::optional<StreamFacts> v = findStream(probe(out), "video");
    ASSERT_TRUE(v) << log;
    // Whatever was dropped is reported; what was recorded is the rest.
    EXPECT_EQ(v->frames, captured - std::stol(m[2]) - std::stol(m[3])) << log;
    EXPECT_GE(v->frames, 45) << "the tiny model should keep up with most frames: " << log;
    EXPECT_NEAR(v->duration, 3.0, 0.2);
    EXPECT_TRUE(playsCleanly(out));
}

TEST(Cli, LiveWithTwoFramesInFlightRecordsWhatExportMakesOfEachFrame)
{
    // Lossless H.264 (CRF 0) on both sides, so a recorded frame is the engine's own YUV:
    // every frame recorded two deep is one of the export's frames of the same clip, in
    // order (the live path may drop frames, never mix them up). At 160x120 the network
    // is slower than the clip's 30 fps here, so frames wait and two go in flight. A file
    // waits for the live warm-up (its first frame): before, a short clip was over by then.
    const fs::path in = makeClip("live_flight.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 2 -c:v libx264");
    const fs::path exported = videoTempDir() / "live_flight_export.mkv";
    const fs::path recorded = videoTempDir() / "live_flight_live.mkv";
    const std::string model = tinyModelPath().string();
    ChildProcess ex(cli({"export", in.string(), exported.string(), "--model", model, "--processing", "160x120",
                         "--codec", "h264", "--crf", "0"}));
    ASSERT_EQ(ex.wait(180), 0) << ex.output();
    ChildProcess live(cli({"live", "--source", in.string(), "--record", recorded.string(), "--model", model,
                           "--processing", "160x120", "--codec", "h264", "--crf", "0", "--in-flight", "2"}));
    ASSERT_EQ(live.wait(180), 0) << live.output();
    const auto md5s = [](const fs::path& f) {
        std::vector<std::string> sums;
        std::istringstream lines(
            shellOutput("ffmpeg -v error -i '" + f.string() + "' -map 0:v -f framemd5 - | grep -v '^#'"));
        for (std::string line; std::getline(lines, line);)
            sums.push_back(line.substr(line.rfind(',') + 1));
        return sums;
    };
    const std::vector<std::string> all = md5s(exported), got = md5s(recorded);
    ASSERT_EQ(all.size(), 60u);
    EXPECT_GE(got.size(), 10u) << live.output();
    auto at = all.begin();
    for (std::size_t i = 0; i < got.size(); ++i) {
        at = std::find(at, all.end(), got[i]);
        ASSERT_NE(at, all.end()) << "recorded frame " << i << " is none of the export's frames (in order)";
    }
    ChildProcess tooDeep(cli({"live", "--source", "testsrc", "--seconds", "1", "--in-flight", "3"}));
    EXPECT_EQ(tooDeep.wait(60), 2) << tooDeep.output();
}

TEST(Cli, ARecordingSurvivesAKill)
{
    for (const char* ext : {"mp4", "mkv"}) {
        const fs::path out = videoTempDir() / (std::string("killed.") + ext);
        ChildProcess child(cli({"live", "--source", "testsrc", "--record", out.string(), "--seconds", "60", "--model",
                                tinyModelPath().string(), "--processing", "64x48", "--size", "160x120"}));
        // Let it record a few seconds past the warm-up, then kill it without warning.
        ASSERT_TRUE(child.waitForOutput(R"(live: 3\.)", 60)) << child.output();
        child.signal(SIGKILL);
        child.wait(10);
        const std::optional<StreamFacts> v = findStream(probe(out), "video");
        ASSERT_TRUE(v) << ext << ": " << child.output();
        EXPECT_GE(v->frames, 30) << ext;
        std::string errors;
        EXPECT_TRUE(playsCleanly(out, &errors)) << ext << ": " << errors;
    }
}

TEST(Cli, CtrlCInLiveExits130AndARecordingWithoutFramesLeavesNoFile)
{
    // During the warm-up (the bundled pack's first 1280x720 frame takes seconds on a CPU
    // driver): nothing recorded, so no file (not an empty one).
    const fs::path early = videoTempDir() / "live_ctrl_c_early.mp4";
    fs::remove(early);
    {
        ChildProcess child(cli({"live", "--source", "testsrc", "--record", early.string(), "--seconds", "60",
                                "--processing", "1280x720"}));
        const auto warming = std::chrono::steady_clock::now() + std::chrono::seconds(60);
        while (child.output().find("warming up") == std::string::npos && std::chrono::steady_clock::now() < warming)
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        child.signal(SIGINT);
        EXPECT_EQ(child.wait(60), 130) << child.output();
        EXPECT_NE(child.output().find("Nothing was recorded"), std::string::npos) << child.output();
    }
    EXPECT_FALSE(fs::exists(early));
    // Once frames flow: exit 130 and the recording plays.
    const fs::path late = videoTempDir() / "live_ctrl_c_late.mp4";
    ChildProcess child(cli({"live", "--source", "testsrc", "--record", late.string(), "--seconds", "60", "--model",
                            tinyModelPath().string(), "--processing", "64x48", "--size", "160x120"}));
    ASSERT_TRUE(child.waitForOutput(R"(live: 2\.)", 60)) << child.output();
    child.signal(SIGINT);
    EXPECT_EQ(child.wait(60), 130) << child.output();
    EXPECT_TRUE(playsCleanly(late)) << child.output();
}

TEST(Cli, ARecordingOnAFullDiskStopsTheSessionWithTheReason)
{
    if (!fs::exists("/dev/full"))
        GTEST_SKIP() << "no /dev/full";
    const fs::path full = videoTempDir() / "live_full_disk.mkv";
    fs::remove(full);
    fs::create_symlink("/dev/full", full);
    for (const char* seconds : {"60", "0"}) {  // with --seconds and without (0: until stopped)
        const auto start = std::chrono::steady_clock::now();
        ChildProcess child(cli({"live", "--source", "testsrc", "--record", full.string(), "--seconds", seconds,
                                "--model", tinyModelPath().string(), "--processing", "64x48"}));
        const int status = child.wait(120);
        const double took = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        EXPECT_EQ(status, 1) << child.output();
        EXPECT_NE(child.output().find("disk is full"), std::string::npos) << child.output();
        // It used to wait out --seconds (or never end) with the capture still running; the
        // bound leaves room for a ThreadSanitizer build on a loaded machine (34 s seen).
        EXPECT_LT(took, 50) << "--seconds " << seconds << ": " << child.output();
    }
}

TEST(Cli, DevicesListsVulkanDevicesCamerasAndTheTestPattern)
{
    ChildProcess child(cli({"devices"}));
    child.wait(60);
    const std::string log = child.output();
    EXPECT_NE(log.find("Vulkan devices:"), std::string::npos) << log;
    EXPECT_NE(log.find("Cameras"), std::string::npos) << log;
    EXPECT_NE(log.find("testsrc"), std::string::npos) << log;
}

TEST(Cli, FailuresExitNonZeroWithOneSentence)
{
    const fs::path dir = videoTempDir();
    const std::string model = tinyModelPath().string();
    struct Case {
        std::vector<std::string> args;
        std::string expected;
    };
    const std::vector<Case> cases = {
        {{"export", (dir / "nope.mp4").string(), (dir / "o.mp4").string(), "--model", model}, "nope.mp4"},
        {{"export", (dir / "nope.mp4").string(), (dir / "o.mp4").string(), "--model", model, "--codec", "mpeg2"},
         "--codec"},
        {{"live", "--source", "/dev/video9", "--seconds", "1", "--model", model}, "/dev/video9"},
        {{"live", "--source", "No Such Camera", "--seconds", "1", "--model", model}, "No Such Camera"},
        {{"live", "--source", "lavfi:nosuchfilter=1", "--seconds", "1", "--model", model}, "nosuchfilter"},
    };
    for (const Case& c : cases) {
        ChildProcess child(cli(c.args));
        const int status = child.wait(60);
        const std::string log = child.output();
        EXPECT_NE(status, 0) << log;
        EXPECT_GT(status, 0) << "no crash or hang: " << log;
        EXPECT_LT(status, 128) << log;
        EXPECT_NE(log.find(c.expected), std::string::npos) << log;
        EXPECT_EQ(std::count(log.begin(), log.end(), '\n'), 1) << "one line: " << log;
    }
}

// The mean luma (0..255) of each frame of `media` after `filters` (FFmpeg's signalstats
// YAVG), averaged; -1 when FFmpeg printed none.
double meanYavg(const fs::path& media, const std::string& filters = "")
{
    std::istringstream lines(shellOutput("ffmpeg -v error -i '" + media.string() + "' -vf " + filters +
                                         "signalstats,metadata=mode=print:key=lavfi.signalstats.YAVG:file=/dev/stdout "
                                         "-f null - 2>&1 | sed -n 's/.*YAVG=//p'"));
    double sum = 0, value = 0;
    int count = 0;
    while (lines >> value)
        sum += value, ++count;
    return count > 0 ? sum / count : -1.0;
}

// The bundled pack paints a dim scene as brightly as a day (its instance norms take out
// the input's exposure); --scene-light 1 gives the painted frame the scene's mean luma.
TEST(Cli, SceneLightKeepsADimSceneDim)
{
    const fs::path dir = videoTempDir();
    const fs::path dim = dir / "dim_bars.png";
    ASSERT_EQ(shellOutput("ffmpeg -v error -y -f lavfi -i 'smptebars=size=96x64,lutrgb=r=val/4:g=val/4:b=val/4' "
                          "-frames:v 1 '" +
                          dim.string() + "' && echo ok"),
              "ok\n");
    const auto render = [&](const fs::path& out, std::vector<std::string> extra) {
        std::vector<std::string> args = {"image", dim.string(), out.string(), "--style", "starry"};
        args.insert(args.end(), extra.begin(), extra.end());
        ChildProcess child(cli(args));
        EXPECT_EQ(child.wait(300), 0) << child.output();
    };
    render(dir / "dim_painted.png", {});
    render(dir / "dim_lit.png", {"--scene-light", "1"});
    render(dir / "dim_half.png", {"--scene-light", "0.5"});
    const double scene = meanYavg(dim), painted = meanYavg(dir / "dim_painted.png"), lit = meanYavg(dir / "dim_lit.png"),
                 half = meanYavg(dir / "dim_half.png");
    ASSERT_GT(scene, 0.0);
    EXPECT_GT(painted, scene + 30) << "the style alone lights the scene up";
    EXPECT_NEAR(lit, scene, 3.0);
    EXPECT_GT(half, lit + 5);
    EXPECT_LT(half, painted - 5);

    ChildProcess bad(cli({"image", dim.string(), (dir / "dim_bad.png").string(), "--scene-light", "2"}));
    EXPECT_GT(bad.wait(60), 0) << bad.output();
    EXPECT_NE(bad.output().find("--scene-light expects a number from 0 to 1, got '2'"), std::string::npos)
        << bad.output();
    EXPECT_FALSE(fs::exists(dir / "dim_bad.png"));
}

// A still scene under camera noise: the style repaints the noise every frame; --steady 1
// keeps the still scene's strokes. Measured by FFmpeg's own filters on lossless exports:
// the mean luma difference of consecutive frames (tblend difference, signalstats YAVG).
TEST(Cli, SteadyCalmsTheFlickerOfAStillNoisyScene)
{
    const fs::path dir = videoTempDir();
    const fs::path noisy = dir / "noisy_bars.mkv";
    ASSERT_EQ(shellOutput("ffmpeg -v error -y -f lavfi -i 'smptebars=size=96x64:rate=10,noise=alls=5:allf=t' "
                          "-frames:v 8 -c:v ffv1 '" +
                          noisy.string() + "' && echo ok"),
              "ok\n");
    // The mean luma difference of consecutive frames.
    const auto flicker = [](const fs::path& clip) { return meanYavg(clip, "tblend=all_mode=difference,"); };
    const auto exportClip = [&](const fs::path& out, const std::string& steady) {
        ChildProcess child(cli({"export", noisy.string(), out.string(), "--style", "starry", "--crf", "0", "--steady",
                                steady}));
        EXPECT_EQ(child.wait(300), 0) << child.output();
    };
    exportClip(dir / "noisy_plain.mkv", "0");
    exportClip(dir / "noisy_steady.mkv", "1");
    const double plain = flicker(dir / "noisy_plain.mkv"), steady = flicker(dir / "noisy_steady.mkv");
    ASSERT_GT(plain, 1.0) << "the style repaints the noise";
    EXPECT_LT(steady, 0.6 * plain) << "plain " << plain << ", steady " << steady;

    ChildProcess bad(cli({"export", noisy.string(), (dir / "noisy_bad.mkv").string(), "--steady", "2"}));
    EXPECT_GT(bad.wait(60), 0) << bad.output();
    EXPECT_NE(bad.output().find("--steady expects a number from 0 to 1, got '2'"), std::string::npos) << bad.output();
    EXPECT_FALSE(fs::exists(dir / "noisy_bad.mkv"));
}

// Any picture as a style: Magenta's arbitrary-style folder with --style-image.
TEST(Cli, PicturesAsStylesThroughMagentasModel)
{
    STYLIZE_REQUIRE_FIXTURES();
    const fs::path magenta = fixturesDir() / "models" / "magenta-arbitrary";
    const fs::path styles = fixturesDir().parent_path() / "training" / "styles";
    const fs::path chicago = fixturesDir() / "images" / "chicago.jpg";
    const fs::path dir = videoTempDir();
    const auto render = [&](const std::string& pictures, const fs::path& out, const std::string& strength = "1") {
        ChildProcess child(cli({"image", chicago.string(), out.string(), "--model", magenta.string(), "--style-image",
                                pictures, "--size", "96x64", "--precision", "fp32", "--strength", strength}));
        // A hang guard: Magenta's predictor runs on the CPU, minutes under ThreadSanitizer.
        EXPECT_EQ(child.wait(600), 0) << child.output();
        return child.output();
    };
    const std::string starry = (styles / "starry_night.jpg").string(), wave = (styles / "GreatWave.png").string();
    const std::string log = render(starry, dir / "pic_starry.png");
    EXPECT_NE(log.find("starry_night"), std::string::npos) << log;
    render(wave, dir / "pic_wave.png");
    render(starry + "=1," + wave + "=1", dir / "pic_blend.png");
    const auto bytes = [](const fs::path& f) { return fs::file_size(f); };
    ASSERT_TRUE(fs::exists(dir / "pic_starry.png") && fs::exists(dir / "pic_wave.png"));
    EXPECT_NE(shellOutput("cmp -s '" + (dir / "pic_starry.png").string() + "' '" + (dir / "pic_wave.png").string() +
                          "' || echo differ"),
              "")
        << "two pictures gave the same render";
    EXPECT_GT(bytes(dir / "pic_blend.png"), 0u);

    // Strength for pictures mixes the picture's vector with the content's own (the
    // predictor on the frame): the same as giving the frame itself as a second picture.
    render(wave, dir / "pic_wave_half.png", "0.5");
    render(wave + "=0.5," + chicago.string() + "=0.5", dir / "pic_wave_chicago.png");
    const auto same = [&](const fs::path& a, const fs::path& b) {
        return shellOutput("cmp -s '" + a.string() + "' '" + b.string() + "' && echo same") != "";
    };
    EXPECT_TRUE(same(dir / "pic_wave_half.png", dir / "pic_wave_chicago.png"));
    EXPECT_FALSE(same(dir / "pic_wave_half.png", dir / "pic_wave.png"));

    // Without pictures, and with a missing one: one sentence that says what to do.
    for (const auto& [args, expected] : std::vector<std::pair<std::vector<std::string>, std::string>>{
             {{"image", chicago.string(), (dir / "x.png").string(), "--model", magenta.string()}, "--style-image"},
             {{"image", chicago.string(), (dir / "x.png").string(), "--model", magenta.string(), "--style-image",
               (dir / "no_such_picture.jpg").string()},
              "no_such_picture.jpg"},
             {{"image", chicago.string(), (dir / "x.png").string(), "--style-image", starry}, "--model DIR"}}) {
        ChildProcess child(cli(args));
        const int status = child.wait(60);
        EXPECT_GT(status, 0) << child.output();
        EXPECT_LT(status, 128) << child.output();
        EXPECT_NE(child.output().find(expected), std::string::npos) << child.output();
    }
}

TEST(Cli, AnImageToAFullDiskSaysSoAndLeavesTheDeviceAlone)
{
    if (!fs::is_character_file("/dev/full"))
        GTEST_SKIP() << "no /dev/full";
    const fs::path dir = videoTempDir();
    const fs::path in = dir / "still_in.png";
    ASSERT_EQ(shell("ffmpeg -v error -y -f lavfi -i testsrc2=size=64x48 -frames:v 1 '" + in.string() + "'"), 0);
    const fs::path out = dir / "still_full.png";
    fs::remove(out);
    fs::create_symlink("/dev/full", out);
    ChildProcess child(cli({"image", in.string(), out.string(), "--model", tinyModelPath().string()}));
    EXPECT_EQ(child.wait(60), 1) << child.output();
    EXPECT_NE(child.output().find("disk is full"), std::string::npos) << child.output();
    // Written in place: a temporary file renamed over the link's target would have
    // replaced the device node itself (as root it did).
    EXPECT_TRUE(fs::is_character_file("/dev/full"));
    EXPECT_TRUE(fs::is_symlink(out));
}

TEST(Cli, EveryFixtureClipExportsAndPlays)
{
    STYLIZE_REQUIRE_FIXTURES();
    const fs::path videos = fixturesDir() / "videos";
    if (!fs::exists(videos))
        GTEST_SKIP() << videos << " not found";
    for (const auto& entry : fs::directory_iterator(videos)) {
        const fs::path in = entry.path();
        const fs::path out = videoTempDir() / ("fixture_" + in.stem().string() + ".mp4");
        ChildProcess child(cli({"export", in.string(), out.string(), "--model", tinyModelPath().string(), "--size",
                                "160x96", "--processing", "64x48", "--preset", "veryfast"}));
        const int status = child.wait(400);
        EXPECT_EQ(status, 0) << in << ": " << child.output();
        std::string errors;
        EXPECT_TRUE(playsCleanly(out, &errors)) << in << ": " << errors;
        const std::optional<StreamFacts> inVideo = findStream(probe(in), "video");
        const std::optional<StreamFacts> outVideo = findStream(probe(out), "video");
        ASSERT_TRUE(inVideo && outVideo) << in;
        EXPECT_EQ(outVideo->frames, inVideo->frames) << in;
        EXPECT_EQ(findStream(probe(in), "audio").has_value(), findStream(probe(out), "audio").has_value()) << in;
    }
}

}  // namespace
}  // namespace stylize::test
