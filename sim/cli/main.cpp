// The mistakesim executable: a thin front over the library (sim/cli/cli.cpp).
#include "cli/cli.hpp"

int main(int argc, char** argv) { return mistakesim::cli::main(argc, argv); }
