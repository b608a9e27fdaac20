#!/bin/sh
# bench/run.sh -- build hessc and the benchmark harness, then measure every
# tool (hand-written, hessc, ADOL-C) on P1-P5 of PROBLEMS.md in one run.
#
#   bench/run.sh                       all problems at both sizes
#   bench/run.sh --sizes small         n = 1e4 only
#   bench/run.sh --problems P1,P4 --tools hand,hessc,hessc-unroll
#   bench/run.sh --tools hand,hessc --rounds 5   medians of 5 side-by-side runs
#
# BUILD=folder picks the meson build folder (default: build).  The harness
# is not part of the tests; it takes minutes, most of it ADOL-C at n = 1e6.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
[ -f "$build/build.ninja" ] || meson setup "$build" "$root"
ninja -C "$build" -j2 >&2
exec "$build/bench/hessc-bench" "$@"
