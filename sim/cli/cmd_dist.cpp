// Command dist: preview an input distribution (issue: inputs people can trust). Registered here when implemented.
#include "cli/commands.hpp"

namespace mistakesim::cli {
void add_dist_command(CLI::App&, Action&) {}
}  // namespace mistakesim::cli
