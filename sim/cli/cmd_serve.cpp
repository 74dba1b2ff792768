// Command serve: a local page where the study's inputs can be moved and the cost re-runs.

#include <fmt/format.h>

#include <iostream>
#include <mistakesim/errors.hpp>

#include "cli/commands.hpp"
#include "serve/server.hpp"
#include "serve/session.hpp"

namespace mistakesim::cli {
namespace {

struct ServeArgs {
  std::string config;
  int port = 0;
  std::uint64_t trials = 20'000;
  unsigned threads = 0;
};

int cmd_serve(const ServeArgs& a) {
  if (a.trials > 10'000'000)
    throw InputError(
        {}, "--trials",
        fmt::format("at most 10,000,000 trials for the page (every change re-runs them), got {}", a.trials));
  serve::SessionOptions options;
  options.trials = a.trials;
  options.threads = a.threads;
  serve::Session session(a.config, options);
  for (const std::string& warning : session.model().warnings)
    std::cerr << "mistakesim: warning: " << warning << "\n";
  serve::ServerOptions server_options;
  server_options.port = a.port;
  serve::Server server(session, server_options);
  server.bind();
  std::cout << fmt::format("mistakesim serve: \"{}\", {} simulated years a change\n{}\n(Ctrl-C stops it)\n",
                           session.model().name, a.trials, server.url())
            << std::flush;
  server.listen();
  return 0;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto args = std::make_shared<ServeArgs>();
  CLI::App* cmd =
      app.add_subcommand("serve", "A local page to move the study's inputs and watch the cost move");
  cmd->add_option("CONFIG", args->config, "Study file (TOML)")->required();
  cmd->add_option("--port,-p", args->port, "Port on 127.0.0.1 (default: any free port)")
      ->check(CLI::Range(0, 65535));
  cmd->add_option("--trials,-n", args->trials, "Simulated years of every re-run (default 20000)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--threads,-t", args->threads,
                  "Worker threads (default: all cores); never changes results");
  cmd->footer(R"(
Prints a URL with a one-time token; open it in a browser on this machine. The server listens on
127.0.0.1 only and answers only requests that carry the token. Every change re-runs the study with
its seed over the same simulated years, so the change from the study as loaded is not noise.
"Save as" writes a study that extends CONFIG with only the changed values, in CONFIG's folder.

Example:
  mistakesim serve configs/training-options.toml)");
  cmd->callback([&action, args] { action = [args] { return cmd_serve(*args); }; });
}

}  // namespace mistakesim::cli
