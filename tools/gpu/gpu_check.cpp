// stylize-gpu-check: which Vulkan devices a machine has, whether the engine computes what
// the CPU reference does there (every convolution kernel, both precisions), and how fast
// it runs the given models. See docs/gpu-check.md; tools/gpu/pack.sh bundles it.
#include <algorithm>
#include <cstdio>
#include <fstream>

#include <nlohmann/json.hpp>

#include "bench.h"
#include "frame_check.h"
#include "kernel_check.h"
#include "model/loaders.h"
#include "ops/conv_kernel.h"
#include "options.h"
#include "vk/context.h"

namespace stylize::gpucheck {
namespace {

using nlohmann::json;

std::string vulkanVersion(std::uint32_t v)
{
    return std::to_string(VK_API_VERSION_MAJOR(v)) + "." + std::to_string(VK_API_VERSION_MINOR(v)) + "." +
           std::to_string(VK_API_VERSION_PATCH(v));
}

std::string kernelList(const vk::DeviceInfo& d)
{
    std::string names;
    for (render::ConvKernel k : render::availableConvKernels(d))
        names += (names.empty() ? "" : ",") + std::string(render::convKernelName(k));
    return names;
}

void printDevice(const vk::DeviceInfo& d)
{
    std::printf(
        "  %d: %s (%s, Vulkan %s, fp16 storage %s, fp16 arithmetic %s, subgroup %u, timestamps %s, "
        "conv kernels %s)\n",
        d.index, d.name.c_str(), d.typeName(), vulkanVersion(d.apiVersion).c_str(), d.fp16Storage ? "yes" : "no",
        d.fp16Arithmetic ? "yes" : "no", d.subgroupSize, d.timestamps ? "yes" : "no", kernelList(d).c_str());
}

json deviceJson(const vk::DeviceInfo& d)
{
    return {{"index", d.index},
            {"name", d.name},
            {"type", d.typeName()},
            {"vulkan", vulkanVersion(d.apiVersion)},
            {"fp16_storage", d.fp16Storage},
            {"fp16_arithmetic", d.fp16Arithmetic},
            {"subgroup_size", d.subgroupSize},
            {"timestamps", d.timestamps},
            {"conv_kernels", kernelList(d)},
            {"default_conv_kernel", render::convKernelName(render::defaultConvKernel(d))}};
}

json checkJson(const CheckResult& r)
{
    json j = {{"case", r.name},   {"kernel", r.kernel}, {"precision", r.precision},
              {"input", r.input}, {"pass", r.passed},   {"tolerance", r.tolerance}};
    if (r.failure.empty())
        j["error"] = r.error;
    else
        j["failure"] = r.failure;
    return j;
}

// A bench row's numbers by their JSON names.
constexpr std::pair<const char*, double BenchResult::*> kBenchNumbers[] = {
    {"first_ms", &BenchResult::firstMs}, {"median_ms", &BenchResult::medianMs},  {"min_ms", &BenchResult::minMs},
    {"fps", &BenchResult::fps},          {"gpu_ms", &BenchResult::gpuMs},        {"gflop", &BenchResult::gflop},
    {"gflops", &BenchResult::gflops},    {"gpu_gflops", &BenchResult::gpuGflops}};

json benchJson(const BenchResult& r)
{
    json j = {{"model", r.model},
              {"precision", r.precision},
              {"width", r.size.width},
              {"height", r.size.height},
              {"steady", r.steady}};
    if (!r.failure.empty()) {
        j["failure"] = r.failure;
        return j;
    }
    json classes = json::object();
    for (const auto& [name, ms] : r.classMs)
        classes[name] = ms;
    j["conv_kernel"] = r.kernel;
    j["runs"] = r.runs;
    for (const auto& [key, member] : kBenchNumbers)
        j[key] = r.*member;
    j["gpu_ms_by_class"] = classes;
    if (r.peakPercent >= 0)
        j["peak_percent"] = r.peakPercent;
    return j;
}

// --kernels against what the device can run: empty stays empty (the environment decides),
// "all" is every available kernel; a name the device cannot run is one sentence.
std::vector<render::ConvKernel> resolveKernels(const std::vector<std::string>& names, const vk::DeviceInfo& info)
{
    const std::vector<render::ConvKernel> available = render::availableConvKernels(info);
    std::string choices;
    for (render::ConvKernel k : available)
        choices += (choices.empty() ? "" : ", ") + std::string(render::convKernelName(k));
    std::vector<render::ConvKernel> kernels;
    for (const std::string& name : names) {
        if (name == "all")
            return available;
        auto it = std::find_if(available.begin(), available.end(),
                               [&](render::ConvKernel k) { return name == render::convKernelName(k); });
        if (it == available.end())
            throw std::runtime_error("--kernels: device '" + info.name + "' has no convolution kernel '" + name +
                                     "'; it can run: all, " + choices);
        if (std::find(kernels.begin(), kernels.end(), *it) == kernels.end())
            kernels.push_back(*it);
    }
    return kernels;
}

// Loads a model or throws one sentence saying which option named it.
model::Model load(const char* option, const std::filesystem::path& path)
{
    try {
        return model::loadModel(path);
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string(option) + ": " + e.what());
    }
}

// Returns the exit code; `report` collects what --json writes.
int run(const Options& o, json& report)
{
    // Everything the command line names is checked before any Vulkan work.
    const model::Model checkModel = load("--check-model", o.checkModel);
    std::vector<BenchModel> benchModels;
    for (const std::filesystem::path& path : o.checkOnly ? std::vector<std::filesystem::path>{} : o.models)
        benchModels.push_back({path, load("--model", path)});

    std::vector<vk::DeviceInfo> devices;
    try {
        devices = vk::Context::listDevices();
    } catch (const std::exception& e) {
        throw std::runtime_error(std::string(e.what()) + "; or point VK_DRIVER_FILES at the driver's ICD JSON");
    }
    if (devices.empty())
        throw std::runtime_error(
            "No Vulkan device found: install the GPU's Vulkan driver, or point VK_DRIVER_FILES "
            "at its ICD JSON (docs/gpu-check.md)");
    std::printf("Vulkan devices:\n");
    report["devices"] = json::array();
    for (const vk::DeviceInfo& d : devices) {
        printDevice(d);
        report["devices"].push_back(deviceJson(d));
    }
    if (o.listDevices) {
        report["passed"] = true;
        return 0;
    }
    vk::Context context(o.device);
    std::printf("Chosen device:\n");
    printDevice(context.info());
    report["device"] = deviceJson(context.info());
    // A bad STYLIZE_CONV_KERNEL or --kernels name fails the bench's every row: say so now,
    // not after the check.
    const std::vector<render::ConvKernel> benchKernels = resolveKernels(o.kernels, context.info());
    std::string benchKernel =
        benchKernels.empty() ? render::convKernelName(render::requestedConvKernel(context.info())) : std::string();
    for (render::ConvKernel k : benchKernels)
        benchKernel += (benchKernel.empty() ? "" : ", ") + std::string(render::convKernelName(k));

    std::printf("\nKernel check (%s shapes; GPU against the CPU reference, error = max|diff| / max(1, max|ref|)):\n",
                o.quick ? "quick" : "full");
    std::vector<CheckResult> checks = runKernelCheck(context, {o.quick, checkModel, o.checkModel.filename().string()});
    for (CheckResult& r : runFrameCheck(context, checkModel, o.checkModel.filename().string()))
        checks.push_back(std::move(r));
    int failed = 0;
    report["check"] = json::array();
    for (const CheckResult& r : checks) {
        failed += r.passed ? 0 : 1;
        report["check"].push_back(checkJson(r));
    }
    std::printf("Kernel check: %d of %zu cases passed\n", int(checks.size()) - failed, checks.size());

    int benchFailed = 0;
    report["bench"] = json::array();
    if (o.checkOnly) {
        std::printf("\nBench: skipped (--check-only)\n");
    } else if (benchModels.empty()) {
        std::printf("\nBench: no --model given\n");
    } else {
        std::printf("\nBench (%d timed runs after a warm-up run; convolution kernels %s):\n", o.runs,
                    benchKernel.c_str());
        const std::vector<BenchResult> rows =
            runBench(context, benchModels, {o.sizes, o.runs, o.peakTflops, benchKernels});
        printBenchTables(rows);
        for (const BenchResult& r : rows) {
            benchFailed += r.failure.empty() ? 0 : 1;
            report["bench"].push_back(benchJson(r));
        }
        if (o.peakTflops > 0)
            report["peak_tflops"] = o.peakTflops;
    }
    const int code = benchFailed ? 2 : failed ? 1 : 0;
    std::printf("\n%s: %d check case(s) failed, %d bench row(s) failed\n", code ? "FAILED" : "PASSED", failed,
                benchFailed);
    report["passed"] = code == 0;
    return code;
}

}  // namespace
}  // namespace stylize::gpucheck

int main(int argc, char** argv)
{
    using namespace stylize::gpucheck;
    Options options;
    try {
        options = parseOptions(argc, argv);
    } catch (const UsageError& e) {
        std::fprintf(stderr, "stylize-gpu-check: %s\n", e.what());
        return 2;
    }
    if (options.help) {
        std::fputs(usage(), stdout);
        return 0;
    }
    std::ofstream jsonFile;
    if (!options.json.empty()) {
        jsonFile.open(options.json);
        if (!jsonFile) {
            std::fprintf(stderr, "stylize-gpu-check: --json: cannot write '%s'\n", options.json.c_str());
            return 2;
        }
    }
    nlohmann::json report = nlohmann::json::object();
    int code = 2;
    try {
        code = run(options, report);
    } catch (const std::exception& e) {
        std::fflush(stdout);
        std::fprintf(stderr, "stylize-gpu-check: %s\n", e.what());
        report["error"] = e.what();
        report["passed"] = false;
    }
    report["exit_code"] = code;
    if (jsonFile.is_open()) {
        jsonFile << report.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
        if (!jsonFile.flush()) {
            std::fprintf(stderr, "stylize-gpu-check: --json: could not write '%s'\n", options.json.c_str());
            return 2;
        }
        std::printf("Results written to %s\n", options.json.c_str());
    }
    return code;
}
