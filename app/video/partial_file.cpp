// PartialFile: write beside, rename into place; and the output-is-the-input check.
#include "video/partial_file.h"

#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <system_error>

#include "video/av_error.h"

namespace stylize::video {
namespace fs = std::filesystem;

namespace {
std::atomic<int> g_counter{0};  // any thread: distinct names within one process
}

PartialFile::PartialFile(const std::string& destination, bool newInPlace)
    : destination_(destination), target_(destination)
{
    std::error_code ec;
    const fs::file_status link = fs::symlink_status(destination, ec);
    if (fs::is_symlink(link)) {
        const fs::path resolved = fs::canonical(destination, ec);
        if (!ec)
            target_ = resolved.string();
    }
    const fs::file_status status = fs::status(target_, ec);
    if (fs::exists(status) && !fs::is_regular_file(status)) {
        writePath_ = target_;  // a device or FIFO: there is nothing to keep
        return;
    }
    if (!fs::exists(status) && newInPlace) {
        writePath_ = target_;
        created_ = true;
        return;
    }
    const fs::path t(target_);
    writePath_ = (t.parent_path() / (t.stem().string() + ".partial-" + std::to_string(getpid()) + "-" +
                                     std::to_string(g_counter.fetch_add(1)) + t.extension().string()))
                     .string();
    created_ = true;
}

PartialFile::~PartialFile()
{
    if (!committed_ && created_) {
        std::error_code ec;
        fs::remove(writePath_, ec);
    }
}

void PartialFile::commit()
{
    if (committed_)
        return;
    if (!inPlace()) {
        std::error_code ec;
        fs::rename(writePath_, target_, ec);
        if (ec)
            throw VideoError("Could not move the finished " + writePath_ + " to " + destination_ + ": " + ec.message() +
                             ". The finished file is still at " + writePath_ + ".");
    }
    committed_ = true;
}

void refuseOverwritingInput(const std::string& input, const std::string& output)
{
    std::error_code ec;
    if (!fs::exists(output, ec) || !fs::exists(input, ec))
        return;
    if (fs::equivalent(input, output, ec) && !ec)
        throw VideoError("The output " + output + " is the input " + input +
                         " itself: writing it would destroy the video being read. Choose another output file.");
}

}  // namespace stylize::video
