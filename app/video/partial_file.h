// An output written under a temporary name beside its destination and renamed into
// place once complete: a failed or interrupted write never replaces or truncates a file
// that was there.
#pragma once

#include <string>

namespace stylize::video {

class PartialFile {
public:
    // Picks where to write: "<dir>/<stem>.partial-<pid>-<n><ext>" beside the destination
    // (beside its target when the destination is a link to a file, so the link stays).
    // A destination that exists and is not a regular file (a device such as /dev/null,
    // a FIFO) is written in place. With newInPlace, a destination that does not exist
    // yet is written in place too (live recordings: a crash then leaves the playable
    // file under the name asked for; there is nothing there to protect).
    explicit PartialFile(const std::string& destination, bool newInPlace = false);
    ~PartialFile();  // removes what it created unless commit() ran
    PartialFile(const PartialFile&) = delete;
    PartialFile& operator=(const PartialFile&) = delete;

    const std::string& writePath() const { return writePath_; }
    const std::string& destination() const { return destination_; }
    bool inPlace() const { return writePath_ == target_; }

    // Renames the finished file onto the destination; throws VideoError naming both.
    void commit();

private:
    std::string destination_, target_, writePath_;
    bool created_ = false;  // writePath_ is ours to remove (a partial file, or a new destination)
    bool committed_ = false;
};

// Throws VideoError when `output` names the same file as `input` (also through links
// or another spelling of the path): writing it would destroy the input being read.
void refuseOverwritingInput(const std::string& input, const std::string& output);

}  // namespace stylize::video
