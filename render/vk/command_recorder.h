// Records a command buffer once and replays it: dispatches declare the buffers they read
// and write, and the recorder inserts the barriers those accesses need (ops never do),
// with an optional GPU timestamp after every dispatch.
#pragma once

#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "vk/handle.h"

namespace stylize::vk {

class Buffer;
class Context;
struct Pipeline;

struct OpTiming {
    std::string label;
    double ms = 0;
};

class CommandRecorder {
public:
    CommandRecorder(const Context& context, bool timestamps);
    ~CommandRecorder();
    CommandRecorder(const CommandRecorder&) = delete;
    CommandRecorder& operator=(const CommandRecorder&) = delete;

    void begin();
    // From now on, record every dispatch as a single workgroup: for warm-up submissions
    // whose only purpose is to make a CPU driver compile each pipeline (lavapipe compiles
    // at a pipeline's first dispatch, whatever its size), so that warming a plan up costs
    // its compiles, not a whole frame's arithmetic. What such commands write is garbage.
    void recordSingleWorkgroups(bool single) { singleWorkgroups_ = single; }
    void dispatch(const Pipeline& pipeline, VkDescriptorSet set, const void* push, std::uint32_t pushBytes,
                  std::uint32_t groupsX, std::uint32_t groupsY, std::uint32_t groupsZ,
                  std::initializer_list<Buffer*> reads, std::initializer_list<Buffer*> writes,
                  std::string label);
    void copy(Buffer* source, Buffer* destination, std::uint64_t bytes, std::string label);
    // Ends recording with a barrier that makes every write visible to the host.
    void end();

    // Submits the recorded commands and waits; a GPU that does not finish within the
    // timeout is an error (a hung device), never silently ignored. The generous default
    // covers CPU drivers on a loaded machine, where one big frame can take minutes.
    void submitAndWait(std::chrono::milliseconds timeout = std::chrono::minutes(10));
    // The two halves, for frames in flight: submit() returns at once; wait() blocks until
    // that work is done (nothing to do if it is), with the same timeout rule.
    void submit();
    void wait(std::chrono::milliseconds timeout = std::chrono::minutes(10));

    // Per-dispatch GPU times of the last submission (empty without timestamps).
    std::vector<OpTiming> timings() const;
    bool recorded() const { return recorded_; }
    // Whether the recorded commands dispatch a pipeline that has not run yet (on a CPU
    // driver: running them compiles it).
    bool runsNewPipelines() const;
    // Work submitted earlier (one that timed out) still running on the device; asks the
    // fence without waiting.
    bool stillRunning();
    int barrierCount() const { return static_cast<int>(epoch_); }

private:
    void access(std::initializer_list<Buffer*> reads, std::initializer_list<Buffer*> writes);
    void stamp(std::string label);
    void finished();  // the submitted work is done

    const Context& context_;
    CommandPoolHandle pool_;
    VkCommandBuffer commands_ = VK_NULL_HANDLE;
    FenceHandle fence_;
    QueryPoolHandle queries_;
    std::uint32_t queryCapacity_ = 0;
    std::vector<std::string> labels_;
    std::vector<const Pipeline*> pipelines_;  // dispatched by the recorded commands
    std::int64_t epoch_ = 0;  // number of barriers recorded so far
    bool recorded_ = false;
    bool singleWorkgroups_ = false;  // see recordSingleWorkgroups
    bool inFlight_ = false;   // submitted and not yet seen finished
};

}  // namespace stylize::vk
