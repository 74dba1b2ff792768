// Runs a study through the installed library and prints its mean yearly cost and the run JSON's
// schema: what a program embedding mistakesim does.
#include <mistakesim/engine.hpp>
#include <mistakesim/errors.hpp>
#include <mistakesim/report.hpp>
#include <mistakesim/stats.hpp>
#include <mistakesim/study.hpp>

#include <iostream>

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: consumer STUDY.toml\n";
    return 2;
  }
  try {
    mistakesim::Model model = mistakesim::load_study(argv[1]);
    model.trials = 2000;
    mistakesim::RunOptions options;
    options.threads = 2;
    const mistakesim::TrialResults results = mistakesim::run_trials(model, mistakesim::Scenario{}, options);
    const mistakesim::RunSummary summary = mistakesim::summarize_run(results);
    const auto json =
        mistakesim::run_json(model, results, summary, mistakesim::make_run_info(2, 0.0, argv[1]));
    std::cout << json["schema"].get<std::string>() << " " << json["cost"]["total"]["mean"].get<double>()
              << "\n";
  } catch (const mistakesim::InputError& e) {
    std::cerr << "consumer: " << e.what() << "\n";
    return 2;
  }
  return 0;
}
