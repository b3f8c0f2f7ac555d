// Whole-file reads with size limits and user-facing messages, and little-endian floats.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

namespace stylize::model {

// The path as shown in messages.
std::string displayPath(const std::filesystem::path& path);

// Reads a whole regular file; throws ModelError when it is missing, unreadable, not a
// file or larger than maxBytes (a limit, so a wrong path cannot exhaust memory).
std::vector<std::uint8_t> readFileBytes(const std::filesystem::path& path, std::int64_t maxBytes);

// Writes bytes to a file through a temporary beside it, so a failed save never leaves
// a half-written file under the final name.
void writeFileBytes(const std::filesystem::path& path, std::span<const std::uint8_t> bytes);

// Decodes little-endian float32 values (bytes.size() / 4 of them).
std::vector<float> floatsFromLittleEndian(std::span<const std::uint8_t> bytes);
void appendLittleEndian(std::vector<std::uint8_t>& out, std::span<const float> values);

}  // namespace stylize::model
