// Where the bundled style packs live and which one a device gets when the user names no
// model: the full network on real GPUs, the light one on CPU devices (lavapipe, SwiftShader),
// where the full one cannot keep a live view moving.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

namespace stylize::app {

// The folder of the running executable (empty if the OS does not say).
std::filesystem::path executableDir();

// The resources folder: $STYLIZE_RESOURCES, else share/stylize beside an installed
// binary (exeDir/../share/stylize), else the source tree's resources/ (compiled in).
std::filesystem::path resourcesDir(const std::filesystem::path& exeDir = executableDir());

// resources/styles/default.stylepack (full) or default-light.stylepack (light).
std::filesystem::path defaultPackPath(const std::filesystem::path& resources, bool light);

// The pack for a device: light on CPU devices when it exists, else the full one, else
// whichever exists. Throws std::runtime_error naming both paths when neither exists.
std::filesystem::path chooseDefaultPack(const std::filesystem::path& resources, bool cpuDevice);

// What a command without --model loads: `given` if set, else chooseDefaultPack() in
// resourcesDir().
std::string modelPathOrDefault(const std::optional<std::string>& given, bool cpuDevice);

}  // namespace stylize::app
