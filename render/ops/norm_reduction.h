// How the instance-norm statistics sum a plane inside a workgroup, and
// STYLIZE_IN_REDUCTION to force one.
#pragma once

#include <vector>

namespace stylize::vk {
struct DeviceInfo;
}

namespace stylize::render {

enum class NormReduction {
    Shared,    // a tree over shared memory, log2(lanes) barriered steps (every device)
    Subgroup,  // subgroupAdd per subgroup, one shared slot per subgroup (shaders/reduce.glsl)
};

const char* normReductionName(NormReduction reduction);
// Shared everywhere; Subgroup where the device has subgroup arithmetic in compute shaders.
std::vector<NormReduction> availableNormReductions(const vk::DeviceInfo& info);
// Subgroup wherever it is available (GPUs and lavapipe alike: measured in
// docs/gpu-kernels.md), else Shared.
NormReduction defaultNormReduction(const vk::DeviceInfo& info);
// STYLIZE_IN_REDUCTION (shared|subgroup) when set, else the default. Throws
// std::invalid_argument naming the variable and the choices for an unknown name or one
// the device cannot run.
NormReduction requestedNormReduction(const vk::DeviceInfo& info);

}  // namespace stylize::render
