// Catch2 v2 (Debian 12) test runner.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
