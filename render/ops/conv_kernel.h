// Which convolution kernel a device runs, and STYLIZE_CONV_KERNEL to force one.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::vk {
struct DeviceInfo;
}

namespace stylize::render {

enum class ConvKernel {
    Direct,     // conv2d.comp: 8x8 workgroups, 4 pixels x 2 output packs per invocation
    Subgroup,   // conv2d_subgroup.comp: one 16-lane subgroup shares each weight load
    Tiled,      // conv2d_tiled.comp: input window and weights staged in shared memory per tile
    DirectF16,  // conv2d.comp as conv2d_f16: fp16 multiply-adds per input pack, fp32 sums (fp16 plans)
    TiledF16,   // conv2d_tiled.comp as conv2d_tiled_f16: f16vec4 tiles, fp16 multiply-adds, fp32 sums (fp16 plans)
};

// The kernels with half arithmetic: they apply to fp16-storage plans only.
bool halfMathKernel(ConvKernel kernel);
// What a plan runs for this kernel: in an fp32 plan a half-math kernel's fp32 twin
// (DirectF16 -> Direct, TiledF16 -> Tiled), else the kernel itself.
ConvKernel planConvKernel(ConvKernel kernel, bool fp16Plan);

// How conv2d_tiled.comp runs one layer: PX pixels per invocation (a tile of 8 * PX x 8),
// OC_BLOCK output packs per workgroup, ICC input packs staged per step.
struct TiledShape {
    int px = 4, ocBlock = 4, icc = 2;
    std::uint32_t sharedBytes = 0;
};
// The shape for this layer within the shared-memory budget (16 KiB, or the device's
// limit if lower; a limit of 0, unknown, is the 16 KiB every Vulkan device has), or
// nullopt when even the smallest does not fit (wide kernels: 9x9).
// halfTiles: the tiles are f16vec4 (TiledF16), 8 bytes a staged value instead of 16.
std::optional<TiledShape> tiledShape(const model::Conv& conv, int inC4, int outC4, std::uint32_t sharedLimit,
                                     bool halfTiles = false);
const char* convKernelName(ConvKernel kernel);

// The kernels this device can run, in the order a forced name is matched. Direct and Tiled
// run everywhere (Tiled needs the 16 KiB of shared memory every Vulkan device has);
// DirectF16 and TiledF16 need 16-bit storage and shaderFloat16; Subgroup needs the
// workgroup (16 lanes) to be exactly one subgroup.
std::vector<ConvKernel> availableConvKernels(const vk::DeviceInfo& info);
// What the device gets unless forced: Subgroup on a CPU driver with 16-lane subgroups
// (lavapipe with 512-bit vectors, where loads dominate); DirectF16 on GPUs with
// shaderFloat16 (packed half math: twice the fp32 rate on AMD RDNA, Intel Xe and
// NVIDIA's cards; a CPU driver emulates it, so CPUs never get it by default); Direct
// elsewhere.
ConvKernel defaultConvKernel(const vk::DeviceInfo& info);

// The kernel for one convolution: STYLIZE_CONV_KERNEL (a name from availableConvKernels)
// when set, else the default. A layer the chosen kernel cannot take (Subgroup unrolls at
// most 9 tap columns in a 16-column window; Tiled takes kernels up to 5x5) runs Direct. Throws std::invalid_argument
// naming the variable and the choices for an unknown name or one the device cannot run.
// DirectF16 and TiledF16 apply to fp16-storage plans only (`fp16Plan`); an fp32 plan runs
// their fp32 twin, Direct or Tiled.
ConvKernel chooseConvKernel(const vk::DeviceInfo& info, const model::Conv& conv, bool fp16Plan = false);
// The forced kernel (validated as above), or the default: what `devices` reports.
ConvKernel requestedConvKernel(const vk::DeviceInfo& info);

}  // namespace stylize::render
