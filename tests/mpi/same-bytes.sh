#!/usr/bin/env bash
# Runs one mistakesim command alone and under `mpirun -n P` for several P and threads per rank, and
# compares every output byte for byte: the JSON less its "run" object, the CSV whole, the HTML less
# its thread count, run time and generation time, stdout less its "N threads, S s" phrase.
#
# usage: same-bytes.sh MISTAKESIM MPIRUN SCRATCH "RANKSxTHREADS ..." COMMAND ARGS...
#   outputs are asked for with the placeholders @JSON@, @CSV@, @HTML@ in ARGS.
# Exit 0 when every run matches; otherwise says what differed (a diff) and exits 1.
set -euo pipefail
bin=$1 mpirun=$2 scratch=$3 layouts=$4
shift 4
rm -rf "$scratch" && mkdir -p "$scratch"
mpi_flags=(--oversubscribe)
[ "$(id -u)" -eq 0 ] && mpi_flags+=(--allow-run-as-root)

# run_into DIR THREADS LAUNCHER...: the command on THREADS threads (per rank) with its outputs in
# DIR, stdout in DIR/stdout.
run_into() {
  local dir=$1 threads=$2
  shift 2
  mkdir -p "$dir"
  local args=()
  for a in "${cmd[@]}"; do
    a=${a//@JSON@/$dir/out.json}
    a=${a//@CSV@/$dir/out.csv}
    a=${a//@HTML@/$dir/out.html}
    args+=("$a")
  done
  "$@" "$bin" "${args[@]}" --threads "$threads" >"$dir/stdout" 2>"$dir/stderr" || {
    echo "FAILED ($?): $* $bin ${args[*]}" >&2
    cat "$dir/stderr" >&2
    exit 1
  }
}

# normalize DIR: the comparable form of each output, DIR/*.cmp.
normalize() {
  local dir=$1
  [ -f "$dir/out.json" ] && jq -S 'del(.run)' "$dir/out.json" >"$dir/json.cmp"
  [ -f "$dir/out.csv" ] && cp "$dir/out.csv" "$dir/csv.cmp"
  [ -f "$dir/out.html" ] && sed -E -e 's|<dt>Threads</dt><dd>[^<]*</dd>||' \
      -e 's|<dt>Run time</dt><dd>[^<]*</dd>||' -e 's|<span id="generated">[^<]*</span>||' \
      "$dir/out.html" >"$dir/html.cmp"
  sed -E 's/[0-9]+ threads, [0-9.]+ s/N threads, S s/' "$dir/stdout" >"$dir/stdout.cmp"
}

cmd=("$@")
run_into "$scratch/alone" 2 env
normalize "$scratch/alone"
ls "$scratch/alone"/*.cmp >/dev/null
status=0
for layout in $layouts; do
  ranks=${layout%x*} threads=${layout#*x}
  dir="$scratch/ranks$ranks-threads$threads"
  run_into "$dir" "$threads" "$mpirun" "${mpi_flags[@]}" -n "$ranks"
  normalize "$dir"
  for f in "$scratch/alone"/*.cmp; do
    name=$(basename "$f")
    if ! cmp -s "$f" "$dir/$name"; then
      echo "DIFFERS: $name with $ranks ranks x $threads threads vs one process: ${cmd[*]}" >&2
      diff "$f" "$dir/$name" | head -20 >&2 || true
      status=1
    fi
  done
  echo "same bytes: $ranks ranks x $threads threads: ${cmd[*]}"
done
exit $status
