// stylize-cli styles: the styles of a model (the bundled pack by default), one per line.
#include <algorithm>
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "default_styles.h"
#include "model/loaders.h"

namespace stylize::cli {

int stylesCommand(const std::vector<std::string>& args)
{
    Arguments a(args, {"model"}, {});
    if (!a.positionals().empty())
        throw UsageError("styles takes no file arguments (use --model M)");
    // Both variants hold the same styles: the full one's list when both exist.
    const std::string path = app::modelPathOrDefault(a.value("model"), false);
    const model::Model model = model::loadModel(path);

    std::size_t width = 0;
    for (const auto& s : model.styles)
        width = std::max(width, s.name.size());
    for (const auto& s : model.styles) {
        std::string line = s.name + std::string(width + 2 - s.name.size(), ' ');
        line += s.title.empty() ? "(untitled)" : s.title;
        if (!s.artist.empty())
            line += " - " + s.artist;
        if (!s.year.empty())
            line += ", " + s.year;
        std::string credit = s.license;
        if (!s.source.empty())
            credit += (credit.empty() ? "" : "; ") + s.source;
        if (!credit.empty())
            line += " (" + credit + ")";
        std::printf("%s\n", line.c_str());
    }
    std::fprintf(stderr, "%zu style%s in %s\n", model.styles.size(), model.styles.size() == 1 ? "" : "s", path.c_str());
    return 0;
}

}  // namespace stylize::cli
