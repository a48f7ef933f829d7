#!/bin/bash
# bench/run.sh: the driver of `make bench`. Runs the benchmark sections in
# order (bench/SECTION.sh), or only those named as arguments, and writes
# their Markdown to stdout and to build/bench/results.md.
#   bench/run.sh            every section
#   bench/run.sh echo       only the echo section
# Each section starts its servers and the peers itself, stops them on exit,
# prints its tables on stdout and its progress on stderr.
set -u
cd "$(dirname "$0")/.."

SECTIONS="echo get crawl dns axfr http tls dns-xdp cgi flood gzip"
OUT=build/bench/results.md

usage() {
	echo "usage: bench/run.sh [SECTION]...   sections: $SECTIONS" >&2
	exit 2
}

want=("$@")
[ ${#want[@]} -gt 0 ] || read -r -a want <<<"$SECTIONS"
for s in "${want[@]}"; do
	case " $SECTIONS " in
	*" $s "*) [ -x "bench/${s//-/_}.sh" ] || usage ;;
	*) usage ;;
	esac
done

mkdir -p build/bench
rev=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD 2>/dev/null || rev="$rev (with local changes)"
{
	echo "# inetkit benchmarks"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- system: $(uname -srm)"
	echo "- CPU: $(awk -F': *' '/^model name/ { print $2; exit }' /proc/cpuinfo)," \
		"$(nproc) cores"
	echo "- load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "- inetkit: commit $rev"
	echo "- command: bench/run.sh ${want[*]}"
	echo
} | tee "$OUT"

status=0
for s in "${want[@]}"; do
	echo "bench: $s" >&2
	"bench/${s//-/_}.sh" | tee -a "$OUT"
	rc=${PIPESTATUS[0]}
	if [ "$rc" -ne 0 ]; then
		echo "**Section $s failed (exit status $rc).**" | tee -a "$OUT"
		echo | tee -a "$OUT"
		status=1
	fi
done
echo "bench: results in $OUT" >&2
exit $status
