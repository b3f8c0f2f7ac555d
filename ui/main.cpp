// stylize: the desktop app. Usage: stylize [VIDEO_OR_IMAGE] [--device N|NAME] [--in-flight 1|2]
#include <csignal>
#include <cstdio>

#include <QApplication>
#include <QCommandLineParser>
#include <QDir>
#include <QFileInfo>
#include <QStandardPaths>
#include <QTimer>

#include "main_window.h"
#include "studio/studio_controller.h"

namespace {

// SIGTERM (logout, `kill`) and SIGINT (Ctrl+C in the terminal) close the window as its
// close button does: a recording is finished and kept, the engine shuts down. The handler
// only sets the flag (async-signal-safe); the event loop looks at it.
volatile std::sig_atomic_t closeRequested = 0;
extern "C" void requestClose(int) { closeRequested = 1; }

}  // namespace

int main(int argc, char** argv)
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName("Stylize");
    QApplication::setApplicationName("Stylize");
    QApplication::setApplicationVersion(STYLIZE_VERSION);

    QCommandLineParser parser;
    parser.setApplicationDescription("Real-time video stylization: your webcam or your videos, painted live.");
    parser.addHelpOption();
    parser.addVersionOption();
    QCommandLineOption device("device", "Vulkan device to use (index or part of its name).", "device");
    parser.addOption(device);
    QCommandLineOption inFlight("in-flight",
                                "Frames the live view and exports keep on the device: 1 or 2 (default: 2 on a GPU, 1 on a CPU "
                                "driver).",
                                "1|2");
    parser.addOption(inFlight);
    parser.addPositionalArgument("file", "A video or image to open instead of the camera.", "[file]");
    parser.process(app);

    const QDir resources(stylize::studio::bundledResourcesDir());
    stylize::studio::StudioConfig config;
    config.resourcesDir = resources.path();
    config.sampleClip = resources.filePath("samples/sample.mp4");
    config.sampleImage = resources.filePath("samples/coffee.jpg");
    config.previewCache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation) + "/previews";
    config.device = parser.value(device);
    if (parser.isSet(inFlight)) {
        const QString value = parser.value(inFlight);
        if (value != "1" && value != "2") {
            std::fprintf(stderr, "stylize: --in-flight takes 1 or 2, not '%s'\n", qPrintable(value));
            return 2;
        }
        config.framesInFlight = value.toInt();
    }

    stylize::ui::MainWindow window(config);
    window.show();
    std::optional<stylize::studio::SourceSpec> requested;
    if (!parser.positionalArguments().isEmpty()) {
        const QFileInfo file(parser.positionalArguments().first());
        requested = stylize::studio::SourceSpec{stylize::studio::SourceKind::File, file.absoluteFilePath(),
                                                file.fileName()};
    }
    window.start(requested);
    std::signal(SIGTERM, requestClose);
    std::signal(SIGINT, requestClose);
    QTimer closePoll;
    QObject::connect(&closePoll, &QTimer::timeout, &window, [&window] {
        if (closeRequested)
            window.close();
    });
    closePoll.start(100);
    return app.exec();
}
