// Video test helpers: ffmpeg/ffprobe through the shell, the tiny stylizer, children.
#include "video/video_test_support.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <regex>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "model/loaders.h"
#include "stylizer.h"
#include "support/test_paths.h"
#include "vk/context.h"

namespace stylize::test {
namespace fs = std::filesystem;

fs::path videoTempDir()
{
    static const fs::path dir = [] {
        fs::path d = fs::temp_directory_path() / ("stylize-video-tests-" + std::to_string(::getpid()));
        fs::create_directories(d);
        static struct Cleanup {
            fs::path path;
            ~Cleanup()
            {
                if (std::getenv("STYLIZE_KEEP_TEST_FILES"))  // for looking at a failure
                    return;
                std::error_code ec;
                fs::remove_all(path, ec);
            }
        } cleanup{d};
        return d;
    }();
    return dir;
}

int shell(const std::string& command)
{
    const int status = std::system(command.c_str());
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::string shellOutput(const std::string& command)
{
    std::string out;
    std::FILE* pipe = ::popen(command.c_str(), "r");
    if (!pipe)
        return out;
    char buffer[4096];
    std::size_t n;
    while ((n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0)
        out.append(buffer, n);
    ::pclose(pipe);
    return out;
}

fs::path makeClip(const std::string& name, const std::string& args)
{
    const fs::path path = videoTempDir() / name;
    const std::string command = "ffmpeg -nostdin -y -v error " + args + " '" + path.string() + "' 2>&1";
    const std::string out = shellOutput(command);
    EXPECT_TRUE(fs::exists(path)) << command << "\n" << out;
    return path;
}

std::vector<StreamFacts> probe(const fs::path& file)
{
    const std::string out = shellOutput(
        "ffprobe -v error -count_frames -show_entries "
        "stream=codec_type,codec_name,width,height,nb_read_frames,nb_read_packets,duration,start_time -of compact '" +
        file.string() + "' 2>/dev/null");
    std::vector<StreamFacts> streams;
    std::istringstream lines(out);
    std::string line;
    while (std::getline(lines, line)) {
        if (line.rfind("stream|", 0) != 0)
            continue;
        std::map<std::string, std::string> kv;
        std::istringstream fields(line.substr(7));
        std::string field;
        while (std::getline(fields, field, '|'))
            if (auto eq = field.find('='); eq != std::string::npos)
                kv[field.substr(0, eq)] = field.substr(eq + 1);
        StreamFacts s;
        s.type = kv["codec_type"];
        s.codec = kv["codec_name"];
        s.width = std::atoi(kv["width"].c_str());
        s.height = std::atoi(kv["height"].c_str());
        s.frames = std::atol((s.type == "video" ? kv["nb_read_frames"] : kv["nb_read_packets"]).c_str());
        s.duration = std::atof(kv["duration"].c_str());
        streams.push_back(s);
    }
    // Matroska/WebM store no stream durations: measure from packet timestamps.
    for (StreamFacts& s : streams) {
        if (s.duration > 0)
            continue;
        const std::string sel = s.type == "video" ? "v:0" : "a:0";
        const std::string times =
            shellOutput("ffprobe -v error -select_streams " + sel +
                        " -show_entries packet=pts_time,duration_time -of csv=p=0 '" + file.string() + "' 2>/dev/null");
        double first = 1e30, last = 0;
        std::istringstream rows(times);
        std::string row;
        while (std::getline(rows, row)) {
            const auto comma = row.find(',');
            const double pts = std::atof(row.substr(0, comma).c_str());
            const double dur = comma == std::string::npos ? 0 : std::atof(row.substr(comma + 1).c_str());
            first = std::min(first, pts);
            last = std::max(last, pts + dur);
        }
        if (last > 0)
            s.duration = last - std::min(first, last);
    }
    return streams;
}

std::optional<StreamFacts> findStream(const std::vector<StreamFacts>& streams, const std::string& type)
{
    for (const StreamFacts& s : streams)
        if (s.type == type)
            return s;
    return std::nullopt;
}

std::vector<double> frameTimes(const fs::path& file)
{
    const std::string out =
        shellOutput("ffprobe -v error -select_streams v:0 -show_entries frame=pts_time -of csv=p=0 '" + file.string() +
                    "' 2>/dev/null");
    std::vector<double> times;
    std::istringstream rows(out);
    std::string row;
    while (std::getline(rows, row))
        if (!row.empty())
            times.push_back(std::atof(row.c_str()));
    return times;
}

bool playsCleanly(const fs::path& file, std::string* errors)
{
    const std::string out =
        shellOutput("ffmpeg -nostdin -v error -i '" + file.string() + "' -f null - 2>&1; echo \"exit=$?\"");
    if (errors)
        *errors = out;
    return out == "exit=0\n";
}

fs::path tinyModelPath()
{
    return dataDir() / "model" / "transformer_small.onnx";
}

fs::path cliPath()
{
    return STYLIZE_CLI_PATH;
}

pipeline::StylizeFunction tinyStylizer(int processingWidth, int processingHeight)
{
    // One device and stylizer for the whole binary: building them takes seconds.
    struct Engine {
        vk::Context context{""};
        render::Stylizer stylizer{context, model::loadModel(tinyModelPath().string())};
    };
    static Engine engine;
    const render::Size processing{processingWidth, processingHeight};
    return [processing](const render::FrameView& in, const render::MutableFrameView& out) {
        engine.stylizer.run(in, processing, out);
    };
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv)
{
    static int counter = 0;
    log_ = videoTempDir() / ("child-" + std::to_string(++counter) + ".log");
    pid_ = ::fork();
    if (pid_ == 0) {
        const int fd = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        ::dup2(fd, 1);
        ::dup2(fd, 2);
        std::vector<char*> args;
        for (const std::string& a : argv)
            args.push_back(const_cast<char*>(a.c_str()));
        args.push_back(nullptr);
        ::execv(args[0], args.data());
        ::_exit(127);
    }
}

ChildProcess::~ChildProcess()
{
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
}

void ChildProcess::signal(int sig)
{
    if (pid_ > 0)
        ::kill(pid_, sig);
}

int ChildProcess::wait(double timeoutSeconds)
{
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
    while (pid_ > 0) {
        int status = 0;
        const int r = ::waitpid(pid_, &status, WNOHANG);
        if (r == pid_) {
            pid_ = -1;
            return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        }
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
            pid_ = -1;
            return -1;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return -1;
}

bool ChildProcess::waitForOutput(const std::string& pattern, double timeoutSeconds)
{
    const std::regex wanted(pattern);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeoutSeconds);
    while (!std::regex_search(output(), wanted)) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return true;
}

std::string ChildProcess::output() const
{
    std::ifstream in(log_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

}  // namespace stylize::test
