// Export progress on the terminal: a redrawn bar with percent, fps and ETA on a TTY,
// plain lines every few seconds otherwise (logs, CI, pipes); and Ctrl-C as a flag.
#pragma once

#include <chrono>
#include <string>
#include <cstdio>

#include "pipeline/export_job.h"

namespace stylize::cli {

class ProgressPrinter {
public:
    explicit ProgressPrinter(std::FILE* out = stderr);
    void update(const pipeline::ExportProgress& progress);
    // Ends the bar's line so later output starts on a fresh one.
    void finish();
    bool tty() const { return tty_; }

private:
    std::FILE* out_;
    bool tty_;
    bool drawn_ = false;
    std::chrono::steady_clock::time_point lastLine_{};
};

// "1:05", "12 s"
std::string formatDuration(double seconds);

// First Ctrl-C sets the flag (the command then stops cleanly); a second one kills the
// process the default way.
void installInterruptFlag();
bool interruptRequested();

}  // namespace stylize::cli
