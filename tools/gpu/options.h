// stylize-gpu-check's command line: what to check, which models to bench and how.
#pragma once

#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "image.h"

namespace stylize::gpucheck {

// A bad command line; the message names the option and what was expected (exit code 2).
class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

struct Options {
    std::string device;                         // --device N|NAME (empty: best, or STYLIZE_DEVICE)
    std::filesystem::path json;                 // --json FILE (empty: none)
    std::vector<std::filesystem::path> models;  // --model PATH, repeatable: the bench's models
    std::filesystem::path checkModel;           // --check-model PATH: the whole-network check's pack
    std::vector<render::Size> sizes;            // --sizes WxH,WxH,...
    std::vector<std::string> kernels;           // --kernels all|K,...: bench kernels (empty: the device's)
    int runs = 10;                              // --runs N: timed runs per bench row
    double peakTflops = 0;                      // --peak-tflops X (0: no percentage)
    bool listDevices = false;                   // --list-devices: the device list, nothing else
    bool checkOnly = false;                     // --check-only: no bench
    bool quick = false;                         // --quick: smallest check shapes, bench 128x72 x 2 runs
    bool help = false;
};

// Throws UsageError. --quick changes the defaults of --sizes and --runs; given explicitly, they win.
Options parseOptions(int argc, char** argv);
const char* usage();

}  // namespace stylize::gpucheck
