// Which convolution kernel a device runs, and STYLIZE_CONV_KERNEL to force one.
#pragma once

#include <string>
#include <vector>

#include "model/model.h"

namespace stylize::vk {
struct DeviceInfo;
}

namespace stylize::render {

enum class ConvKernel {
    Direct,    // conv2d.comp: 8x8 workgroups, 4 pixels x 2 output packs per invocation
    Subgroup,  // conv2d_subgroup.comp: one 16-lane subgroup shares each weight load
};
const char* convKernelName(ConvKernel kernel);

// The kernels this device can run, in the order a forced name is matched. Direct runs
// everywhere; Subgroup needs the workgroup (16 lanes) to be exactly one subgroup.
std::vector<ConvKernel> availableConvKernels(const vk::DeviceInfo& info);
// What the device gets unless forced: Subgroup on a CPU driver with 16-lane subgroups
// (lavapipe with 512-bit vectors, where loads dominate), Direct elsewhere.
ConvKernel defaultConvKernel(const vk::DeviceInfo& info);

// The kernel for one convolution: STYLIZE_CONV_KERNEL (a name from availableConvKernels)
// when set, else the default. A layer the chosen kernel cannot take (Subgroup unrolls at
// most 9 tap columns in a 16-column window) runs Direct. Throws std::invalid_argument
// naming the variable and the choices for an unknown name or one the device cannot run.
ConvKernel chooseConvKernel(const vk::DeviceInfo& info, const model::Conv& conv);
// The forced kernel (validated as above), or the default: what `devices` reports.
ConvKernel requestedConvKernel(const vk::DeviceInfo& info);

}  // namespace stylize::render
