// parseStyleSelection: "name[=weight],..." into normalized per-slot weights.
#include "style_selection.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <stdexcept>

namespace stylize::app {
namespace {

std::string lower(std::string s)
{
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

std::string available(const model::Model& model)
{
    std::string list;
    for (const model::StyleInfo& s : model.styles)
        list += (list.empty() ? "" : ", ") + s.name;
    return list;
}

int findStyle(const std::string& name, const model::Model& model)
{
    for (int i = 0; i < model.styleCount(); ++i)
        if (lower(model.styles[i].name) == lower(name))
            return i;
    int index = -1;
    auto [end, ec] = std::from_chars(name.data(), name.data() + name.size(), index);
    if (ec == std::errc() && end == name.data() + name.size() && index >= 0 && index < model.styleCount())
        return index;
    throw std::invalid_argument("Unknown style '" + name + "' in model '" + model.name +
                                "'; available: " + available(model));
}

}  // namespace

std::vector<float> parseStyleSelection(const std::string& text, const model::Model& model)
{
    std::vector<float> weights(model.styleCount(), 0.f);
    if (text.empty()) {
        weights[0] = 1.f;
        return weights;
    }
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        start = comma == std::string::npos ? text.size() + 1 : comma + 1;
        if (item.empty())
            continue;
        std::string name = item;
        float weight = 1.f;
        if (std::size_t eq = item.find('='); eq != std::string::npos) {
            name = item.substr(0, eq);
            std::string value = item.substr(eq + 1);
            try {
                std::size_t used = 0;
                weight = std::stof(value, &used);
                if (used != value.size())
                    throw std::invalid_argument("");
            } catch (const std::exception&) {
                throw std::invalid_argument("Style weight '" + value + "' for '" + name + "' is not a number");
            }
            if (!(weight >= 0.f) || weight > 1e6f)
                throw std::invalid_argument("Style weight for '" + name + "' must be zero or positive");
        }
        weights[findStyle(name, model)] += weight;
    }
    float sum = 0.f;
    for (float w : weights)
        sum += w;
    if (sum <= 0.f)
        throw std::invalid_argument("Style weights in '" + text + "' add up to zero");
    for (float& w : weights)
        w /= sum;
    return weights;
}

}  // namespace stylize::app
