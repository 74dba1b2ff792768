// Commands sweep and sensitivity (issue: what-if studies). Registered here when implemented.
#include "cli/commands.hpp"

namespace mistakesim::cli {
void add_whatif_commands(CLI::App&, Action&) {}
}  // namespace mistakesim::cli
