#!/bin/bash
# bench/get.sh: the `get` benchmark (issue 6): one large file (1 GiB by
# default, sparse, so it comes from the page cache) served by inetkit's web
# server on loopback, fetched to /dev/null by `inetkit get -o /dev/null`
# and by `curl -o /dev/null`, in alternating order, GET_ROUNDS times;
# medians of the throughput and their ratio (target: inetkit at least
# 0.95x curl), and of the client's CPU time. inetkit moves a body that
# needs no decoding to its output with splice(2); curl copies it. The server is pinned to one CPU, the clients to the other.
# Markdown on stdout, progress on stderr; a section of bench/run.sh, and
# runnable alone. Settings (environment): GET_ROUNDS (3), GET_BYTES
# (1073741824), INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."

INETKIT=${INETKIT:-build/inetkit}
ROUNDS=${GET_ROUNDS:-3}
BYTES=${GET_BYTES:-1073741824}
SERVER_CPU=0
CLIENT_CPU=1
[ "$(nproc)" -ge 2 ] || CLIENT_CPU=0
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)

for f in "$INETKIT" "$(command -v curl || echo curl)"; do
	[ -x "$f" ] || { echo "get.sh: $f missing" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/bench-get.XXXXXX)
server=
cleanup() {
	if [ -n "$server" ]; then
		kill "$server" 2>/dev/null || true
		wait "$server" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

log() { echo "get: $*" >&2; }

mkdir "$tmp/root"
truncate -s "$BYTES" "$tmp/root/big.bin"
"${prio[@]}" taskset -c "$SERVER_CPU" "$INETKIT" serve http \
	--root "$tmp/root" --listen 127.0.0.1:0 --workers 1 \
	>"$tmp/server.out" 2>"$tmp/server.err" &
server=$!
for _ in $(seq 100); do
	grep -q '^listening http tcp' "$tmp/server.out" 2>/dev/null && break
	sleep 0.05
done
port=$(awk '/^listening http tcp/ { n = split($4, a, ":"); print a[n]; exit }' \
	"$tmp/server.out")
[ -n "$port" ] || { log "the server did not start"; exit 1; }
url="http://127.0.0.1:$port/big.bin"

# Runs one client; prints its throughput in MiB/s and its CPU time (user
# + system seconds), space-separated.
measure() {
	local TIMEFORMAT='%R %U %S' t
	case $1 in
	inetkit) t=$( { time "${prio[@]}" taskset -c "$CLIENT_CPU" "$INETKIT" \
			get -o /dev/null "$url" >/dev/null; } 2>&1 ) ;;
	curl) t=$( { time "${prio[@]}" taskset -c "$CLIENT_CPU" curl -sS \
			-o /dev/null "$url" >/dev/null; } 2>&1 ) ;;
	esac
	echo "$t" | awk -v b="$BYTES" '{ printf "%.1f %.3f\n",
		b / 1048576 / $1, $2 + $3 }'
}

# The median of column $1 of stdin.
median() {
	awk -v c="$1" '{ print $c }' | sort -n |
		awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# One warm-up of each puts the file in the page cache.
measure curl >/dev/null
measure inetkit >/dev/null
: >"$tmp/inetkit" && : >"$tmp/curl"
for r in $(seq "$ROUNDS"); do
	if [ $((r % 2)) -eq 1 ]; then order="inetkit curl"; else order="curl inetkit"; fi
	for c in $order; do
		v=$(measure "$c")
		log "round $r: $c: $v (MiB/s, CPU s)"
		echo "$v" >>"$tmp/$c"
	done
done
mi=$(median 1 <"$tmp/inetkit")
mc=$(median 1 <"$tmp/curl")
ci=$(median 2 <"$tmp/inetkit")
cc=$(median 2 <"$tmp/curl")
ratio=$(awk -v a="$mi" -v b="$mc" 'BEGIN { printf "%.2f", a / b }')
verdict=$(awk -v r="$ratio" 'BEGIN { print (r >= 0.95) ? "met" : "NOT met" }')

echo "## get: one $((BYTES / 1048576)) MiB file over loopback"
echo
echo "inetkit's web server (one worker, CPU $SERVER_CPU) serves a sparse file;"
echo "each client (CPU $CLIENT_CPU) writes it to /dev/null. $ROUNDS rounds,"
echo "alternating order, medians. $(curl --version | head -1 | cut -d' ' -f1-2)."
echo
echo "| client | MiB/s (median) | client CPU s (median) | rounds (MiB/s) |"
echo "|---|---:|---:|---|"
echo "| inetkit get -o /dev/null | $mi | $ci | $(cut -d' ' -f1 "$tmp/inetkit" | paste -sd' ') |"
echo "| curl -o /dev/null | $mc | $cc | $(cut -d' ' -f1 "$tmp/curl" | paste -sd' ') |"
echo
echo "inetkit / curl: **${ratio}x** (target 0.95x: $verdict)"
echo
