// Shared helpers of the model tests: temp folders, file bytes, synthetic models and
// checkpoints, and a deep comparison of two Models.
#pragma once

#include <cstdint>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "model/model.h"

namespace stylize::test {

// A fresh folder under the system temp dir, removed with everything in it on destruction.
class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }
    std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

private:
    std::filesystem::path path_;
};

std::vector<std::uint8_t> readBytes(const std::filesystem::path& file);
void writeBytes(const std::filesystem::path& file, const std::vector<std::uint8_t>& bytes);
std::string readText(const std::filesystem::path& file);
void writeText(const std::filesystem::path& file, const std::string& text);

std::vector<float> randomFloats(std::mt19937& rng, std::size_t count);

// A small valid model that uses every op kind, with `styles` style slots and thumbnails.
model::Model everyOpModel(int styles);

// An Engstrom/ml5-style checkpoint folder with random weights and the given widths.
void writeTinyCheckpoint(const std::filesystem::path& folder, int a, int b, int c, int blocks);

// Expects equal models, bit for bit in every float; origin is not compared.
void expectSameModel(const model::Model& expected, const model::Model& actual);
// Same graph and weights; node names, model name, origin and style info not compared.
void expectSameNetwork(const model::Model& expected, const model::Model& actual);

// Runs fn and returns the ModelError message; fails the test if fn does not throw one.
template <class Fn>
std::string modelErrorOf(Fn&& fn)
{
    try {
        fn();
    } catch (const model::ModelError& e) {
        return e.what();
    }
    ADD_FAILURE() << "expected a ModelError";
    return {};
}

}  // namespace stylize::test
