#!/bin/sh
# run.sh [SECONDS] -- build the front-end fuzzer with clang outside meson and
# run it for SECONDS (default 60) under AddressSanitizer and
# UndefinedBehaviorSanitizer.  The seed corpus is copied at run time from
# examples/*.mod, tests/bad/* and, when present, the CUTE models in
# ../shared/models/cute relative to the repository root.  A crash leaves
# crash-* files in the work directory: turn each into a tests/bad case.
set -eu
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=${FUZZ_WORK:-}
if [ -z "$work" ]; then
	work=$(mktemp -d)
	keep=0   # a clean run leaves nothing behind; a crash keeps its artifacts
else
	keep=1
fi
build=$work/build
mkdir -p "$build" "$work/corpus"

# the grammar, generated as meson would
bison -o "$build/parser.c" --defines="$build/parser.h" "$root/grammar/parser.y"
flex --header-file="$build/lexer.h" -o "$build/lexer.c" "$root/grammar/lexer.l"

for f in "$root"/examples/*.mod "$root"/tests/bad/*.mod "$root"/tests/bad/*.dat \
         "$root"/../shared/models/cute/*.mod; do
	[ -f "$f" ] && cp "$f" "$work/corpus/" || true
done

# the front end and what streaming sums into loops needs (lower_stream.c
# builds loop bodies with the template stage's canonicalizer)
srcs="arena.c ast.c parse.c sema.c sema_data.c sema_eval.c sema_resolve.c sema_set.c
      lower.c lower_stream.c frontend.c diag.c graph.c derive.c derive_sweep.c node_map.c
      tape.c array_grow.c template_build.c template_canon.c template_stream.c template_setup.c"
files=""
for s in $srcs; do files="$files $root/compiler/$s"; done
clang -g -O1 -std=c11 -D_POSIX_C_SOURCE=200809L \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-I"$root/compiler" -I"$root/grammar" -I"$build" -I"$root/runtime/include" \
	"$root/tests/fuzz/fuzz_frontend.c" $files "$build/parser.c" "$build/lexer.c" \
	-lm -o "$build/fuzz_frontend"

cd "$work"
if ! "$build/fuzz_frontend" -max_total_time="$seconds" -max_len=65536 -timeout=10 \
	-rss_limit_mb=2048 "$work/corpus"; then
	echo "fuzzing found a problem: see the crash-* files in $work" >&2
	exit 1
fi
[ "$keep" = 1 ] || rm -rf "$work"
echo "fuzzing done"
