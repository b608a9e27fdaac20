#!/usr/bin/env bash
# deps.sh -- install the Debian packages hessc needs that are missing.
# As root it runs apt-get; otherwise it prints the command to run and fails.
set -euo pipefail

packages=(
  gcc g++ pkg-config flex bison meson ninja-build   # build
  libcunit1-dev                                      # unit tests
  libsuitesparse-dev                                 # CHOLMOD: exact trust-region step, inertia
  llvm-dev                                           # the JIT backend (optional feature)
  clang libclang-rt-dev                              # libFuzzer target, sanitizers with clang
  libpng-dev                                         # spy plots as PNG
  python3 python3-numpy                              # end-to-end tests, conformance oracle
  graphviz librsvg2-bin                              # tests that render DOT and SVG
  coinor-libipopt-dev libadolc-dev                   # peers in the benchmarks (optional)
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[[ ${#missing[@]} -eq 0 ]] && exit 0

if [[ $(id -u) -eq 0 ]]; then
  echo "deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: missing packages: ${missing[*]}" >&2
  echo "deps: run: sudo apt-get install ${missing[*]}" >&2
  exit 1
fi
