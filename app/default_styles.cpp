// Bundled style packs: locating resources/ and picking the variant for a device.
#include "default_styles.h"

#include <cstdlib>
#include <stdexcept>
#include <system_error>

namespace stylize::app {

namespace fs = std::filesystem;

fs::path executableDir()
{
    std::error_code ec;
    const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    return ec ? fs::path() : exe.parent_path();
}

fs::path resourcesDir(const fs::path& exeDir)
{
    if (const char* env = std::getenv("STYLIZE_RESOURCES"); env && *env)
        return fs::path(env);
    std::error_code ec;
    if (!exeDir.empty()) {
        const fs::path installed = exeDir / ".." / "share" / "stylize";
        if (fs::is_directory(installed, ec))
            return fs::weakly_canonical(installed, ec);
    }
    return fs::path(STYLIZE_SOURCE_RESOURCES_DIR);
}

fs::path defaultPackPath(const fs::path& resources, bool light)
{
    return resources / "styles" / (light ? "default-light.stylepack" : "default.stylepack");
}

fs::path chooseDefaultPack(const fs::path& resources, bool cpuDevice)
{
    const fs::path full = defaultPackPath(resources, false), light = defaultPackPath(resources, true);
    std::error_code ec;
    const bool haveFull = fs::is_regular_file(full, ec), haveLight = fs::is_regular_file(light, ec);
    if (haveLight && (cpuDevice || !haveFull))
        return light;
    if (haveFull)
        return full;
    throw std::runtime_error("no bundled style pack: neither " + full.string() + " nor " + light.string() +
                             " exists (set STYLIZE_RESOURCES to the resources folder, or give a model)");
}

std::string modelPathOrDefault(const std::optional<std::string>& given, bool cpuDevice)
{
    return given ? *given : chooseDefaultPack(resourcesDir(), cpuDevice).string();
}

}  // namespace stylize::app
