// NumPy .npy parsing and writing: the header dict by plain string search, data raw.
#include "support/npy.h"

#include <bit>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

namespace stylize::test {
namespace {

static_assert(std::endian::native == std::endian::little, "goldens are little-endian");

[[noreturn]] void fail(const std::filesystem::path& file, const std::string& what)
{
    throw std::runtime_error("npy file " + file.string() + ": " + what);
}

// The value text after 'key': in the header dict, e.g. "'<f4', " or "(3, 4), ".
std::string field(const std::filesystem::path& file, const std::string& header,
                  const std::string& key)
{
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos)
        fail(file, "header has no '" + key + "'");
    const auto colon = header.find(':', at);
    if (colon == std::string::npos)
        fail(file, "malformed header");
    return header.substr(colon + 1);
}

}  // namespace

NpyArray readNpy(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    if (!in)
        fail(file, "cannot be opened");
    const std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    if (bytes.size() < 10 || bytes.compare(0, 6, "\x93NUMPY") != 0)
        fail(file, "not a .npy file");
    const int major = static_cast<unsigned char>(bytes[6]);
    std::size_t headerLen = 0, offset = 0;
    if (major == 1) {
        headerLen = std::size_t(static_cast<unsigned char>(bytes[8])) |
                    std::size_t(static_cast<unsigned char>(bytes[9])) << 8;
        offset = 10;
    } else if (major == 2 || major == 3) {
        if (bytes.size() < 12)
            fail(file, "truncated header");
        for (int i = 0; i < 4; ++i)
            headerLen |= std::size_t(static_cast<unsigned char>(bytes[8 + i])) << (8 * i);
        offset = 12;
    } else {
        fail(file, "format version " + std::to_string(major) + " is not supported");
    }
    if (bytes.size() < offset + headerLen)
        fail(file, "truncated header");
    const std::string header = bytes.substr(offset, headerLen);
    offset += headerLen;

    const std::string descr = field(file, header, "descr");
    const bool isF4 = descr.find("'<f4'") != std::string::npos;
    const bool isU1 = descr.find("'|u1'") != std::string::npos;
    if (!isF4 && !isU1)
        fail(file, "dtype must be <f4 or |u1");
    const std::string order = field(file, header, "fortran_order");
    if (order.substr(0, order.find(',')).find("False") == std::string::npos)
        fail(file, "Fortran order is not supported");

    NpyArray out;
    std::string shape = field(file, header, "shape");
    const auto open = shape.find('('), close = shape.find(')');
    if (open == std::string::npos || close == std::string::npos)
        fail(file, "malformed shape");
    shape = shape.substr(open + 1, close - open - 1);
    std::int64_t count = 1;
    for (std::size_t pos = 0; pos < shape.size();) {
        const auto comma = shape.find(',', pos);
        const std::string item = shape.substr(pos, comma == std::string::npos ? std::string::npos
                                                                              : comma - pos);
        if (item.find_first_not_of(' ') != std::string::npos) {
            out.shape.push_back(std::stoll(item));
            count *= out.shape.back();
        }
        if (comma == std::string::npos)
            break;
        pos = comma + 1;
    }
    const std::size_t n = static_cast<std::size_t>(count);
    const std::size_t elementSize = isF4 ? 4 : 1;
    if (bytes.size() - offset != n * elementSize)
        fail(file, std::to_string(bytes.size() - offset) + " data bytes, the shape needs " +
                       std::to_string(n * elementSize));
    out.data.resize(n);
    if (isF4) {
        std::memcpy(out.data.data(), bytes.data() + offset, n * 4);
    } else {
        for (std::size_t i = 0; i < n; ++i)
            out.data[i] = static_cast<unsigned char>(bytes[offset + i]);
    }
    return out;
}

void writeNpy(const std::filesystem::path& file, std::span<const std::int64_t> shape,
              std::span<const float> data)
{
    std::string dims;
    for (std::int64_t d : shape)
        dims += std::to_string(d) + ", ";
    if (shape.size() > 1)
        dims.resize(dims.size() - 1);  // "(3, 4)" but "(3,)"
    std::string header = "{'descr': '<f4', 'fortran_order': False, 'shape': (" + dims + "), }";
    // Magic (6) + version (2) + length (2) + header + '\n' is padded to 64 bytes.
    header.append(63 - (10 + header.size()) % 64, ' ');
    header += '\n';
    std::ofstream out(file, std::ios::binary);
    if (!out)
        fail(file, "cannot be created");
    const char magic[] = {'\x93', 'N', 'U', 'M', 'P', 'Y', 1, 0,
                          static_cast<char>(header.size() & 0xff),
                          static_cast<char>(header.size() >> 8)};
    out.write(magic, sizeof magic);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(reinterpret_cast<const char*>(data.data()),
              static_cast<std::streamsize>(data.size() * sizeof(float)));
    if (!out)
        fail(file, "write failed");
}

}  // namespace stylize::test
