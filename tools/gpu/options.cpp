// stylize-gpu-check's options: parsing with a sentence for every mistake.
#include "options.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <system_error>

namespace stylize::gpucheck {
namespace {

constexpr int kMaxSide = 16384;

// The pack a bundle carries beside bin/ (../models), else the one in the source tree.
std::filesystem::path defaultCheckModel()
{
    std::error_code ec;
    const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const std::filesystem::path bundled = exe.parent_path().parent_path() / "models" / "default-light.stylepack";
        if (std::filesystem::exists(bundled, ec))
            return bundled;
    }
    return STYLIZE_SOURCE_LIGHT_PACK;
}

template <typename T>
bool parseNumber(const std::string& text, T& value)
{
    const char* end = text.data() + text.size();
    auto [stop, ec] = std::from_chars(text.data(), end, value);
    return ec == std::errc() && stop == end;
}

render::Size parseSize(const std::string& text)
{
    const std::size_t x = text.find('x');
    render::Size size;
    if (x == std::string::npos || !parseNumber(text.substr(0, x), size.width) ||
        !parseNumber(text.substr(x + 1), size.height))
        throw UsageError("--sizes: '" + text + "' is not WIDTHxHEIGHT (e.g. 1280x720)");
    if (size.width < 1 || size.height < 1 || size.width > kMaxSide || size.height > kMaxSide)
        throw UsageError("--sizes: " + text + " is out of range; each side must be 1 to " + std::to_string(kMaxSide) +
                         " pixels");
    return size;
}

std::vector<render::Size> parseSizes(const std::string& text)
{
    std::vector<render::Size> sizes;
    std::size_t start = 0;
    while (start <= text.size()) {
        const std::size_t comma = std::min(text.find(',', start), text.size());
        sizes.push_back(parseSize(text.substr(start, comma - start)));
        start = comma + 1;
    }
    return sizes;
}

}  // namespace

const char* usage()
{
    return "Usage: stylize-gpu-check [options]\n"
           "Lists the Vulkan devices, checks every convolution kernel and precision against the CPU\n"
           "reference, then benches each --model.\n"
           "  --device N|NAME     device index or part of its name (default: the best one, or STYLIZE_DEVICE)\n"
           "  --model PATH        a model to bench (.stylepack, .onnx, checkpoint folder); repeatable\n"
           "  --sizes WxH,...     bench sizes (default 640x360,1280x720,1920x1080)\n"
           "  --runs N            timed runs per bench row after the warm-up run (default 10)\n"
           "  --kernels all|K,... bench these convolution kernels (default: the device's, or STYLIZE_CONV_KERNEL;\n"
           "                      all: every kernel the device can run; half-math kernels in fp16 rows only)\n"
           "  --peak-tflops X     the device's fp32 peak, to report the percentage reached\n"
           "  --check-model PATH  the style pack of the whole-network check (default: default-light.stylepack)\n"
           "  --list-devices      list the Vulkan devices and stop\n"
           "  --check-only        check, no bench\n"
           "  --quick             smallest check shapes; bench at 128x72 with 2 runs unless --sizes/--runs\n"
           "  --json FILE         also write the results as JSON\n"
           "Exit code: 0 all passed, 1 a check failed, 2 an error (bad option, model, device or bench run).\n";
}

Options parseOptions(int argc, char** argv)
{
    Options o;
    bool sizesGiven = false, runsGiven = false;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&]() -> std::string {
            if (i + 1 >= argc)
                throw UsageError("Option " + arg + " needs a value (see --help)");
            return argv[++i];
        };
        if (arg == "--help" || arg == "-h") {
            o.help = true;
        } else if (arg == "--list-devices") {
            o.listDevices = true;
        } else if (arg == "--check-only") {
            o.checkOnly = true;
        } else if (arg == "--quick") {
            o.quick = true;
        } else if (arg == "--device") {
            o.device = value();
        } else if (arg == "--json") {
            o.json = value();
        } else if (arg == "--model") {
            o.models.emplace_back(value());
        } else if (arg == "--check-model") {
            o.checkModel = value();
        } else if (arg == "--sizes") {
            o.sizes = parseSizes(value());
            sizesGiven = true;
        } else if (arg == "--kernels") {
            const std::string text = value();
            o.kernels.clear();
            std::size_t start = 0;
            while (start <= text.size()) {
                const std::size_t comma = std::min(text.find(',', start), text.size());
                if (comma == start)
                    throw UsageError("--kernels: '" + text +
                                     "' has an empty name; give all or names like direct,tiled");
                o.kernels.push_back(text.substr(start, comma - start));
                start = comma + 1;
            }
        } else if (arg == "--runs") {
            const std::string text = value();
            if (!parseNumber(text, o.runs) || o.runs < 1 || o.runs > 10000)
                throw UsageError("--runs: '" + text + "' is not a whole number from 1 to 10000");
            runsGiven = true;
        } else if (arg == "--peak-tflops") {
            const std::string text = value();
            if (!parseNumber(text, o.peakTflops) || !std::isfinite(o.peakTflops) || o.peakTflops <= 0)
                throw UsageError("--peak-tflops: '" + text + "' is not a positive number of TFLOP/s");
        } else {
            throw UsageError("Unknown option '" + arg + "' (see --help)");
        }
    }
    if (!sizesGiven)
        o.sizes = o.quick ? std::vector<render::Size>{{128, 72}}
                          : std::vector<render::Size>{{640, 360}, {1280, 720}, {1920, 1080}};
    if (!runsGiven && o.quick)
        o.runs = 2;
    if (o.checkModel.empty())
        o.checkModel = defaultCheckModel();
    return o;
}

}  // namespace stylize::gpucheck
