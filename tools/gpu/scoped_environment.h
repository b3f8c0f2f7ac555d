// An environment variable set for a scope and put back as it was (STYLIZE_CONV_KERNEL and
// STYLIZE_IN_REDUCTION are read whenever an op is built). stylize-gpu-check's main thread only.
#pragma once

#include <cstdlib>
#include <optional>
#include <string>

namespace stylize::gpucheck {

class ScopedEnvironment {
public:
    explicit ScopedEnvironment(const char* name) : name_(name)
    {
        if (const char* old = std::getenv(name))
            old_ = old;
    }
    ~ScopedEnvironment() { restore(); }
    ScopedEnvironment(const ScopedEnvironment&) = delete;
    ScopedEnvironment& operator=(const ScopedEnvironment&) = delete;
    void set(const char* value) { setenv(name_, value, 1); }
    // Back to the value it had when the scope began.
    void restore()
    {
        if (old_)
            setenv(name_, old_->c_str(), 1);
        else
            unsetenv(name_);
    }

private:
    const char* name_;
    std::optional<std::string> old_;
};

}  // namespace stylize::gpucheck
