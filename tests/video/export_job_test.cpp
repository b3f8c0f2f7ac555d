// ExportJob end to end on clips made by ffmpeg: frame counts, durations, audio, VFR,
// rotation, codecs, damaged input, cancellation and failures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>

#include "model/loaders.h"
#include "pipeline/export_job.h"
#include "stylizer.h"
#include "vk/context.h"
#include "video/av_error.h"
#include "video/colour_pattern.h"
#include "video/video_test_support.h"

namespace stylize::test {
namespace {

namespace fs = std::filesystem;
using pipeline::ExportConfig;
using pipeline::ExportJob;
using pipeline::ExportOutcome;
using pipeline::ExportResult;

ExportResult exportClip(const fs::path& in, const fs::path& out, ExportConfig config = {})
{
    config.input = in.string();
    config.output = out.string();
    ExportJob job(config, tinyStylizer());
    return job.run();
}

std::string errorOf(const fs::path& in, const fs::path& out, ExportConfig config = {})
{
    try {
        exportClip(in, out, config);
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "(no error)";
}

struct ClipCase {
    const char* name;      // also the output's name
    std::string ffmpeg;    // input arguments for the clip
    double fps;            // nominal rate: durations must agree within one frame
    const char* outAudio;  // expected output audio codec ("" = none expected)
};

const std::string kTone = " -f lavfi -i sine=frequency=440:sample_rate=44100";
const std::string kNoise = " -f lavfi -i anoisesrc=sample_rate=48000:amplitude=0.1";

void PrintTo(const ClipCase& c, std::ostream* os)
{
    *os << c.name;
}

class ExportFormats : public ::testing::TestWithParam<ClipCase> {};

TEST_P(ExportFormats, KeepsEveryFrameTheDurationAndTheAudio)
{
    const ClipCase& c = GetParam();
    const fs::path in = makeClip(std::string("in_") + c.name, c.ffmpeg);
    ASSERT_TRUE(fs::exists(in));
    const fs::path out = videoTempDir() / (std::string("out_") + c.name);
    const ExportResult result = exportClip(in, out);
    EXPECT_EQ(result.outcome, ExportOutcome::Completed) << result.damage;

    const auto inStreams = probe(in), outStreams = probe(out);
    const std::optional<StreamFacts> inVideo = findStream(inStreams, "video");
    const std::optional<StreamFacts> outVideo = findStream(outStreams, "video");
    ASSERT_TRUE(inVideo && outVideo);
    EXPECT_EQ(outVideo->frames, inVideo->frames);
    EXPECT_EQ(result.framesWritten, inVideo->frames);
    EXPECT_NEAR(outVideo->duration, inVideo->duration, 1.0 / c.fps + 1e-3);
    EXPECT_EQ(outVideo->width % 2, 0);

    const std::optional<StreamFacts> inAudio = findStream(inStreams, "audio");
    const std::optional<StreamFacts> outAudio = findStream(outStreams, "audio");
    if (std::string(c.outAudio).empty()) {
        EXPECT_FALSE(outAudio.has_value());
    } else {
        ASSERT_TRUE(inAudio && outAudio) << "audio missing in " << out;
        EXPECT_EQ(outAudio->codec, c.outAudio);
        EXPECT_NEAR(outAudio->duration, inAudio->duration, 0.1);
    }
    std::string errors;
    EXPECT_TRUE(playsCleanly(out, &errors)) << errors;
}

INSTANTIATE_TEST_SUITE_P(
    Clips, ExportFormats,
    ::testing::Values(
        ClipCase{"h264_aac.mp4",
                 "-f lavfi -i testsrc2=size=160x120:rate=30 -f lavfi -i sine=sample_rate=44100 -t 1.5 "
                 "-c:v libx264 -c:a aac",
                 30, "aac"},
        ClipCase{"h264_vorbis.mkv",
                 ("-f lavfi -i testsrc2=size=160x120:rate=25" + kTone + " -t 1.2 -c:v libx264 -c:a libvorbis"), 25,
                 "vorbis"},
        // Vorbis, not Opus: FFmpeg's Matroska muxer shifts video by Opus's codec delay on
        // every remux (its own `-c copy` too), which its null-output check then flags.
        ClipCase{"vp9_vorbis.webm",
                 ("-f lavfi -i testsrc2=size=128x96:rate=24" + kNoise +
                  " -t 1.2 -c:v libvpx-vp9 -deadline realtime -c:a libvorbis"),
                 24, "vorbis"},
        ClipCase{"mpeg4_mp3.avi",
                 ("-f lavfi -i testsrc2=size=160x120:rate=15" + kTone + " -t 2 -c:v mpeg4 -c:a libmp3lame"), 15, "mp3"},
        ClipCase{"odd_97x61.mp4",
                 ("-f lavfi -i testsrc2=size=160x120:rate=30" + kTone +
                  " -t 1 -vf scale=97:61 -c:v libx264 -pix_fmt yuv444p -c:a aac"),
                 30, "aac"},
        ClipCase{"vfr.mkv",
                 ("-f lavfi -i testsrc2=size=160x120:rate=30" + kTone +
                  " -t 2 -vf select='lt(n\\,10)+gt(n\\,25)*lt(mod(n\\,7)\\,4)' -fps_mode vfr "
                  "-c:v libx264 -c:a aac"),
                 30, "aac"},
        ClipCase{"silent.mov", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264", 30, ""}),
    [](const auto& info) {
        std::string n = info.param.name;
        for (char& ch : n)
            if (!std::isalnum(static_cast<unsigned char>(ch)))
                ch = '_';
        return n;
    });

// The export's colours, decoded frame to encoder: the engine's shaders convert the
// decoded frame to RGB and the network's output to BT.709 limited-range YUV, which the
// file is tagged as. An identity network (a ReLU on 0..255) over a lossless RGB clip of
// the colour patterns must come out, as FFmpeg decodes it, within 2 levels at SD and HD
// (the recording's twin: LiveRecording.KeepsTheViewsColoursWithinTwoLevelsAtSdAndHd).
TEST(Export, KeepsThePatternsColoursWithinTwoLevelsAtSdAndHd)
{
    model::Model identity;
    identity.name = "identity";
    identity.styles.push_back({"identity"});
    identity.nodes.push_back({"relu", model::Relu{}, {0}, 1});
    identity.output = 1;
    static vk::Context context("");
    render::Stylizer stylizer(context, identity);
    for (const auto& [w, h] : {std::pair{640, 360}, std::pair{1280, 720}}) {
        const std::string size = std::to_string(w) + "x" + std::to_string(h);
        const fs::path raw = videoTempDir() / ("pattern_" + size + ".rgba");
        std::vector<std::uint8_t> rgba(std::size_t(w) * h * 4);
        paintPattern(rgba.data(), w * 4, w, h);
        std::ofstream(raw, std::ios::binary)
            .write(reinterpret_cast<const char*>(rgba.data()), std::streamsize(rgba.size()));
        const fs::path in = makeClip("pattern_in_" + size + ".mkv", "-f rawvideo -pix_fmt rgba -s " + size +
                                                                        " -r 30 -stream_loop 5 -i '" + raw.string() +
                                                                        "' -c:v ffv1 -pix_fmt bgr0");
        ExportConfig config;
        config.input = in.string();
        config.output = (videoTempDir() / ("pattern_out_" + size + ".mp4")).string();
        ExportJob job(config, [&](const render::FrameView& frame, const render::MutableFrameView& out) {
            stylizer.run(frame, {}, out);
        });
        EXPECT_EQ(job.run().outcome, ExportOutcome::Completed);
        const std::vector<std::uint8_t> rgb = decodeRgb(config.output, w, h);
        ASSERT_EQ(rgb.size(), std::size_t(w) * h * 3);
        std::string where;
        EXPECT_LE(worstPatchError(rgb, w, h, &where), 2) << size << ": " << where;
    }
}

TEST(Export, VariableFrameRateTimestampsComeThroughUnchanged)
{
    const fs::path in = makeClip("vfr_times.mkv",
                                 "-f lavfi -i testsrc2=size=96x64:rate=30 -t 2 "
                                 "-vf select='lt(n\\,8)+gt(n\\,30)*not(mod(n\\,4))' -fps_mode vfr -c:v libx264");
    const fs::path out = videoTempDir() / "vfr_times_out.mp4";
    exportClip(in, out);
    const auto a = frameTimes(in), b = frameTimes(out);
    ASSERT_EQ(a.size(), b.size());
    ASSERT_GT(a.size(), 10u);
    const double shift = b[0] - a[0];  // both start at their first frame
    for (std::size_t i = 0; i < a.size(); ++i)
        EXPECT_NEAR(b[i] - shift, a[i], 0.0015) << "frame " << i;
    EXPECT_GT(a[8] - a[7], 0.2);  // the gap really is there
}

TEST(Export, AudioTheContainerCannotHoldIsReencodedToAac)
{
    const fs::path in = makeClip(
        "vorbis_src.mkv", "-f lavfi -i testsrc2=size=96x64:rate=25" + kTone + " -t 1.2 -c:v libx264 -c:a libvorbis");
    const fs::path out = videoTempDir() / "vorbis_to.mp4";
    const ExportResult result = exportClip(in, out);
    EXPECT_NE(result.audio.find("re-encoded"), std::string::npos) << result.audio;
    const auto inStreams = probe(in), outStreams = probe(out);
    ASSERT_TRUE(findStream(outStreams, "audio"));
    EXPECT_EQ(findStream(outStreams, "audio")->codec, "aac");
    EXPECT_NEAR(findStream(outStreams, "audio")->duration, findStream(inStreams, "audio")->duration, 0.1);
    EXPECT_TRUE(playsCleanly(out));
}

TEST(Export, RotationMetadataIsHonoured)
{
    const fs::path plain = makeClip("unrotated.mp4", "-f lavfi -i testsrc2=size=160x96:rate=30 -t 0.5 -c:v libx264");
    const fs::path in = makeClip("rotated.mp4", "-i '" + plain.string() + "' -c copy -metadata:s:v:0 rotate=90");
    const fs::path out = videoTempDir() / "rotated_out.mp4";
    const ExportResult result = exportClip(in, out);
    EXPECT_EQ(result.inputSize, (render::Size{96, 160}));
    const std::optional<StreamFacts> v = findStream(probe(out), "video");
    ASSERT_TRUE(v);
    EXPECT_EQ(v->width, 96);
    EXPECT_EQ(v->height, 160);
}

TEST(Export, OtherCodecsSizesAndStreamsLeftOut)
{
    const fs::path srt = videoTempDir() / "subs.srt";
    std::ofstream(srt) << "1\n00:00:00,000 --> 00:00:00,500\nhello\n";
    const fs::path in =
        makeClip("with_subs.mkv", "-f lavfi -i testsrc2=size=160x120:rate=30" + kTone + " -i '" + srt.string() +
                                      "' -t 0.5 -map 0 -map 1 -map 2 -c:v libx264 "
                                      "-c:a aac -c:s srt");
    for (const char* codec : {"hevc", "vp9", "av1"}) {
        ExportConfig config;
        config.codec = codec;
        config.size = {128, 96};
        config.crf = 30;
        const fs::path out = videoTempDir() / (std::string("codec_") + codec + ".mkv");
        const ExportResult result = exportClip(in, out, config);
        EXPECT_EQ(result.outputSize, (render::Size{128, 96}));
        ASSERT_FALSE(result.notices.empty());
        EXPECT_NE(result.notices[0].find("subtitle"), std::string::npos) << result.notices[0];
        const auto streams = probe(out);
        EXPECT_EQ(streams.size(), 2u) << "the subtitle stream is left out";
        const std::optional<StreamFacts> v = findStream(streams, "video");
        ASSERT_TRUE(v) << codec;
        EXPECT_EQ(v->codec, codec);
        EXPECT_EQ(v->frames, 15);
        EXPECT_TRUE(playsCleanly(out)) << codec;
    }
    ExportConfig half;
    half.scale = 0.5;
    const ExportResult scaled = exportClip(in, videoTempDir() / "half.mp4", half);
    EXPECT_EQ(scaled.outputSize, (render::Size{80, 60}));
}

TEST(Export, TruncatedFileExportsWhatDecodesAndSaysSo)
{
    const fs::path whole =
        makeClip("whole.mkv", "-f lavfi -i testsrc2=size=160x120:rate=30" + kTone + " -t 3 -c:v libx264 -c:a aac");
    const fs::path cut = videoTempDir() / "cut.mkv";
    fs::copy_file(whole, cut, fs::copy_options::overwrite_existing);
    fs::resize_file(cut, fs::file_size(whole) / 2);
    const fs::path out = videoTempDir() / "cut_out.mp4";
    const ExportResult result = exportClip(cut, out);
    EXPECT_EQ(result.outcome, ExportOutcome::CompletedWithDamage);
    EXPECT_NE(result.damage.find(cut.string()), std::string::npos) << result.damage;
    EXPECT_GT(result.framesWritten, 10);
    EXPECT_LT(result.framesWritten, 90);
    EXPECT_EQ(findStream(probe(out), "video")->frames, result.framesWritten);
    EXPECT_TRUE(playsCleanly(out));

    // MP4 with its index at the end: nothing can be read, and nothing is written.
    const fs::path mp4 = makeClip("index_at_end.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264");
    const fs::path cutMp4 = videoTempDir() / "cut.mp4";
    fs::copy_file(mp4, cutMp4, fs::copy_options::overwrite_existing);
    fs::resize_file(cutMp4, fs::file_size(mp4) / 2);
    const fs::path out2 = videoTempDir() / "cut_mp4_out.mp4";
    const std::string error = errorOf(cutMp4, out2);
    EXPECT_NE(error.find(cutMp4.string()), std::string::npos) << error;
    EXPECT_NE(error.find("truncated"), std::string::npos) << error;
    EXPECT_FALSE(fs::exists(out2));
}

TEST(Export, CancelFinishesAPlayablePartialFile)
{
    const fs::path in =
        makeClip("cancel.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30" + kTone + " -t 4 -c:v libx264 -c:a aac");
    const fs::path out = videoTempDir() / "cancel_out.mkv";
    ExportConfig config;
    config.input = in.string();
    config.output = out.string();
    int calls = 0;
    auto slow = tinyStylizer();
    ExportJob* jobPtr = nullptr;
    ExportJob job(config, [&](const render::FrameView& a, const render::MutableFrameView& b) {
        slow(a, b);
        if (++calls == 20)
            jobPtr->cancel();  // from the stylize thread, mid-run
    });
    jobPtr = &job;
    const ExportResult result = job.run();
    EXPECT_EQ(result.outcome, ExportOutcome::Cancelled);
    EXPECT_GT(result.framesWritten, 0);
    EXPECT_LT(result.framesWritten, 120);
    EXPECT_EQ(findStream(probe(out), "video")->frames, result.framesWritten);
    EXPECT_TRUE(playsCleanly(out));
}

// The error of an export whose stylizer fails at the fifth frame ("" if none).
std::string failingExportError(const fs::path& in, const fs::path& out)
{
    ExportConfig config;
    config.input = in.string();
    config.output = out.string();
    int calls = 0;
    ExportJob job(config, [&](const render::FrameView&, const render::MutableFrameView&) {
        if (++calls == 5)
            throw std::runtime_error("The GPU went away.");
    });
    try {
        job.run();
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

TEST(Export, AFailingStageRemovesTheUnfinishedFile)
{
    const fs::path in = makeClip("fail.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264");
    const fs::path out = videoTempDir() / "fail_out.mp4";
    const std::string e = failingExportError(in, out);
    EXPECT_NE(e.find("The GPU went away."), std::string::npos) << e;
    EXPECT_NE(e.find("was removed"), std::string::npos) << e;
    EXPECT_FALSE(fs::exists(out));
}

std::string fileBytes(const fs::path& p)
{
    std::ifstream f(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

// Files in `dir` whose name holds ".partial-": what a write left behind.
int partialFiles(const fs::path& dir)
{
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        n += e.path().filename().string().find(".partial-") != std::string::npos;
    return n;
}

// Two frames in flight (render::Stylizer::submit/collect, as `stylize-cli export` runs)
// give the very frames of one at a time, in order; a failure with frames in flight stops
// the run with its sentence and leaves the engine with none.
TEST(Export, FramesInFlightGiveTheSameVideo)
{
    const fs::path in = makeClip("flight.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264");
    const fs::path one = videoTempDir() / "flight_one.mp4", two = videoTempDir() / "flight_two.mp4";
    exportClip(in, one);

    vk::Context context("");
    render::Stylizer stylizer(context, model::loadModel(tinyModelPath().string()));
    int submitted = 0, collected = 0;
    std::size_t mostInFlight = 0;
    pipeline::PipelinedStylize pipelined;
    pipelined.submit = [&](const render::FrameView& a, const render::MutableFrameView& b) {
        stylizer.submit(a, {64, 48}, b);
        ++submitted;
        mostInFlight = std::max(mostInFlight, stylizer.framesInFlight());
    };
    pipelined.collect = [&] {
        stylizer.collect();
        ++collected;
    };
    pipelined.depth = 2;
    ExportConfig config;
    config.input = in.string();
    config.output = two.string();
    const ExportResult result = ExportJob(config, pipelined).run();
    EXPECT_EQ(result.framesWritten, 30);
    EXPECT_EQ(submitted, 30);
    EXPECT_EQ(collected, 30);
    EXPECT_EQ(mostInFlight, 2u);
    const auto md5 = [](const fs::path& f) {
        return shellOutput("ffmpeg -v error -i '" + f.string() + "' -map 0:v -f framemd5 - | grep -v '^#'");
    };
    const std::string expected = md5(one);
    EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 29);
    EXPECT_EQ(md5(two), expected);

    int calls = 0;
    pipelined.submit = [&](const render::FrameView& a, const render::MutableFrameView& b) {
        if (++calls == 7)
            throw std::runtime_error("The GPU went away.");
        stylizer.submit(a, {64, 48}, b);
    };
    config.output = (videoTempDir() / "flight_fail.mp4").string();
    try {
        ExportJob(config, pipelined).run();
        ADD_FAILURE() << "the export did not fail";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("The GPU went away."), std::string::npos) << e.what();
    }
    EXPECT_EQ(stylizer.framesInFlight(), 0u);
    EXPECT_FALSE(fs::exists(config.output));
}

TEST(Export, AFailedExportLeavesAnExistingOutputAsItWas)
{
    const fs::path in = makeClip("keep_in.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264");
    const fs::path dir = videoTempDir() / "keep";
    fs::create_directories(dir);
    const fs::path out = dir / "precious.mp4";
    std::ofstream(out, std::ios::binary) << "an earlier export the user wants to keep";
    const std::string e = failingExportError(in, out);
    EXPECT_NE(e.find("is unchanged"), std::string::npos) << e;
    EXPECT_EQ(fileBytes(out), "an earlier export the user wants to keep");
    EXPECT_EQ(partialFiles(dir), 0);

    // A finished export replaces it, and a link to it stays a link.
    const fs::path link = dir / "link.mp4";
    fs::create_symlink(out, link);
    const ExportResult r = exportClip(in, link);
    EXPECT_EQ(r.outcome, ExportOutcome::Completed);
    EXPECT_TRUE(fs::is_symlink(link));
    EXPECT_TRUE(playsCleanly(out));
    EXPECT_EQ(partialFiles(dir), 0);
}

TEST(Export, RefusesToWriteOverItsOwnInput)
{
    const fs::path in = makeClip("self.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 1 -c:v libx264");
    const std::string before = fileBytes(in);
    const fs::path link = videoTempDir() / "self_link.mp4";
    fs::remove(link);
    fs::create_symlink(in, link);
    const fs::path dotted = in.parent_path() / "." / in.filename();
    for (const fs::path& out : {in, link, dotted}) {
        const std::string e = errorOf(in, out);
        EXPECT_NE(e.find("is the input"), std::string::npos) << out << ": " << e;
        EXPECT_NE(e.find("Choose another output file"), std::string::npos) << e;
    }
    EXPECT_EQ(fileBytes(in), before);
}

TEST(Export, BadInputsAndOutputsAreOneClearSentence)
{
    const fs::path good = makeClip("good.mp4", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 0.3 -c:v libx264");
    const fs::path dir = videoTempDir();

    std::string e = errorOf(dir / "missing.mp4", dir / "x.mp4");
    EXPECT_NE(e.find("missing.mp4"), std::string::npos) << e;
    EXPECT_NE(e.find("no such file"), std::string::npos) << e;
    EXPECT_FALSE(fs::exists(dir / "x.mp4"));

    std::ofstream(dir / "text.mp4") << "not a video at all";
    e = errorOf(dir / "text.mp4", dir / "x.mp4");
    EXPECT_NE(e.find("text.mp4"), std::string::npos) << e;

    e = errorOf(good, dir / "no" / "such" / "folder.mp4");
    EXPECT_NE(e.find("folder does not exist"), std::string::npos) << e;

    // procfs answers root's new file with ENOENT (another user's with EACCES), though the
    // folder is there: the sentence must not say it is missing.
    e = errorOf(good, "/proc/stylize-export.mp4");
    EXPECT_NE(e.find("Cannot create /proc/stylize-export.mp4: "), std::string::npos) << e;
    EXPECT_EQ(e.find("does not exist"), std::string::npos) << e;

    e = errorOf(good, dir / "x.unknownext");
    EXPECT_NE(e.find("x.unknownext"), std::string::npos) << e;

    ExportConfig h264InWebm;
    h264InWebm.codec = "h264";
    e = errorOf(good, dir / "x.webm", h264InWebm);
    EXPECT_NE(e.find("cannot hold H.264"), std::string::npos) << e;
    EXPECT_FALSE(fs::exists(dir / "x.webm"));

    // A full disk: /dev/full fails every write with ENOSPC.
    if (fs::exists("/dev/full")) {
        const fs::path full = dir / "full.mkv";
        fs::create_symlink("/dev/full", full);
        e = errorOf(good, full);
        EXPECT_NE(e.find("disk is full"), std::string::npos) << e;
        EXPECT_TRUE(fs::exists("/dev/full"));  // never removes what is not a regular file
    }

    // A codec FFmpeg does not know (the Matroska codec ID patched).
    const fs::path mkv = makeClip("known.mkv", "-f lavfi -i testsrc2=size=96x64:rate=30 -t 0.3 -c:v libx264");
    std::ifstream src(mkv, std::ios::binary);
    std::string bytes((std::istreambuf_iterator<char>(src)), std::istreambuf_iterator<char>());
    const auto at = bytes.find("V_MPEG4/ISO/AVC");
    ASSERT_NE(at, std::string::npos);
    bytes.replace(at, 15, "V_MPEG4/ISO/XYZ");
    std::ofstream(dir / "unknown_codec.mkv", std::ios::binary) << bytes;
    e = errorOf(dir / "unknown_codec.mkv", dir / "x.mp4");
    EXPECT_NE(e.find("codec"), std::string::npos) << e;
    EXPECT_NE(e.find("unknown_codec.mkv"), std::string::npos) << e;
}

}  // namespace
}  // namespace stylize::test
