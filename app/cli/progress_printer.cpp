// ProgressPrinter and the SIGINT flag.
#include "cli/progress_printer.h"

#include <csignal>
#include <string>

#include <unistd.h>

namespace stylize::cli {
namespace {

volatile std::sig_atomic_t interrupted = 0;  // written by the signal handler only

void onInterrupt(int)
{
    interrupted = 1;
}

}  // namespace

void installInterruptFlag()
{
    struct sigaction action {};
    action.sa_handler = onInterrupt;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESETHAND;  // a second Ctrl-C terminates at once
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}

bool interruptRequested()
{
    return interrupted != 0;
}

std::string formatDuration(double seconds)
{
    if (seconds < 0)
        return "?";
    const long s = static_cast<long>(seconds + 0.5);
    char text[32];
    if (s < 60)
        std::snprintf(text, sizeof text, "%ld s", s);
    else if (s < 3600)
        std::snprintf(text, sizeof text, "%ld:%02ld", s / 60, s % 60);
    else
        std::snprintf(text, sizeof text, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
    return text;
}

ProgressPrinter::ProgressPrinter(std::FILE* out) : out_(out), tty_(isatty(fileno(out)) != 0) {}

void ProgressPrinter::update(const pipeline::ExportProgress& p)
{
    const double fraction = p.framesTotal > 0 ? double(p.framesDone) / p.framesTotal : 0.0;
    const int percent = static_cast<int>(fraction * 100);
    if (tty_) {
        constexpr int width = 30;
        const int filled = static_cast<int>(fraction * width);
        std::string bar(filled, '#');
        bar += std::string(width - filled, '-');
        std::fprintf(out_, "\r[%s] %3d%%  %lld/%lld frames  %.1f fps  ETA %s   ", bar.c_str(), percent,
                     static_cast<long long>(p.framesDone), static_cast<long long>(p.framesTotal), p.fps,
                     formatDuration(p.etaSeconds).c_str());
        drawn_ = true;
    } else {
        const auto now = std::chrono::steady_clock::now();
        if (now - lastLine_ < std::chrono::seconds(2) && p.framesDone < p.framesTotal)
            return;
        lastLine_ = now;
        std::fprintf(out_, "progress: %d%% (%lld/%lld frames), %.1f fps, ETA %s\n", percent,
                     static_cast<long long>(p.framesDone), static_cast<long long>(p.framesTotal), p.fps,
                     formatDuration(p.etaSeconds).c_str());
    }
    std::fflush(out_);
}

void ProgressPrinter::finish()
{
    if (drawn_)
        std::fputc('\n', out_);
    drawn_ = false;
    std::fflush(out_);
}

}  // namespace stylize::cli
