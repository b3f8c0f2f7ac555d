// What the export and live pipelines share internally: the first failure of any stage
// thread, kept so the others can stop and the caller can rethrow it.
#pragma once

#include <exception>
#include <mutex>
#include <string>

namespace stylize::pipeline {

// Thrown inside a stage when its queue was cancelled: unwinds the stage quietly.
struct StageStopped {};

class FailureLatch {
public:
    // Keeps the first failure; returns true if this call was the first.
    bool set(std::exception_ptr error)
    {
        std::lock_guard lock(mutex_);
        if (error_)
            return false;
        error_ = std::move(error);
        return true;
    }
    bool failed() const
    {
        std::lock_guard lock(mutex_);
        return error_ != nullptr;
    }
    std::exception_ptr error() const
    {
        std::lock_guard lock(mutex_);
        return error_;
    }
    // The failure's message ("unknown error" for non-standard exceptions).
    std::string message() const
    {
        try {
            std::rethrow_exception(error());
        } catch (const std::exception& e) {
            return e.what();
        } catch (...) {
            return "unknown error";
        }
    }

private:
    mutable std::mutex mutex_;
    std::exception_ptr error_;  // mutex_
};

}  // namespace stylize::pipeline
