// The stylize-cli subcommands; each returns the process exit code.
#pragma once

#include <string>
#include <vector>

namespace stylize::cli {

int imageCommand(const std::vector<std::string>& args);
int benchCommand(const std::vector<std::string>& args);
int devicesCommand(const std::vector<std::string>& args);
int exportCommand(const std::vector<std::string>& args);
int liveCommand(const std::vector<std::string>& args);
int stylesCommand(const std::vector<std::string>& args);

}  // namespace stylize::cli
