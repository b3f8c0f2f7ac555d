// Where tests find their data: committed goldens (tests/data) and ../shared fixtures.
#pragma once

#include <filesystem>

#include <gtest/gtest.h>

namespace stylize::test {

// tests/data in the source tree.
std::filesystem::path dataDir();
// ../shared/fixtures beside the checkout (STYLIZE_SHARED_DIR overrides at run time).
std::filesystem::path fixturesDir();
bool haveFixtures();

}  // namespace stylize::test

// Skips the current test with a clear message when ../shared/fixtures is absent.
#define STYLIZE_REQUIRE_FIXTURES()                                                     \
    do {                                                                               \
        if (!::stylize::test::haveFixtures())                                          \
            GTEST_SKIP() << "../shared/fixtures not found at "                         \
                         << ::stylize::test::fixturesDir() << "; set STYLIZE_SHARED_DIR"; \
    } while (0)
