#!/bin/bash
# bench/dns_floor.sh: how close inetkit's CPU per UDP query is to the least
# any name server can spend on this kernel, and which way of waiting for
# datagrams costs the kernel least. Five servers, one thread each on CPU
# 0, dnsperf on the last CPU, exactly as in bench/dns.sh (its zone of
# DNS_FLOOR_SIZE records, 10,000, and its query file):
#   inetkit      `serve dns --workers 1`
#   nsd          NSD, `server-count: 1` (the best peer on this zone)
#   floor-epoll  build/bench/dns_floor epoll: a reply of the usual shape
#                and size to every query, no lookup, from an
#                edge-triggered epoll loop with recvmmsg and sendmmsg (the
#                system calls inetkit makes)
#   floor-block  the same from a thread blocked in recvmmsg, no epoll
#   floor-uring  the same through io_uring (multishot recvmsg, provided
#                buffers, the sends of a batch in one io_uring_enter)
# DNS_FLOOR_SERVERS picks some of them (all five). In DNS_FLOOR_ROUNDS
# rounds (5) of DNS_FLOOR_SECONDS (5) each, dnsperf unlimited as in
# bench/dns.sh or at DNS_FLOOR_QPS queries/s (the same arrivals for every
# server, so that none gets larger batches for being slower), the order
# reversed every other round: queries answered per
# second of server CPU (utime+stime of the server's process tree), user
# and kernel time per query, medians, and the medians of the per-round
# ratios to NSD and to floor-epoll. Not a section of bench/run.sh: run it
# alone, under the benchmark lock, after `make bench` has built the
# tools. Markdown on stdout, progress on stderr.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
FLOOR=build/bench/dns_floor
SIZE=${DNS_FLOOR_SIZE:-10000}
ROUNDS=${DNS_FLOOR_ROUNDS:-5}
SECS=${DNS_FLOOR_SECONDS:-5}
CLIENTS=${DNS_CLIENTS:-16}
NQUERIES=${DNS_QUERIES:-200000}
RATE=${DNS_FLOOR_QPS:-}
THREADS=1
LAT_SECS=0
LAT_QPS=0
ZONE=bench.test
HZ=$(getconf CLK_TCK)
dns_placement

bench_require dns_floor.sh "$INETKIT" "$FLOOR" /usr/sbin/nsd /usr/bin/dnsperf

tmp=$(mktemp -d /tmp/bench-dnsfloor.XXXXXX)
declare -A started
bench_traps
log() { echo "dns_floor: $*" >&2; }

# The floors answer any name: the zone file is not theirs.
start_floor() {	# start_floor MODE DIR PORT
	"${PIN_SERVER[@]}" "$FLOOR" "$1" "$3" >"$2/out" 2>"$2/err" &
	pid=$!
}
start_floor-epoll() { start_floor epoll "$1" "$3"; }
start_floor-block() { start_floor block "$1" "$3"; }
start_floor-uring() { start_floor uring "$1" "$3"; }

read -r -a servers <<<"${DNS_FLOOR_SERVERS:-inetkit nsd floor-epoll floor-block floor-uring}"
zf=$tmp/$ZONE.zone
qf=$tmp/queries
bench/dns_data.py zone "$SIZE" >"$zf"
bench/dns_data.py queries "$SIZE" "$NQUERIES" >"$qf"
: >"$tmp/results"
: >"$tmp/loads"
for round in $(seq "$ROUNDS"); do
	order=("${servers[@]}")
	[ $((round % 2)) -eq 1 ] ||
		read -r -a order <<<"$(printf '%s\n' "${servers[@]}" | tac |
			tr '\n' ' ')"
	declare -A spid=() sport=()
	for s in "${order[@]}"; do
		launch "$s" "$zf" "$round" "$SIZE" || exit 1
		spid[$s]=$pid
		sport[$s]=$port
	done
	for s in "${order[@]}"; do
		measure "$round" "$SIZE" "$s" "${spid[$s]}" "${sport[$s]}" "$qf"
	done
	for s in "${order[@]}"; do
		stop_tree "${spid[$s]}"
	done
done

# $tmp/results: round size server qps completed answered% server_s wall_s
# other_cores reply_bytes noerror% nxdomain% p50 p99 user_s
col() {	# col SERVER AWK-EXPRESSION: its value in every round
	awk -v s="$1" '$3 == s && $4 != "fail" { print '"$2"' }' \
		"$tmp/results"
}
per_cpu='$5 / $7'
ratio() {	# ratio SERVER BASE: median over rounds of per_cpu / BASE's
	awk -v s="$1" -v b="$2" '$4 != "fail" { v[$1, $3] = '"$per_cpu"' }
		$3 == s { r[$1] = 1 }
		END { for (x in r) if (((x, b) in v) && v[x, b] > 0)
			print v[x, s] / v[x, b] }' "$tmp/results" | median
}

echo "## DNS: inetkit against the floor of its system calls"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(uname -srm), $(nproc) CPUs," \
	"load average $(cut -d' ' -f1 /proc/loadavg) at the end;" \
	"$SIZE-record zone of bench/dns.sh, $ROUNDS rounds of $SECS s," \
	"dnsperf -c $CLIENTS${RATE:+ -Q $RATE} on CPU $LOAD_CPU, servers on CPU $SERVER_CPUS," \
	"one thread each. Queries per server CPU second, medians over rounds;" \
	"ratios are medians of the ratios within each round."
echo
echo "| server | queries/s | reply bytes | queries per server CPU s | CPU per query, user + kernel | vs NSD | vs floor-epoll |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for s in "${servers[@]}"; do
	printf '| %s | %.0f | %.0f | **%.0f** | %.2f + %.2f us | %.2fx | %.2fx |\n' \
		"$s" "$(col "$s" '$4' | median)" "$(col "$s" '$10' | median)" \
		"$(col "$s" "$per_cpu" | median)" \
		"$(col "$s" '1e6 * $15 / $5' | median)" \
		"$(col "$s" '1e6 * ($7 - $15) / $5' | median)" \
		"$(ratio "$s" nsd)" "$(ratio "$s" floor-epoll)"
done
echo
echo "Per round (other: CPU used outside the benchmark during the run, in" \
	"cores; above ~0.2 the figures are noisy):"
echo
echo "| round | server | queries/s | answered | server CPU s | queries per CPU s | other |"
echo "|---:|---|---:|---:|---:|---:|---:|"
awk '$4 == "fail" { printf "| %d | %s | failed | | | | |\n", $1, $3; next }
	{ printf "| %d | %s | %.0f | %.2f%% | %.2f | %.0f | %.2f |\n",
	    $1, $3, $4, $6, $7, $5 / $7, $9 }' "$tmp/results"
echo
