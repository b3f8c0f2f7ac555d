// What every engine-using command does first: load the model, open the device, build
// the stylizer with the requested precision, styles, strength and colour preservation.
#pragma once

#include <memory>
#include <string>

#include "cli/arguments.h"
#include "model/model.h"
#include "stylizer.h"
#include "vk/context.h"

namespace stylize::cli {

class EngineSetup {
public:
    explicit EngineSetup(const Arguments& args, bool timestamps = false);
    vk::Context& context() { return *context_; }
    render::Stylizer& stylizer() { return *stylizer_; }
    const model::Model& model() const { return stylizer_->model(); }
    // "wave" or "wave 60% + udnie 40%".
    std::string styleDescription() const { return styles_; }

private:
    std::unique_ptr<vk::Context> context_;
    std::unique_ptr<render::Stylizer> stylizer_;
    std::string styles_;
};

}  // namespace stylize::cli
