// Helpers of the video tests: clips made with the ffmpeg CLI, ffprobe facts about a
// file, the tiny test model as a stylizer, and child processes we can signal.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/stylize_function.h"

namespace stylize::test {

// A fresh folder for this test binary's files (removed at exit).
std::filesystem::path videoTempDir();

// Runs a shell command; returns its exit status.
int shell(const std::string& command);
// Runs a shell command and returns its stdout.
std::string shellOutput(const std::string& command);

// Makes a clip: `ffmpeg -y -v error <args> <path>`; fails the test if ffmpeg fails.
std::filesystem::path makeClip(const std::string& name, const std::string& args);

struct StreamFacts {
    std::string type;  // "video" / "audio"
    std::string codec;
    int width = 0, height = 0;
    long frames = 0;      // decoded frames (video) or packets (audio)
    double duration = 0;  // seconds, from timestamps
};
// ffprobe's view of every stream (frames counted by decoding).
std::vector<StreamFacts> probe(const std::filesystem::path& file);
// The first stream of that type (a copy: safe to keep from a temporary probe()).
std::optional<StreamFacts> findStream(const std::vector<StreamFacts>& streams, const std::string& type);
// Video frame timestamps in seconds.
std::vector<double> frameTimes(const std::filesystem::path& file);
// `ffmpeg -v error -i FILE -f null -` prints nothing and succeeds.
bool playsCleanly(const std::filesystem::path& file, std::string* errors = nullptr);

// The committed tiny TransformerNet on the default Vulkan device, at `processing`.
pipeline::StylizeFunction tinyStylizer(int processingWidth = 64, int processingHeight = 48);

std::filesystem::path tinyModelPath();
std::filesystem::path cliPath();

// A child process with stdout+stderr to a file.
class ChildProcess {
public:
    explicit ChildProcess(const std::vector<std::string>& argv);
    ~ChildProcess();
    void signal(int sig);
    // Exit status, 128+signal when killed, or -1 on timeout (the child is then killed).
    int wait(double timeoutSeconds);
    std::string output() const;
    // Waits until the output matches `pattern` (a regular expression); false after the timeout.
    bool waitForOutput(const std::string& pattern, double timeoutSeconds);

private:
    int pid_ = -1;
    std::filesystem::path log_;
};

}  // namespace stylize::test
