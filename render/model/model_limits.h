// Sanity limits shared by validate() and every loader, so that a corrupt or hostile
// file fails with a message instead of exhausting memory or time.
#pragma once

#include <cstdint>

namespace stylize::model::limits {

constexpr int kMaxChannels = 4096;
constexpr int kMaxKernel = 15;
constexpr int kMaxStride = 4;
constexpr int kMaxNodes = 10000;
constexpr int kMaxStyles = 1024;
constexpr std::int64_t kMaxTensorBytes = std::int64_t(1) << 30;
// Bigger than any style network by far; keeps a bogus size field from reading forever.
constexpr std::int64_t kMaxFileBytes = std::int64_t(2) << 30;
constexpr int kMaxImageSide = 1 << 15;

}  // namespace stylize::model::limits
