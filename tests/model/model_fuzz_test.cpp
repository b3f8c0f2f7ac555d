// Deterministic mutation fuzzing of every loader: each damaged file must either load into
// a valid model or be rejected with a ModelError; anything else (another exception, a
// crash, a sanitizer report under -DSTYLIZE_SANITIZE=ON) fails.
// STYLIZE_FUZZ_ITERATIONS and STYLIZE_FUZZ_SECONDS lengthen a run; STYLIZE_FUZZ_SEED varies it.
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <optional>

#include <gtest/gtest.h>

#include "model/loaders.h"
#include "model/magenta_loader.h"
#include "model_test_util.h"
#include "support/test_paths.h"

namespace stylize::test {
namespace {

using namespace stylize::model;
namespace fs = std::filesystem;
using Bytes = std::vector<std::uint8_t>;

long envNumber(const char* name, long fallback)
{
    const char* v = std::getenv(name);
    return v && *v ? std::strtol(v, nullptr, 10) : fallback;
}

// Byte-level mutations, with number splices aimed at JSON text or protobuf varints.
class Mutator {
public:
    explicit Mutator(std::uint64_t seed) : rng_(seed) {}

    Bytes mutate(Bytes b, bool text)
    {
        const int rounds = 1 + int(below(3));
        for (int r = 0; r < rounds; ++r)
            mutateOnce(b, text);
        return b;
    }

private:
    std::size_t below(std::size_t n) { return n == 0 ? 0 : std::size_t(rng_() % n); }

    void mutateOnce(Bytes& b, bool text)
    {
        if (b.empty()) {
            b.push_back(std::uint8_t(rng_()));
            return;
        }
        const std::size_t at = below(b.size());
        switch (below(8)) {
            case 0:
                b[at] ^= std::uint8_t(1u << below(8));
                break;
            case 1:
                b[at] = std::uint8_t(rng_());
                break;
            case 2:
                b.resize(at);
                break;
            case 3: {
                Bytes extra(1 + below(16));
                for (auto& x : extra)
                    x = std::uint8_t(rng_());
                b.insert(b.begin() + std::ptrdiff_t(at), extra.begin(), extra.end());
                break;
            }
            case 4:
                b.erase(b.begin() + std::ptrdiff_t(at),
                        b.begin() + std::ptrdiff_t(std::min(b.size(), at + 1 + below(64))));
                break;
            case 5: {
                const std::size_t len = std::min(b.size() - at, 1 + below(256));
                const Bytes chunk(b.begin() + std::ptrdiff_t(at), b.begin() + std::ptrdiff_t(at + len));
                const std::size_t to = below(b.size());
                b.insert(b.begin() + std::ptrdiff_t(to), chunk.begin(), chunk.end());
                break;
            }
            default:
                if (text)
                    spliceNumber(b, at);
                else
                    spliceVarint(b, at);
        }
    }

    // Replaces the digits around a position with an extreme number.
    void spliceNumber(Bytes& b, std::size_t at)
    {
        static const char* const numbers[] = {"99999999999999999999",
                                              "-1",
                                              "4294967296",
                                              "1e308",
                                              "-9223372036854775808",
                                              "0",
                                              "65535",
                                              "2147483647",
                                              "18446744073709551615",
                                              "1.5",
                                              "-0",
                                              "4097",
                                              "16"};
        std::size_t begin = at;
        while (begin < b.size() && !std::isdigit(b[begin]))
            ++begin;
        if (begin == b.size())
            return;
        std::size_t end = begin;
        while (end < b.size() && std::isdigit(b[end]))
            ++end;
        const std::string n = numbers[below(std::size(numbers))];
        b.erase(b.begin() + std::ptrdiff_t(begin), b.begin() + std::ptrdiff_t(end));
        b.insert(b.begin() + std::ptrdiff_t(begin), n.begin(), n.end());
    }

    // Writes a maximal or otherwise extreme varint, as a length or a value would be.
    void spliceVarint(Bytes& b, std::size_t at)
    {
        static const Bytes varints[] = {{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01},  // 2^64 - 1
                                        {0xff, 0xff, 0xff, 0xff, 0x07},                                // 2^31 - 1
                                        {0x80, 0x80, 0x80, 0x80, 0x10},                                // 2^32
                                        {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f},        // 2^63 - 1
                                        {0x00},
                                        {0x7f},
                                        {0x80, 0x01}};
        const Bytes& v = varints[below(std::size(varints))];
        if (below(2)) {
            b.insert(b.begin() + std::ptrdiff_t(at), v.begin(), v.end());
        } else {
            for (std::size_t i = 0; i < v.size() && at + i < b.size(); ++i)
                b[at + i] = v[i];
        }
    }

    std::mt19937_64 rng_;
};

// Runs mutations until the iteration or time budget is spent. `mutateAndLoad` writes a
// mutated input and loads it.
void fuzz(const char* name, const std::function<Model(Mutator&, int)>& mutateAndLoad)
{
    const long iterations = envNumber("STYLIZE_FUZZ_ITERATIONS", 4000);
    const auto budget = std::chrono::seconds(envNumber("STYLIZE_FUZZ_SECONDS", 8));
    const auto seed = std::uint64_t(envNumber("STYLIZE_FUZZ_SEED", 20240601));
    Mutator mutator(seed);
    const auto start = std::chrono::steady_clock::now();
    long accepted = 0, rejected = 0, i = 0;
    for (; i < iterations && std::chrono::steady_clock::now() - start < budget; ++i) {
        std::optional<Model> model;
        try {
            model = mutateAndLoad(mutator, int(i));
            ++accepted;
        } catch (const ModelError&) {
            ++rejected;
        } catch (const std::exception& e) {
            ADD_FAILURE() << name << " iteration " << i << " (seed " << seed
                          << ") threw something other than ModelError: " << e.what();
            return;
        } catch (...) {
            ADD_FAILURE() << name << " iteration " << i << " (seed " << seed << ") threw a non-exception";
            return;
        }
        if (model) {
            EXPECT_NO_THROW(validate(*model)) << name << " iteration " << i;
            try {
                (void)inferShapes(*model, 24, 32);  // may reject the size, never crash
            } catch (const ModelError&) {
            }
        }
    }
    std::cout << "[ fuzz     ] " << name << ": " << i << " inputs, " << accepted << " loaded, " << rejected
              << " rejected\n";
    EXPECT_GT(rejected, 0);
}

TEST(ModelFuzz, EngstromCheckpoint)
{
    TempDir tmp;
    const fs::path dir = tmp / "ckpt";
    writeTinyCheckpoint(dir, 4, 6, 8, 1);
    const Bytes manifest = readBytes(dir / "manifest.json");
    const std::vector<std::string> names = {"Variable", "Variable_4", "Variable_20", "Variable_24"};
    std::vector<Bytes> originals;
    for (const auto& n : names)
        originals.push_back(readBytes(dir / n));
    fs::path damaged;  // the file the previous round changed, restored first
    fuzz("Engstrom checkpoint", [&](Mutator& m, int i) {
        if (damaged == dir / "manifest.json")
            writeBytes(damaged, manifest);
        for (std::size_t k = 0; k < names.size(); ++k)
            if (damaged == dir / names[k])
                writeBytes(damaged, originals[k]);
        if (i % 5 == 4) {
            const std::size_t k = std::size_t(i / 5) % names.size();
            damaged = dir / names[k];
            writeBytes(damaged, m.mutate(originals[k], false));
        } else {
            damaged = dir / "manifest.json";
            writeBytes(damaged, m.mutate(manifest, true));
        }
        return loadEngstromCheckpoint(dir);
    });
}

TEST(ModelFuzz, Onnx)
{
    TempDir tmp;
    const std::vector<Bytes> bases = {readBytes(dataDir() / "model" / "ops.onnx"),
                                      readBytes(dataDir() / "model" / "transformer_small.onnx"),
                                      readBytes(dataDir() / "model" / "ops_opset9.onnx")};
    const fs::path file = tmp / "fuzz.onnx";
    fuzz("ONNX", [&](Mutator& m, int i) {
        writeBytes(file, m.mutate(bases[std::size_t(i) % bases.size()], false));
        return loadOnnx(file);
    });
}

TEST(ModelFuzz, StylePack)
{
    TempDir tmp;
    saveStylePack(everyOpModel(2), tmp / "base.stylepack");
    const Bytes base = readBytes(tmp / "base.stylepack");
    const fs::path file = tmp / "fuzz.stylepack";
    fuzz("style pack", [&](Mutator& m, int i) {
        // Half the rounds aim at the JSON numbers, half at any byte.
        writeBytes(file, m.mutate(base, i % 2 == 0));
        return loadStylePack(file);
    });
}

// Magenta's transfer network (TensorFlow Lite, fp16 and int8 weights): damaged copies load
// into a valid network (given a style) or are rejected with a ModelError.
TEST(ModelFuzz, MagentaTransferNetwork)
{
    STYLIZE_REQUIRE_FIXTURES();
    TempDir tmp;
    const fs::path folder = fixturesDir() / "models/magenta-arbitrary";
    const std::vector<Bytes> bases = {readBytes(folder / "style_transfer_f16_384.tflite"),
                                      readBytes(folder / "style_transfer_quantized_384.tflite")};
    const fs::path file = tmp / "fuzz.tflite";
    fuzz("Magenta transfer network", [&](Mutator& m, int i) {
        const Bytes& base = bases[std::size_t(i) % bases.size()];
        // Half the rounds in the first 8 KiB (the tables, offsets and shapes), half anywhere.
        Bytes b = base;
        if (i % 2 == 0) {
            Bytes head(b.begin(), b.begin() + std::min<std::ptrdiff_t>(8192, std::ptrdiff_t(b.size())));
            head = m.mutate(std::move(head), false);
            if (head.size() == std::min<std::size_t>(8192, b.size()))
                std::copy(head.begin(), head.end(), b.begin());
            else
                b = head;  // shortened or grown: the file cut there
        } else {
            b = m.mutate(std::move(b), false);
        }
        writeBytes(file, b);
        MagentaTransfer t = loadMagentaTransfer(file);
        t.projection.addStyle(t.model, std::vector<float>(std::size_t(t.projection.vectorSize), 0.1f), {"fuzz"});
        return t.model;
    });
}

}  // namespace
}  // namespace stylize::test
