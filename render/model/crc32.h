// CRC-32 (the IEEE 802.3 / zlib polynomial, reflected): style packs carry one of their
// data section, so a flipped byte is caught at load instead of rendering wrong.
#pragma once

#include <cstdint>
#include <span>

namespace stylize::model {

// crc32 of `bytes`, equal to Python's zlib.crc32.
std::uint32_t crc32(std::span<const std::uint8_t> bytes);

}  // namespace stylize::model
