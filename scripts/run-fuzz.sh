#!/bin/sh
# The fuzz campaign (docs/FUZZING.md).
#   scripts/run-fuzz.sh SECONDS build/fuzz/fuzz_NAME...
# runs each libFuzzer target for SECONDS over its committed corpus
# (fuzz/corpus/NAME, read only) and a scratch folder that receives the
# new inputs (build/fuzz/corpus-NAME), FUZZ_JOBS (1) targets at a time,
# with a dictionary when there is one (dict_of below). It stops at the
# first crash, hang, leak or out-of-memory with the reproducer and the
# command that replays it, and prints per target the executions, their
# rate, the coverage (cov: edges, ft: features) and the corpus size; the
# same figures are appended to build/fuzz/results.tsv.
#   scripts/run-fuzz.sh --merge build/fuzz/fuzz_NAME...
# minimises each committed corpus with what the runs found (libFuzzer
# -merge=1 into a fresh folder, which then replaces fuzz/corpus/NAME;
# see merge_one).
set -eu

# The parameters of one run; -timeout catches hangs (generous: the
# machine may be shared), -rss_limit_mb runaway allocations.
FUZZ_FLAGS="-timeout=25 -rss_limit_mb=2048 -print_final_stats=1"
MAX_SEED=65536

name_of() {
	n=$(basename "$1")
	echo "${n#fuzz_}"
}

# fuzz/NAME.dict, or else the dictionary of its family (fuzz/http.dict
# for http_parse, http_response...).
dict_of() {
	for d in "fuzz/$1.dict" "fuzz/${1%%_*}.dict"; do
		[ -f "$d" ] && { echo "-dict=$d"; return 0; }
	done
	return 0
}

# The last "#N ... cov: C ft: F corp: U/S" line, as "C F U".
cov_of() {
	grep -E '^#[0-9]+.*cov: ' "$1" | tail -1 |
		sed -E 's/.*cov: ([0-9]+) ft: ([0-9]+) corp: ([0-9]+).*/\1 \2 \3/'
}

stat_of() {
	sed -n "s/^stat::$2: *//p" "$1" | tail -1
}

run_one() {
	secs=$1 bin=$2
	name=$(name_of "$bin")
	seeds=fuzz/corpus/$name work=build/fuzz/corpus-$name
	art=build/fuzz/artifacts/$name/ log=build/fuzz/logs/$name.log
	mkdir -p "$work" "$seeds" "$art" build/fuzz/logs
	echo "fuzz: $name for ${secs}s"
	# shellcheck disable=SC2046,SC2086
	if ! "$bin" -max_total_time="$secs" $FUZZ_FLAGS $(dict_of "$name") \
		-artifact_prefix="$art" "$work" "$seeds" >"$log" 2>&1; then
		tail -40 "$log"
		unit=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
			tail -1)
		echo "fuzz: $name FAILED, log $log"
		if [ -n "$unit" ]; then
			echo "fuzz: reproducer $unit"
			echo "fuzz: replay with: $bin $unit"
		fi
		exit 255
	fi
	set -- $(cov_of "$log") "" "" ""
	execs=$(stat_of "$log" number_of_executed_units)
	rate=$(stat_of "$log" average_exec_per_sec)
	new=$(stat_of "$log" new_units_added)
	files=$(find "$seeds" "$work" -type f | wc -l)
	echo "fuzz: $name ${secs}s execs $execs ($rate/s) cov $1 ft $2" \
		"corpus $3 units ($files files, $new new)"
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
		"$(date -u +%Y-%m-%dT%H:%MZ)" "$name" "$secs" "$execs" "$rate" \
		"$1" "$2" "$3" "$new" >>build/fuzz/results.tsv
}

# The committed corpus: the hand-written seeds (named for what they show)
# are kept as they are; the inputs runs found (named by libFuzzer after
# their SHA-1) are merged again with the new ones, keeping one input per
# coverage edge (-use_counters=0: the hit counts would keep thousands),
# smallest first, none over MAX_SEED.
is_found() {
	echo "$1" | grep -Eq '^[0-9a-f]{40}$'
}

merge_one() {
	bin=$1
	name=$(name_of "$bin")
	seeds=fuzz/corpus/$name work=build/fuzz/corpus-$name
	new=build/fuzz/merge-$name log=build/fuzz/logs/$name.merge.log
	mkdir -p "$work" "$seeds" build/fuzz/logs
	rm -rf "$new" && mkdir -p "$new"
	before=$(find "$seeds" -type f | wc -l)
	for f in "$seeds"/*; do
		[ -f "$f" ] && ! is_found "$(basename "$f")" && cp "$f" "$new/"
	done
	# shellcheck disable=SC2046
	"$bin" -merge=1 -use_counters=0 -timeout=25 -rss_limit_mb=2048 \
		-max_len=$MAX_SEED $(dict_of "$name") "$new" "$seeds" "$work" \
		>"$log" 2>&1 ||
		{ tail -20 "$log"; echo "fuzz: merge of $name FAILED"; exit 1; }
	find "$new" -type f -size +$((MAX_SEED / 1024))k -delete
	rm -rf "$seeds" && mv "$new" "$seeds"
	echo "fuzz: $name corpus $before -> $(find "$seeds" -type f | wc -l)" \
		"files, $(bytes_of "$seeds") bytes;" \
		"$(grep -o "[0-9]* new coverage edges" "$log" | tail -1 |
		sed "s/new coverage/more/") than the named seeds"
}

bytes_of() {
	find "$@" -type f -exec cat {} + | wc -c
}

case "$1" in
--one) run_one "$2" "$3"; exit 0 ;;
--merge)
	shift
	for b in "$@"; do merge_one "$b"; done
	echo "fuzz: fuzz/corpus $(find fuzz/corpus -type f | wc -l) files," \
		"$(bytes_of fuzz/corpus) bytes"
	exit 0 ;;
esac

secs=$1; shift
[ $# -gt 0 ] || { echo "run-fuzz: no target" >&2; exit 2; }
# xargs starts no new target once one exits 255 (a crash).
printf '%s\n' "$@" | xargs -P "${FUZZ_JOBS:-1}" -n 1 "$0" --one "$secs" ||
	{ echo "fuzz: stopped at a failure (above)"; exit 1; }
echo "fuzz: every target clean (${secs}s each)"
