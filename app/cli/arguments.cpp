// Arguments: parsing and typed access with range checks.
#include "cli/arguments.h"

#include <charconv>
#include <cstdio>

namespace stylize::cli {

Arguments::Arguments(const std::vector<std::string>& args, const std::set<std::string>& valueOptions,
                     const std::set<std::string>& flags)
{
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (a.rfind("--", 0) != 0 || a == "--") {
            positionals_.push_back(a);
            continue;
        }
        std::string name = a.substr(2), inlineValue;
        bool hasInline = false;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inlineValue = name.substr(eq + 1);
            name = name.substr(0, eq);
            hasInline = true;
        }
        if (flags.count(name)) {
            if (hasInline)
                throw UsageError("Option --" + name + " takes no value");
            flags_.insert(name);
        } else if (valueOptions.count(name)) {
            if (hasInline)
                values_[name] = inlineValue;
            else if (i + 1 < args.size())
                values_[name] = args[++i];
            else
                throw UsageError("Option --" + name + " needs a value");
        } else {
            throw UsageError("Unknown option " + a);
        }
    }
}

std::optional<std::string> Arguments::value(const std::string& name) const
{
    auto it = values_.find(name);
    if (it == values_.end())
        return std::nullopt;
    return it->second;
}

std::string Arguments::value(const std::string& name, const std::string& fallback) const
{
    return value(name).value_or(fallback);
}

int Arguments::integer(const std::string& name, int fallback, int lo, int hi) const
{
    auto text = value(name);
    if (!text)
        return fallback;
    int v = 0;
    auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), v);
    if (ec != std::errc() || end != text->data() + text->size() || v < lo || v > hi)
        throw UsageError("--" + name + " expects a whole number from " + std::to_string(lo) + " to " +
                         std::to_string(hi) + ", got '" + *text + "'");
    return v;
}

double Arguments::number(const std::string& name, double fallback, double lo, double hi) const
{
    auto text = value(name);
    if (!text)
        return fallback;
    try {
        std::size_t used = 0;
        double v = std::stod(*text, &used);
        if (used == text->size() && v >= lo && v <= hi)
            return v;
    } catch (const std::exception&) {
    }
    // %g: "from 0 to 1", not std::to_string's "from 0.000000 to 1.000000".
    const auto shortest = [](double x) {
        char buffer[32];
        std::snprintf(buffer, sizeof buffer, "%g", x);
        return std::string(buffer);
    };
    throw UsageError("--" + name + " expects a number from " + shortest(lo) + " to " + shortest(hi) + ", got '" +
                     *text + "'");
}

render::Size parseSize(const std::string& text, const std::string& what)
{
    const auto x = text.find_first_of("xX");
    render::Size s;
    if (x != std::string::npos) {
        auto [e1, ec1] = std::from_chars(text.data(), text.data() + x, s.width);
        auto [e2, ec2] = std::from_chars(text.data() + x + 1, text.data() + text.size(), s.height);
        if (ec1 == std::errc() && ec2 == std::errc() && e1 == text.data() + x && e2 == text.data() + text.size() &&
            s.width >= 8 && s.height >= 8 && s.width <= 8192 && s.height <= 8192)
            return s;
    }
    throw UsageError(what + " expects WIDTHxHEIGHT between 8x8 and 8192x8192 (e.g. 640x480), got '" + text + "'");
}

render::Size Arguments::size(const std::string& name) const
{
    auto text = value(name);
    return text ? parseSize(*text, "--" + name) : render::Size{};
}

}  // namespace stylize::cli
