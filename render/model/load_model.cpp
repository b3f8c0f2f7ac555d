// Chooses the loader for a path: checkpoint folder, ONNX file or style pack.
#include <algorithm>
#include <cctype>
#include <system_error>

#include "model/file_bytes.h"
#include "model/loaders.h"

namespace stylize::model {

Model loadModel(const std::filesystem::path& path)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (!fs::exists(status))
        throw ModelError(displayPath(path) + ": no such file or folder");
    if (fs::is_directory(status)) {
        if (fs::exists(path / "manifest.json", ec))
            return loadEngstromCheckpoint(path);
        throw ModelError(displayPath(path) +
                         ": is a folder without manifest.json; expected an Engstrom/ml5 "
                         "checkpoint folder, an .onnx file or a .stylepack file");
    }
    std::string ext = path.extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (ext == ".onnx")
        return loadOnnx(path);
    if (ext == ".stylepack")
        return loadStylePack(path);
    if (path.filename() == "manifest.json")
        return loadEngstromCheckpoint(path.parent_path());
    throw ModelError(displayPath(path) +
                     ": has an unknown file type; expected an .onnx file, a .stylepack file "
                     "or an Engstrom/ml5 checkpoint folder");
}

}  // namespace stylize::model
