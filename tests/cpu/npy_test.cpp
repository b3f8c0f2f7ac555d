// The test-support .npy reader/writer: round trip, numpy's own files, clear errors.
#include <fstream>
#include <stdexcept>
#include <vector>

#include <gtest/gtest.h>

#include "support/npy.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

std::filesystem::path tempFile(const std::string& name)
{
    const auto dir = std::filesystem::temp_directory_path() / "stylize-npy-test";
    std::filesystem::create_directories(dir);
    return dir / name;
}

TEST(Npy, RoundTripsFloat32)
{
    const std::vector<std::int64_t> shape = {2, 3, 4};
    std::vector<float> data(24);
    for (std::size_t i = 0; i < data.size(); ++i)
        data[i] = float(i) * 0.5f - 3.f;
    const auto file = tempFile("round_trip.npy");
    writeNpy(file, shape, data);
    const NpyArray back = readNpy(file);
    EXPECT_EQ(back.shape, shape);
    EXPECT_EQ(back.data, data);

    const std::vector<std::int64_t> vector = {5};
    writeNpy(file, vector, std::span(data).first(5));
    EXPECT_EQ(readNpy(file).shape, vector);
}

TEST(Npy, ReadsNumpyFloatAndByteFiles)
{
    const NpyArray image = readNpy(dataDir() / "goldens" / "engstrom" / "input_70x54.npy");
    EXPECT_EQ(image.shape, (std::vector<std::int64_t>{54, 70, 3}));
    EXPECT_EQ(image.data.size(), 54u * 70u * 3u);
    const NpyArray out = readNpy(dataDir() / "goldens" / "engstrom" / "wave.npy");
    EXPECT_EQ(out.shape, (std::vector<std::int64_t>{3, 56, 72}));
}

TEST(Npy, RejectsWhatItCannotRead)
{
    const auto file = tempFile("bad.npy");
    std::ofstream(file, std::ios::binary) << "not numpy at all";
    EXPECT_THROW(readNpy(file), std::runtime_error);
    EXPECT_THROW(readNpy(tempFile("missing.npy")), std::runtime_error);
    const std::vector<std::int64_t> shape = {4};
    const std::vector<float> four(4, 1.f);
    writeNpy(file, shape, four);
    std::filesystem::resize_file(file, std::filesystem::file_size(file) - 4);
    try {
        readNpy(file);
        FAIL() << "a truncated file must throw";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find("bad.npy"), std::string::npos) << e.what();
    }
}

}  // namespace
}  // namespace stylize::test
