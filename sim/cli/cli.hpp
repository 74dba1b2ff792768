#pragma once
// Command-line front: parses arguments (CLI11), loads the study, calls the library, writes results.
// Exit status: 0 success, 2 bad usage or input, 1 runtime failure.

namespace mistakesim::cli {

int main(int argc, char** argv);

}  // namespace mistakesim::cli
