#!/bin/bash
# bench/http_floor.sh: how close inetkit's CPU per keep-alive request is to
# the least any server can spend on this kernel. Three servers, one thread
# each on CPU 0, wrk (one thread, 64 connections, /1k.html) on CPU 1:
#   inetkit      `serve http --workers 1` on a root with a 1 KiB 1k.html
#   floor-epoll  build/bench/http_floor epoll: a fixed reply of the same
#                length to every read, one read and one send per request
#                (inetkit's system calls), nothing else
#   floor-uring  build/bench/http_floor uring: the same reply through
#                io_uring (multishot recv, provided buffers, batched sends)
#   h2o          Debian's h2o 2.2.5 serving the same root, one thread (the
#                peer with the least CPU per request in bench/http.sh)
# In HTTP_FLOOR_ROUNDS rounds (5) of HTTP_FLOOR_SECONDS (4) each, the order
# reversed every other round: server CPU microseconds per request
# (utime+stime from /proc), medians, and the median of the per-round
# ratios to floor-epoll. Not a section of bench/run.sh (see
# docs/PERFORMANCE.md, "The floor"): run it alone, after `make bench` has
# built the tools. Markdown on stdout, progress on stderr.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
FLOOR=build/bench/http_floor
ROUNDS=${HTTP_FLOOR_ROUNDS:-5}
SECS=${HTTP_FLOOR_SECONDS:-4}
HZ=$(getconf CLK_TCK)
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)
bench_require http_floor.sh "$INETKIT" "$FLOOR" /usr/bin/wrk /usr/bin/h2o

tmp=$(mktemp -d /tmp/bench-floor.XXXXXX)
declare -A started
bench_traps
log() { echo "http_floor: $*" >&2; }

mkdir "$tmp/root" "$tmp/h2o"
chmod 755 "$tmp"
head -c 1024 /dev/zero | tr '\0' 'x' >"$tmp/root/1k.html"

declare -A spid sport
start() {	# start NAME COMMAND...: in the background on CPU 0
	local name=$1 port
	shift
	port=$(free_port)
	setsid "${prio[@]}" taskset -c 0 "$@" "$port" >/dev/null 2>&1 &
	started[$!]=1
	spid[$name]=$!
	sport[$name]=$port
	wait_listening "$port" || { log "$name did not start"; exit 1; }
}
start inetkit sh -c 'exec "$0" serve http --root "$1" --workers 1 \
	--listen "127.0.0.1:$2"' "$INETKIT" "$tmp/root"
start floor-epoll "$FLOOR" epoll
start floor-uring "$FLOOR" uring
# h2o reads its port from its configuration: written by the command
start h2o sh -c 'printf "%s\n" "listen:" "  host: 127.0.0.1" "  port: $1" \
	"num-threads: 1" "error-log: $0/error.log" "hosts:" "  default:" \
	"    paths:" "      /:" "        file.dir: $0/../root" >"$0/h2o.conf"
	exec /usr/bin/h2o -m worker -c "$0/h2o.conf"' "$tmp/h2o"
servers=(inetkit floor-epoll floor-uring h2o)

: >"$tmp/results"
for round in $(seq "$ROUNDS"); do
	order=("${servers[@]}")
	[ $((round % 2)) -eq 1 ] || order=(h2o floor-uring floor-epoll inetkit)
	for s in "${order[@]}"; do
		snapshot >"$tmp/s0"
		out=$("${prio[@]}" taskset -c "$LOAD_CPU" wrk -t1 -c64 \
			-d"${SECS}s" "http://127.0.0.1:${sport[$s]}/1k.html")
		snapshot >"$tmp/s1"
		n=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
		rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
		t0=$(tree_ticks "${spid[$s]}" "$tmp/s0")
		t1=$(tree_ticks "${spid[$s]}" "$tmp/s1")
		us=$(awk -v a="$t0" -v b="$t1" -v hz="$HZ" -v n="$n" \
			'BEGIN { printf "%.2f", (b - a) / hz / n * 1e6 }')
		echo "$round $s $rps $us" >>"$tmp/results"
		log "round $round $s: $rps req/s, $us us/req"
	done
done

col() {	# col SERVER FIELD: that column of every round
	awk -v s="$1" -v f="$2" '$2 == s { print $f }' "$tmp/results"
}
ratio() {	# ratio SERVER: median over rounds of its CPU / floor-epoll's
	awk -v s="$1" '$2 == s { a[$1] = $4 } $2 == "floor-epoll" { b[$1] = $4 }
		END { for (r in a) print a[r] / b[r] }' "$tmp/results" | median
}
echo "## HTTP: inetkit against the floor of its system calls"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) CPUs," \
	"load average $(cut -d' ' -f1 /proc/loadavg) at the end;" \
	"$ROUNDS rounds of ${SECS} s, wrk -t1 -c64 /1k.html (keep-alive)."
echo
echo "| server | requests/s | CPU per request | vs floor-epoll |"
echo "|---|---:|---:|---:|"
for s in "${servers[@]}"; do
	printf '| %s | %.0f | %.2f us | %.2fx |\n' "$s" \
		"$(col "$s" 3 | median)" "$(col "$s" 4 | median)" "$(ratio "$s")"
done
