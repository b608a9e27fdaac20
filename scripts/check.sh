#!/usr/bin/env bash
# check.sh -- install what is missing, build, and run every test:
#   1. the unit and end-to-end tests (meson test) in a normal build,
#   2. the same under AddressSanitizer and UndefinedBehaviorSanitizer,
#   3. the conformance oracle (AMPL's own .nl files) on the CUTE models,
#      eval with both backends and solve,
#   4. the libFuzzer target over the front end for 60 s under ASan+UBSan.
# Set FUZZ_SECONDS to change 4; the script stops at the first failure.
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
scripts/deps.sh
jobs=${JOBS:-$(nproc)}

step() { printf '\n==== %s\n' "$*"; }

step "build and test"
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build -j "$jobs"
meson test -C build --print-errorlogs --num-processes "$jobs"

step "build and test under AddressSanitizer + UndefinedBehaviorSanitizer"
[[ -f build-san/build.ninja ]] || meson setup build-san -Db_sanitize=address,undefined -Db_lundef=false -Dbench=false >/dev/null
ninja -C build-san -j "$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  meson test -C build-san --print-errorlogs --num-processes "$jobs" --timeout-multiplier 4

step "conformance against AMPL's .nl files"
conformance=${HESSC_CONFORMANCE:-$top/../shared/tools/conformance}
if [[ -x $conformance ]]; then
  "$conformance" build/compiler/hessc
  "$conformance" build/compiler/hessc --solve
  # the default backend is LLVM (cc only for very large written-out kernels):
  # the system-compiler backend must agree with the oracle too
  HESSC_BACKEND=cc "$conformance" build/compiler/hessc
else
  echo "conformance: SKIPPED: $conformance not found (set HESSC_CONFORMANCE)"
fi

step "fuzzing the front end for ${FUZZ_SECONDS:-60} s"
tests/fuzz/run.sh "${FUZZ_SECONDS:-60}"

step "all checks passed"
