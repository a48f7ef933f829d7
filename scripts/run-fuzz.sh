#!/bin/sh
# Runs each libFuzzer target for the given number of seconds on its own
# corpus folder (fuzz/corpus/NAME, seeds committed) and stops at a crash.
set -eu
secs=$1; shift
for f in "$@"; do
	name=$(basename "$f")
	seeds=fuzz/corpus/${name#fuzz_}
	work=build/fuzz/corpus-$name
	mkdir -p "$work" "$seeds"
	echo "fuzz: $name for ${secs}s"
	"$f" -max_total_time="$secs" -print_final_stats=0 -rss_limit_mb=2048 \
		-artifact_prefix=build/fuzz/ "$work" "$seeds" 2>build/fuzz/$name.log ||
		{ tail -40 build/fuzz/$name.log; exit 1; }
	grep -E '^(#[0-9]+|Done)' build/fuzz/$name.log | tail -1
done
