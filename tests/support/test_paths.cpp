// Resolves the test data folders baked in at configure time, with an env override.
#include "support/test_paths.h"

#include <cstdlib>

namespace stylize::test {

std::filesystem::path dataDir() { return STYLIZE_TEST_DATA_DIR; }

std::filesystem::path fixturesDir()
{
    if (const char* env = std::getenv("STYLIZE_SHARED_DIR"); env && *env)
        return std::filesystem::path(env) / "fixtures";
    return std::filesystem::path(STYLIZE_SHARED_DIR) / "fixtures";
}

bool haveFixtures() { return std::filesystem::is_directory(fixturesDir() / "models"); }

}  // namespace stylize::test
