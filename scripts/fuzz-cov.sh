#!/bin/sh
# Source-based coverage of the fuzz targets (make fuzz-cov):
#   scripts/fuzz-cov.sh build/cov/fuzz_NAME...
# runs each target, built with -fprofile-instr-generate -fcoverage-mapping,
# once over every input of its committed corpus (fuzz/corpus/NAME) and
# reports the line, region and branch coverage of the parser files it is
# meant to cover (those fuzz/parsers.txt lists, or else the .c file of
# each src header it includes), and the line coverage of the functions of
# those files that the corpus enters at all ("reached"). Reports per
# target in build/cov/NAME.txt and NAME.functions.txt, HTML pages of the
# missed lines in build/cov/html/NAME/index.html, the table in
# build/cov/summary.txt.
set -eu

# llvm-profdata and llvm-cov of clang's own version (the profile format
# changes between versions).
v=$(clang -dumpversion | cut -d. -f1)
prof=llvm-profdata-$v cov=llvm-cov-$v
command -v "$prof" >/dev/null || prof=llvm-profdata
command -v "$cov" >/dev/null || cov=llvm-cov

files_of() {
	f=$(awk -v n="$1" '$1 == n { $1 = ""; print }' fuzz/parsers.txt)
	if [ -z "$f" ]; then
		f=$(sed -n 's/^#include "\(.*\)\.h"$/src\/\1.c/p' "fuzz/fuzz_$1.c")
	fi
	for s in $f; do
		[ -f "$s" ] && realpath "$s"
	done
	return 0
}

out=build/cov
sum=$out/summary.txt
printf '%-14s %6s %8s %8s %8s %8s  %s\n' target inputs lines regions \
	branches reached files >"$sum"
for bin in "$@"; do
	name=${bin##*/fuzz_}
	files=$(files_of "$name")
	n=$(find "fuzz/corpus/$name" -type f | wc -l)
	rm -f "$out/$name.profraw"
	# -runs=0: every corpus input is run once, nothing new is tried.
	LLVM_PROFILE_FILE=$out/$name.profraw "$bin" -runs=0 \
		"fuzz/corpus/$name" >"$out/$name.log" 2>&1 ||
		{ tail -20 "$out/$name.log"; echo "fuzz-cov: $name FAILED"; exit 1; }
	"$prof" merge -sparse -o "$out/$name.profdata" "$out/$name.profraw"
	# shellcheck disable=SC2086
	"$cov" report "$bin" -instr-profile="$out/$name.profdata" $files \
		>"$out/$name.txt"
	# shellcheck disable=SC2086
	"$cov" show "$bin" -instr-profile="$out/$name.profdata" \
		-format=html -output-dir="$out/html/$name" $files
	# The lines of the functions the corpus enters at all: the files
	# also hold code no parser input reaches (senders, process glue).
	# shellcheck disable=SC2086
	"$cov" report -show-functions "$bin" \
		-instr-profile="$out/$name.profdata" $files \
		>"$out/$name.functions.txt"
	reached=$(awk '$2 ~ /^[0-9]+$/ && $1 != "TOTAL" && $3 < $2 {
		l += $5; m += $6 } END { printf "%.2f%%", l ? 100 * (l - m) / l : 0 }' \
		"$out/$name.functions.txt")
	# TOTAL, then regions, functions, lines and branches: count, missed, %
	awk -v n="$name" -v k="$n" -v r="$reached" \
		-v f="$(echo $files | sed "s,[^ ]*/,,g")" \
		'$1 == "TOTAL" { printf "%-14s %6s %8s %8s %8s %8s  %s\n", n, k,
		$10, $4, $13, r, f }' "$out/$name.txt" >>"$sum"
done
cat "$sum"
