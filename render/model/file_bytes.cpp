// Whole-file reads and writes for the loaders, with messages a user can act on.
#include "model/file_bytes.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <system_error>

#include "model/model.h"

namespace stylize::model {

namespace fs = std::filesystem;

std::string displayPath(const fs::path& path)
{
    return path.string();
}

std::vector<std::uint8_t> readFileBytes(const fs::path& path, std::int64_t maxBytes)
{
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
        throw ModelError(displayPath(path) + ": no such file or folder");
    if (!fs::is_regular_file(status))
        throw ModelError(displayPath(path) + ": is not a regular file");
    const std::uintmax_t size = fs::file_size(path, ec);
    if (ec)
        throw ModelError(displayPath(path) + ": cannot read its size (" + ec.message() + ")");
    if (size > std::uintmax_t(maxBytes))
        throw ModelError(displayPath(path) + ": is " + std::to_string(size) + " bytes, more than the " +
                         std::to_string(maxBytes) + " a model file may have; is it the right file?");
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ModelError(displayPath(path) + ": cannot be opened; check its permissions");
    std::vector<std::uint8_t> bytes(size);
    if (size > 0 && !in.read(reinterpret_cast<char*>(bytes.data()), std::streamsize(size)))
        throw ModelError(displayPath(path) + ": reading failed after " + std::to_string(in.gcount()) + " of " +
                         std::to_string(size) + " bytes");
    return bytes;
}

void writeFileBytes(const fs::path& path, std::span<const std::uint8_t> bytes)
{
    fs::path temp = path;
    temp += ".partial";
    {
        std::ofstream out(temp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw ModelError(displayPath(path) + ": cannot be written; check that the folder exists and is writable");
        out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
        out.flush();
        if (!out) {
            out.close();
            std::error_code ignored;
            fs::remove(temp, ignored);
            throw ModelError(displayPath(path) + ": writing failed; is the disk full?");
        }
    }
    std::error_code ec;
    fs::rename(temp, path, ec);
    if (ec) {
        std::error_code ignored;
        fs::remove(temp, ignored);
        throw ModelError(displayPath(path) + ": cannot be replaced (" + ec.message() + ")");
    }
}

std::vector<float> floatsFromLittleEndian(std::span<const std::uint8_t> bytes)
{
    std::vector<float> values(bytes.size() / 4);
    if constexpr (std::endian::native == std::endian::little) {
        if (!values.empty())
            std::memcpy(values.data(), bytes.data(), values.size() * 4);
    } else {
        for (std::size_t i = 0; i < values.size(); ++i) {
            const std::uint8_t* b = bytes.data() + 4 * i;
            const std::uint32_t u =
                std::uint32_t(b[0]) | std::uint32_t(b[1]) << 8 | std::uint32_t(b[2]) << 16 | std::uint32_t(b[3]) << 24;
            values[i] = std::bit_cast<float>(u);
        }
    }
    return values;
}

void appendLittleEndian(std::vector<std::uint8_t>& out, std::span<const float> values)
{
    const std::size_t start = out.size();
    out.resize(start + values.size() * 4);
    for (std::size_t i = 0; i < values.size(); ++i) {
        const std::uint32_t u = std::bit_cast<std::uint32_t>(values[i]);
        for (int b = 0; b < 4; ++b)
            out[start + 4 * i + b] = std::uint8_t(u >> (8 * b));
    }
}

}  // namespace stylize::model
