// A small command-line parser: positionals plus --name value / --flag options, with
// errors that say which option was wrong and what it expected.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "image.h"

namespace stylize::cli {

class UsageError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class Arguments {
public:
    // valueOptions take a value ("--model M"); flags take none ("--json").
    Arguments(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
              const std::set<std::string>& flags);

    const std::vector<std::string>& positionals() const { return positionals_; }
    std::optional<std::string> value(const std::string& name) const;
    std::string value(const std::string& name, const std::string& fallback) const;
    bool flag(const std::string& name) const { return flags_.count(name) > 0; }
    int integer(const std::string& name, int fallback, int lo, int hi) const;
    double number(const std::string& name, double fallback, double lo, double hi) const;
    // "WxH" (e.g. 640x480); empty Size when the option is absent.
    render::Size size(const std::string& name) const;

private:
    std::vector<std::string> positionals_;
    std::map<std::string, std::string> values_;
    std::set<std::string> flags_;
};

render::Size parseSize(const std::string& text, const std::string& what);

}  // namespace stylize::cli
