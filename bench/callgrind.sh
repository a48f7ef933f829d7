#!/bin/bash
# bench/callgrind.sh: instructions per request of inetkit's HTTP server,
# counted by valgrind --tool=callgrind (the count does not depend on how
# busy the machine is). One worker serves a 1 KiB file over 16 keep-alive
# connections (build/bench/http_load); the counters are zeroed after a
# warm-up, then N requests are counted. Prints instructions per request
# and the top of the profile (inclusive and self).
#   bench/callgrind.sh [N]        N requests (default 20000)
# Settings: INETKIT (build/inetkit), PROFILE_PATH (/1k.html),
# INETKIT_ARGS (more server flags: the cost of --auth is measured with
# INETKIT_ARGS="--auth /=USERS" and a PROFILE_PATH that carries an
# Authorization field after the path, see README),
# CALLGRIND_KEEP=DIR keeps the callgrind.out file there.
set -eu
cd "$(dirname "$0")/.."

INETKIT=${INETKIT:-build/inetkit}
LOAD=build/bench/http_load
N=${1:-20000}
URLPATH=${PROFILE_PATH:-/1k.html}
for f in "$INETKIT" "$LOAD"; do
	[ -x "$f" ] || { echo "callgrind.sh: $f missing: run make" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/bench-cg.XXXXXX)
pid=""
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
mkdir "$tmp/root"
head -c 1024 /dev/zero | tr '\0' 'x' >"$tmp/root/1k.html"

# --no-sandbox: valgrind's own system calls would run under the server's
# seccomp filter (the sandbox costs nothing in user space)
valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out.%p" \
	"$INETKIT" serve http --root "$tmp/root" --listen 127.0.0.1:0 \
	--workers 1 --no-sandbox ${INETKIT_ARGS:-} >"$tmp/out" 2>"$tmp/err" &
pid=$!
for i in $(seq 100); do
	grep -q '^listening http tcp ' "$tmp/out" && break
	sleep 0.1
done
port=$(sed -n 's/^listening http tcp .*:\([0-9]*\)$/\1/p' "$tmp/out")
[ -n "$port" ] || { echo "callgrind.sh: no server" >&2; exit 1; }
"$LOAD" count 127.0.0.1 "$port" 16 2000 "$URLPATH" >/dev/null
callgrind_control -z "$pid" >/dev/null
"$LOAD" count 127.0.0.1 "$port" 16 "$N" "$URLPATH" >"$tmp/load"
callgrind_control -d "$pid" >/dev/null
grep -q "requests=$N " "$tmp/load" || {
	echo "callgrind.sh: load failed: $(cat "$tmp/load")" >&2; exit 1; }
dump=$(ls -t "$tmp"/cg.out.* | head -1)
total=$(sed -n 's/^summary: *//p; s/^totals: *//p' "$dump" | head -1)
echo "requests: $N"
echo "instructions: $total"
awk -v t="$total" -v n="$N" 'BEGIN {
	printf "instructions per request: %.0f\n", t / n }'
echo
echo "inclusive (per request):"
callgrind_annotate --threshold=100 --auto=no --inclusive=yes "$dump" 2>/dev/null |
	awk -v n="$N" '/^ *[0-9,]+ .*\(/ && !/clone|start_thread|worker_main|TOTALS/ && c < 20 {
		v = $1; gsub(",", "", v); $1 = ""; sub(/^ *\/.*\/src\//, " src/")
		sub(/ \[.*$/, ""); sub(/\(.*%\) +/, "")
		if (!seen[$0]++) { printf "%8.0f %s\n", v / n, $0; c++ } }'
echo
echo "self (per request):"
callgrind_annotate --threshold=100 --auto=no "$dump" 2>/dev/null |
	awk -v n="$N" '/^ *[0-9,]+ .*\(/ && !/clone|start_thread|worker_main|TOTALS/ && c < 20 {
		v = $1; gsub(",", "", v); $1 = ""; sub(/^ *\/.*\/src\//, " src/")
		sub(/ \[.*$/, ""); sub(/\(.*%\) +/, "")
		if (!seen[$0]++) { printf "%8.0f %s\n", v / n, $0; c++ } }'
[ -z "${CALLGRIND_KEEP:-}" ] || cp "$dump" "$CALLGRIND_KEEP/"
