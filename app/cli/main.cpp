// stylize-cli: headless stylization of images, video files and live sources.
#include <cstdio>
#include <exception>
#include <string>
#include <vector>

#include "cli/arguments.h"
#include "cli/commands.h"

namespace {

const char* kUsage = R"(Usage: stylize-cli COMMAND [options]

Commands:
  styles [--model M]
      List the styles of a model, one per line starting with the name to pass to --style.
  image IN OUT [--model M] [--style S] [--size WxH] [--processing WxH]
               [--strength 0..1] [--preserve-colours] [--scene-light 0..1] [--precision fp32|fp16]
               [--device D]
      Stylize a still image (PNG/JPEG in and out). The output has the input's size
      unless --size says otherwise; --processing sets the network's size ("brush").
  bench [--model M] [--style S | --style-image PICTURE] [--size WxH] [--runs N] [--precision fp32|fp16]
        [--scene-light 0..1] [--steady 0..1] [--device D] [--json]
      Time the network: median ms per frame over warm runs, GPU time per op, GFLOP/s.
  export IN OUT [--model M] [--style S] [--strength 0..1] [--preserve-colours] [--scene-light 0..1]
               [--steady 0..1]
               [--size WxH | --scale F] [--processing WxH] [--codec h264|hevc|vp9|av1]
               [--crf N] [--preset P] [--precision fp32|fp16] [--device D] [--verbose]
               [--in-flight 1|2]
      Stylize a video file with its audio (copied, or re-encoded to AAC for MP4 when
      the container cannot hold it). Progress on stderr; Ctrl-C stops and keeps a
      playable partial OUT. Exit 0: done; 1: failed (OUT removed); 3: the input was
      damaged, OUT holds what could be decoded; 130: stopped by Ctrl-C. --in-flight:
      frames on the device at once (2: the next uploads and the last reads back while
      one computes, the default on GPUs; 1: one at a time, the default on CPU drivers).
  live [--source SRC] [--record OUT] [--seconds N] [--model M] [--style S]
               [--size WxH] [--processing WxH] [--capture-size WxH] [--capture-fps N]
               [--codec C] [--crf N] [--preset P] [--in-flight 1|2]
               [--strength 0..1] [--preserve-colours] [--scene-light 0..1] [--steady 0..1]
      Stylize a live source headless: SRC is a camera name or /dev/videoN, 'testsrc'
      (the default: a 640x480 30 fps test pattern), 'lavfi:GRAPH', a URL or a file.
      Frames are dropped (and counted) when the stylizer or recorder falls behind; a
      recording (.mkv or .mp4, fragmented) stays playable if the process is killed.
      --in-flight as for export; a second frame goes to the device only while one
      waits (the network sets the rate), so it adds no latency.
  devices
      List the Vulkan devices (--device takes an index or part of a name) and the
      cameras with their sizes and frame rates.

Models: an ONNX file, an Engstrom/ml5 checkpoint folder or a .stylepack file. Without
--model, the bundled style pack (its light variant on CPU devices such as lavapipe).
Styles: --style NAME, or a blend such as --style wave=0.6,udnie=0.4 (pack styles).
Any picture as a style (image, export, live): --model DIR --style-image PICTURE[=w][,PICTURE=w],
DIR holding Magenta's arbitrary-style model (style_predict*.tflite, style_transfer*.tflite).
--strength mixes the stylized frame with the original; for pictures it mixes their style
with the first frame's own instead (Magenta's way: 0 paints the frame in its own style).
--scene-light keeps the scene's light: a style paints a dim room or a night as brightly
as a day (its network takes out the input's exposure); 1 scales each stylized frame to
the scene's mean luminance, 0.5 halfway (geometrically), 0 (the default) leaves it.
--steady (export, live; bench times it) calms the flicker: a style repaints each frame's
camera noise as moving strokes; with --steady a pixel keeps up to 90% of its last output
(at 1), followed along the scene's motion (up to 12 pixels a frame at a 320x180 processing
size, 36 at 1280x720), while whatever changes, or moves faster, is painted anew. 0 (the default) paints every
frame on its own.
)";

}  // namespace

int main(int argc, char** argv)
{
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
        std::fputs(kUsage, args.empty() ? stderr : stdout);
        return args.empty() ? 2 : 0;
    }
    const std::string command = args[0];
    args.erase(args.begin());
    try {
        if (command == "image")
            return stylize::cli::imageCommand(args);
        if (command == "bench")
            return stylize::cli::benchCommand(args);
        if (command == "export")
            return stylize::cli::exportCommand(args);
        if (command == "live")
            return stylize::cli::liveCommand(args);
        if (command == "styles")
            return stylize::cli::stylesCommand(args);
        if (command == "devices")
            return stylize::cli::devicesCommand(args);
        std::fprintf(stderr, "stylize-cli: unknown command '%s'\n\n%s", command.c_str(), kUsage);
        return 2;
    } catch (const stylize::cli::UsageError& e) {
        std::fprintf(stderr, "stylize-cli %s: %s (see stylize-cli --help)\n", command.c_str(), e.what());
        return 2;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "stylize-cli %s: %s\n", command.c_str(), e.what());
        return 1;
    }
}
