#!/usr/bin/env bash
# demo.sh -- install what is missing, build, and run hessc on a bundled example.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/deps.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build >/dev/null
set -x
build/compiler/hessc check examples/rosenbrock.mod
build/compiler/hessc eval examples/rosenbrock.mod
build/compiler/hessc solve examples/rosenbrock.mod
build/compiler/hessc gen examples/rosenbrock.mod -o build/rosenbrock
head -n 20 build/rosenbrock.h
