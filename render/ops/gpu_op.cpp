// Precision helpers, fp16 conversion and the weight uploader.
#include "ops/gpu_op.h"

#include <bit>
#include <cstring>

#include "vk/context.h"
#include "vk/error.h"

namespace stylize::render {

const char* precisionName(Precision precision)
{
    return precision == Precision::Fp16Storage ? "fp16" : "fp32";
}

std::uint64_t tensorBytes(int c, int h, int w, Precision precision)
{
    const std::uint64_t element = precision == Precision::Fp16Storage ? 8 : 16;
    return std::uint64_t(packs(c)) * std::uint64_t(h) * std::uint64_t(w) * element;
}

std::uint16_t floatToHalf(float value)
{
    const std::uint32_t bits = std::bit_cast<std::uint32_t>(value);
    const std::uint32_t sign = (bits >> 16) & 0x8000u;
    const std::uint32_t absBits = bits & 0x7fffffffu;
    if (absBits >= 0x7f800000u)  // inf or NaN
        return static_cast<std::uint16_t>(sign | 0x7c00u | (absBits > 0x7f800000u ? 0x200u : 0u));
    if (absBits >= 0x477ff000u)  // rounds to beyond the largest half
        return static_cast<std::uint16_t>(sign | 0x7c00u);
    if (absBits < 0x38800000u) {  // subnormal half (or zero)
        const float magnitude = std::bit_cast<float>(absBits);
        // 2^-24 is the smallest subnormal step; nearbyint-style rounding via the FPU.
        const float scaled = magnitude * 16777216.0f;
        auto q = static_cast<std::uint32_t>(scaled);
        const float rest = scaled - float(q);
        if (rest > 0.5f || (rest == 0.5f && (q & 1u)))
            ++q;
        return static_cast<std::uint16_t>(sign | q);
    }
    std::uint32_t mantissa = absBits & 0x7fffffu;
    std::uint32_t exponent = (absBits >> 23) - 127 + 15;
    std::uint32_t half = (exponent << 10) | (mantissa >> 13);
    const std::uint32_t rest = mantissa & 0x1fffu;
    if (rest > 0x1000u || (rest == 0x1000u && (half & 1u)))
        ++half;  // may carry into the exponent, which is the correct rounding
    return static_cast<std::uint16_t>(sign | half);
}

float halfToFloat(std::uint16_t value)
{
    const std::uint32_t sign = (value & 0x8000u) << 16;
    const std::uint32_t exponent = (value >> 10) & 0x1fu;
    const std::uint32_t mantissa = value & 0x3ffu;
    if (exponent == 0) {
        const float magnitude = float(mantissa) / 16777216.0f;
        return sign ? -magnitude : magnitude;
    }
    if (exponent == 31)
        return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));
    return std::bit_cast<float>(sign | ((exponent - 15 + 127) << 23) | (mantissa << 13));
}

void WeightUploader::write(vk::Buffer* buffer, std::span<const float> values, bool asFp16)
{
    std::vector<std::uint8_t> bytes;
    if (asFp16) {
        bytes.resize(values.size() * 2);
        for (std::size_t i = 0; i < values.size(); ++i) {
            std::uint16_t h = floatToHalf(values[i]);
            std::memcpy(bytes.data() + 2 * i, &h, 2);
        }
    } else {
        bytes.resize(values.size_bytes());
        std::memcpy(bytes.data(), values.data(), values.size_bytes());
    }
    if (bytes.size() > buffer->size())
        throw vk::VulkanError("internal: " + std::to_string(bytes.size()) + " bytes do not fit buffer '" +
                              buffer->name() + "'");
    if (buffer->mapped()) {
        std::memcpy(buffer->mapped(), bytes.data(), bytes.size());
        return;
    }
    pending_.push_back({buffer, std::move(bytes)});
}

void WeightUploader::flush()
{
    if (pending_.empty())
        return;
    vk::BufferArena staging(context_, vk::MemoryKind::Upload);
    std::vector<vk::Buffer*> sources;
    for (const Pending& p : pending_)
        sources.push_back(staging.add(p.bytes.size(), "staging " + p.target->name()));
    staging.allocate();
    vk::CommandRecorder recorder(context_, false);
    recorder.begin();
    for (std::size_t i = 0; i < pending_.size(); ++i) {
        std::memcpy(sources[i]->mapped(), pending_[i].bytes.data(), pending_[i].bytes.size());
        recorder.copy(sources[i], pending_[i].target, pending_[i].bytes.size(), "upload");
    }
    recorder.end();
    recorder.submitAndWait();
    pending_.clear();
}

}  // namespace stylize::render

namespace stylize::render {
Groups2D flatGroups(std::int64_t count, int localSize)
{
    const std::int64_t groups = (count + localSize - 1) / localSize;
    constexpr std::int64_t kMaxX = 32768;  // FLAT_ROW_GROUPS in shaders/common.glsl
    if (groups <= kMaxX)
        return {static_cast<std::uint32_t>(std::max<std::int64_t>(groups, 1)), 1};
    return {static_cast<std::uint32_t>(kMaxX), static_cast<std::uint32_t>((groups + kMaxX - 1) / kMaxX)};
}
}  // namespace stylize::render
