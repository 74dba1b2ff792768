#!/usr/bin/env bash
# Every Catch2 test case must run under ctest: catch_discover_tests splits a name at ';' (and a
# name it cannot pass back reports "passed" without running), so a test could silently drop out.
# Compares the names Catch2 lists with the names ctest knows; prints the missing ones.
# (Catch2 v2 exits with the number of tests listed, hence the || true.)
# Usage: check_test_count.sh TEST_BINARY BUILD_DIR
set -euo pipefail
export LC_ALL=C
binary=$1 build=$2
catch=$({ "$binary" --list-test-names-only || true; } | sed '/^$/d' | sort -u)
known=$(cd "$build" && ctest -N | sed -n 's/^ *Test *#[0-9]*: //p' | sort -u)
missing=$(comm -23 <(printf '%s\n' "$catch") <(printf '%s\n' "$known"))
count=$(printf '%s\n' "$catch" | wc -l)
if [[ -n $missing ]]; then
  echo "Catch2 lists $count test cases; ctest does not run these:"
  printf '  %s\n' "$missing"
  exit 1
fi
echo "all $count Catch2 test cases are ctest tests"
