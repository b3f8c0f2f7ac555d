// Which bundled pack a device gets, and where the resources folder is found.
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <gtest/gtest.h>

#include "default_styles.h"

namespace fs = std::filesystem;
using stylize::app::chooseDefaultPack;
using stylize::app::defaultPackPath;

namespace {

class DefaultStylesTest : public ::testing::Test {
protected:
    void SetUp() override
    {
        root_ = fs::temp_directory_path() / ("stylize-default-styles-" + std::to_string(::getpid()));
        fs::create_directories(root_ / "styles");
    }
    void TearDown() override { fs::remove_all(root_); }
    void touch(bool light) { std::ofstream(defaultPackPath(root_, light)) << "x"; }
    fs::path root_;
};

TEST_F(DefaultStylesTest, NoPackIsAClearErrorNamingBothPaths)
{
    try {
        chooseDefaultPack(root_, true);
        FAIL() << "expected an error";
    } catch (const std::runtime_error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("default.stylepack"), std::string::npos) << what;
        EXPECT_NE(what.find("default-light.stylepack"), std::string::npos) << what;
    }
}

TEST_F(DefaultStylesTest, CpuDevicesGetTheLightPackGpusTheFullOne)
{
    touch(false);
    touch(true);
    EXPECT_EQ(chooseDefaultPack(root_, true), defaultPackPath(root_, true));
    EXPECT_EQ(chooseDefaultPack(root_, false), defaultPackPath(root_, false));
}

TEST_F(DefaultStylesTest, AnyDeviceFallsBackToTheOnlyPack)
{
    touch(true);
    EXPECT_EQ(chooseDefaultPack(root_, false), defaultPackPath(root_, true));
    fs::remove(defaultPackPath(root_, true));
    touch(false);
    EXPECT_EQ(chooseDefaultPack(root_, true), defaultPackPath(root_, false));
}

TEST(ResourcesDir, EnvironmentOverridesAndSourceTreeIsTheFallback)
{
    ::setenv("STYLIZE_RESOURCES", "/opt/somewhere", 1);
    EXPECT_EQ(stylize::app::resourcesDir(), fs::path("/opt/somewhere"));
    ::unsetenv("STYLIZE_RESOURCES");
    EXPECT_TRUE(fs::is_directory(stylize::app::resourcesDir("/nonexistent") / "samples"));
}

}  // namespace
