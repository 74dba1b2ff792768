#include "cli/progress.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <unistd.h>

namespace mistakesim::cli {

ProgressBar::ProgressBar(std::uint64_t total, bool enabled, std::string label)
    : total_(total), label_(std::move(label)) {
  active_ = enabled && ::isatty(::fileno(stderr)) != 0;
  if (active_) thread_ = std::thread([this] { loop(); });
}

ProgressBar::~ProgressBar() { finish(); }

void ProgressBar::finish() {
  if (!active_) return;
  {
    std::lock_guard lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (drawn_) std::fputs("\r\033[K", stderr);
  std::fflush(stderr);
  active_ = false;
}

void ProgressBar::loop() {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, std::chrono::milliseconds(200), [this] { return stop_; })) {
    const double elapsed = std::chrono::duration<double>(clock::now() - start).count();
    if (elapsed < 1.0) continue;  // short runs show nothing
    const std::uint64_t done = done_.load(std::memory_order_relaxed);
    const std::uint64_t total = std::max<std::uint64_t>(1, total_);
    const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const double rate = static_cast<double>(done) / elapsed;
    const std::string left =
        rate > 0 ? fmt::format("{:.0f} s left", static_cast<double>(total - std::min(done, total)) / rate)
                 : "";
    const int width = 30;
    const int filled = static_cast<int>(share * width);
    std::string bar(static_cast<std::size_t>(filled), '=');
    if (filled < width) bar += '>';
    bar.resize(static_cast<std::size_t>(width), ' ');
    std::fprintf(stderr, "\r\033[K[%s] %3.0f%%  %llu/%llu %s  %.0f/s  %s", bar.c_str(), 100.0 * share,
                 static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                 label_.c_str(), rate, left.c_str());
    std::fflush(stderr);
    drawn_ = true;
  }
}

}  // namespace mistakesim::cli
