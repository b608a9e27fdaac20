#!/bin/sh
# examples/buildtime/run.sh -- build this example against a hessc build
# folder (default: the repository's build/) and run its test.
#   examples/buildtime/run.sh [HESSC_BUILD_DIR] [EXAMPLE_BUILD_DIR]
# HESSC_NO_BUILD=1 skips bringing hessc's build up to date first (the
# meson test that runs this script has built it already).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
hessc_build=$(cd "${1:-$here/../../build}" && pwd)
out=${2:-$hessc_build/examples-buildtime}
[ "${HESSC_NO_BUILD:-0}" = 1 ] ||
  ninja -C "$hessc_build" -j2 compiler/hessc runtime/libhessc_runtime.a >/dev/null
rm -rf "$out"
PKG_CONFIG_PATH="$hessc_build/meson-uninstalled${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}" \
  meson setup "$out" "$here" -Dhessc="$hessc_build/compiler/hessc" >/dev/null
ninja -C "$out" -j2 >/dev/null
meson test -C "$out" --print-errorlogs
"$out/solve_chain" 2>/dev/null
