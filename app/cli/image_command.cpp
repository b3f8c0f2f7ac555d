// stylize-cli image: one still image through the engine.
#include <cstdio>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "cli/engine_setup.h"
#include "image_io.h"
#include "stylizer.h"

namespace stylize::cli {

int imageCommand(const std::vector<std::string>& args)
{
    Arguments a(
        args, {"model", "style", "style-image", "size", "processing", "strength", "scene-light", "precision", "device"},
        {"preserve-colours"});
    if (a.positionals().size() != 2)
        throw UsageError("image needs an input and an output file");
    const std::string in = a.positionals()[0], out = a.positionals()[1];
    render::Image frame = app::readImage(in);

    EngineSetup engine(a);

    const render::Size output = a.size("size").empty() ? frame.size() : a.size("size");
    const render::Size processing = a.size("processing").empty() ? output : a.size("processing");
    render::Image result;
    engine.stylizerFor(render::frameView(frame.view())).run(frame.view(), processing, output, result);
    app::writeImage(result, out);
    std::printf("%s: %dx%d stylized with %s on %s (%s), written to %s\n", in.c_str(), result.width, result.height,
                engine.styleDescription().c_str(), engine.context().info().name.c_str(),
                render::precisionName(engine.stylizer().precision()), out.c_str());
    return 0;
}

}  // namespace stylize::cli
