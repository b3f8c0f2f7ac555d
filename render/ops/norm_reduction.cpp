// Instance-norm reduction choice per device; STYLIZE_IN_REDUCTION forces one.
#include "ops/norm_reduction.h"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "vk/context.h"

namespace stylize::render {
namespace {

constexpr const char* kVariable = "STYLIZE_IN_REDUCTION";

std::string choices(const vk::DeviceInfo& info)
{
    std::string s;
    for (NormReduction r : availableNormReductions(info))
        s += (s.empty() ? "" : ", ") + std::string(normReductionName(r));
    return s;
}

}  // namespace

const char* normReductionName(NormReduction reduction)
{
    return reduction == NormReduction::Subgroup ? "subgroup" : "shared";
}

std::vector<NormReduction> availableNormReductions(const vk::DeviceInfo& info)
{
    std::vector<NormReduction> r{NormReduction::Shared};
    if (info.subgroupArithmetic)
        r.push_back(NormReduction::Subgroup);
    return r;
}

NormReduction defaultNormReduction(const vk::DeviceInfo& info)
{
    return info.subgroupArithmetic ? NormReduction::Subgroup : NormReduction::Shared;
}

NormReduction requestedNormReduction(const vk::DeviceInfo& info)
{
    const char* env = std::getenv(kVariable);
    if (!env || !*env)
        return defaultNormReduction(info);
    const std::string wanted = env;
    for (NormReduction r : {NormReduction::Shared, NormReduction::Subgroup}) {
        if (wanted != normReductionName(r))
            continue;
        const auto available = availableNormReductions(info);
        if (std::find(available.begin(), available.end(), r) == available.end())
            throw std::invalid_argument(std::string(kVariable) + "=" + wanted + ": device '" + info.name +
                                        "' has no subgroup arithmetic in compute shaders; it can run: " +
                                        choices(info));
        return r;
    }
    throw std::invalid_argument(std::string(kVariable) + "=" + wanted +
                                " is not an instance-norm reduction; device '" + info.name +
                                "' can run: " + choices(info));
}

}  // namespace stylize::render
