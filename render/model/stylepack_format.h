// The fixed binary header of a style pack (docs/style-pack.md), shared by reader and writer.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace stylize::model::stylepack {

// A text tag, then a byte no text file has and a CR LF pair that text-mode transfers
// would mangle, so such damage is reported as a bad magic rather than as odd JSON.
constexpr std::array<char, 12> kMagic = {'S', 'T', 'Y', 'L', 'E', 'P', 'A', 'C', 'K', '\x1a', '\r', '\n'};
constexpr std::uint32_t kVersion = 1;
constexpr std::size_t kHeaderSize = 48;
constexpr std::uint64_t kAlignment = 16;
constexpr std::uint64_t kMaxJsonBytes = 64u << 20;
constexpr std::uint64_t kMaxThumbnailBytes = 16u << 20;

struct Header {
    std::uint32_t version = kVersion;
    std::uint64_t jsonOffset = kHeaderSize;
    std::uint64_t jsonSize = 0;
    std::uint64_t dataOffset = 0;  // multiple of kAlignment
    std::uint64_t dataSize = 0;
};

inline std::uint64_t alignUp(std::uint64_t n)
{
    return (n + kAlignment - 1) / kAlignment * kAlignment;
}

inline std::uint64_t readLE(const std::uint8_t* p, int bytes)
{
    std::uint64_t v = 0;
    for (int i = 0; i < bytes; ++i)
        v |= std::uint64_t(p[i]) << (8 * i);
    return v;
}

inline void writeLE(std::uint8_t* p, std::uint64_t v, int bytes)
{
    for (int i = 0; i < bytes; ++i)
        p[i] = std::uint8_t(v >> (8 * i));
}

inline std::array<std::uint8_t, kHeaderSize> encodeHeader(const Header& h)
{
    std::array<std::uint8_t, kHeaderSize> out{};
    std::memcpy(out.data(), kMagic.data(), kMagic.size());
    writeLE(out.data() + 12, h.version, 4);
    writeLE(out.data() + 16, h.jsonOffset, 8);
    writeLE(out.data() + 24, h.jsonSize, 8);
    writeLE(out.data() + 32, h.dataOffset, 8);
    writeLE(out.data() + 40, h.dataSize, 8);
    return out;
}

// Requires bytes.size() >= kHeaderSize; the magic is checked by the caller.
inline Header decodeHeader(std::span<const std::uint8_t> bytes)
{
    Header h;
    h.version = std::uint32_t(readLE(bytes.data() + 12, 4));
    h.jsonOffset = readLE(bytes.data() + 16, 8);
    h.jsonSize = readLE(bytes.data() + 24, 8);
    h.dataOffset = readLE(bytes.data() + 32, 8);
    h.dataSize = readLE(bytes.data() + 40, 8);
    return h;
}

}  // namespace stylize::model::stylepack
