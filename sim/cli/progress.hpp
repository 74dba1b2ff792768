#pragma once
// A progress bar on stderr for long runs: trials done, rate, time left. Drawn by its own thread
// from an atomic counter the engine adds to; shown only on a terminal, only after about a second,
// and erased cleanly when the run ends, so it never mixes with data on stdout.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>

namespace mistakesim::cli {

class ProgressBar {
 public:
  //! total: trials to run; enabled: false for --quiet. Also disabled when stderr is not a terminal.
  ProgressBar(std::uint64_t total, bool enabled, std::string label = "simulated years");
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  //! The counter to hand to RunOptions::progress.
  std::atomic<std::uint64_t>* counter() { return &done_; }
  //! Stops drawing and erases the bar.
  void finish();

 private:
  void loop();
  std::atomic<std::uint64_t> done_{0};
  std::uint64_t total_;
  std::string label_;
  bool active_ = false;
  bool drawn_ = false;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace mistakesim::cli
