#!/bin/bash
# bench/flood.sh: the flood section of make bench (issue 17 part 4), name
# servers only so far. Each server (one worker, pinned to CPU 0) is
# flooded from CPU 1 by dnsperf with random names under its zone (every
# answer NXDOMAIN) at FLOOD_QPS for FLOOD_SECONDS, while a second dnsperf
# asks well-behaved questions (the bench/dns.sh mix) at 200 a second and
# records their latency: p99 before, during and after the flood, and the
# well-behaved queries lost during it (a 1 s timeout). Memory (PSS) before
# and after. inetkit runs twice: as the others, and with --rrl 200 (the
# flood comes from one address, so RRL drops most of its answers).
# Markdown on stdout, progress on stderr.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
FLOOD_QPS=${FLOOD_QPS:-100000}
FLOOD_SECONDS=${FLOOD_SECONDS:-10}
PROBE_QPS=200
ZONE=bench.test
THREADS=1
SIZE=10000
bench_require flood.sh "$INETKIT" /usr/sbin/nsd /usr/bin/dnsperf

tmp=$(mktemp -d /tmp/bench-flood.XXXXXX)
declare -A started
bench_traps
log() { echo "flood: $*" >&2; }
dns_placement

bench/dns_data.py zone "$SIZE" >"$tmp/zone"
bench/dns_data.py queries "$SIZE" 20000 >"$tmp/good"
/usr/bin/python3 -c '
import random
r = random.Random(7)
for _ in range(200000):
    print("r%08x.bench.test A" % r.getrandbits(32))' >"$tmp/flood"

start_inetkit_rrl() {
	"${PIN_SERVER[@]}" "$INETKIT" serve dns --zone "$2" \
		--listen "127.0.0.1:$3" --workers 1 --rrl 200 \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# probe PORT SECONDS FILE: well-behaved queries, one per line of -v, from
# another /24 than the flood's (as a real client would be).
probe() {
	"${PIN_LOAD[@]}" dnsperf -s 127.0.0.1 -a 127.0.1.1 -p "$1" \
		-d "$tmp/good" -c 1 \
		-Q "$PROBE_QPS" -l "$2" -t 1 -v >"$3" 2>&1 || true
}

lost() {
	awk '/Queries lost:/ { print $3 }' "$1"
}

# One server: before, during, after. Prints a table row.
run() {
	local name=$1 label=$2 p99b p99d p99a m0 m1 fqps
	launch "$name" "$tmp/zone" 1 "$SIZE" || return 0
	sleep 1
	m0=$(tree_pss_kib "$pid")
	probe "$port" 5 "$tmp/before"
	"${PIN_LOAD[@]}" dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/flood" \
		-c 16 -q 2000 -Q "$FLOOD_QPS" -l "$FLOOD_SECONDS" -t 1 \
		>"$tmp/floodout" 2>&1 &
	local fpid=$!
	sleep 1
	probe "$port" $((FLOOD_SECONDS - 2)) "$tmp/during"
	wait "$fpid" || true
	sleep 1
	probe "$port" 5 "$tmp/after"
	m1=$(tree_pss_kib "$pid")
	stop_tree "$pid"
	p99b=$(percentiles "$tmp/before" | cut -d' ' -f2)
	p99d=$(percentiles "$tmp/during" | cut -d' ' -f2)
	p99a=$(percentiles "$tmp/after" | cut -d' ' -f2)
	fqps=$(awk '/Queries per second:/ { printf "%.0f", $4 }' \
		"$tmp/floodout")
	log "$label: p99 $p99b/$p99d/$p99a us, flood answered $fqps/s"
	echo "| $label | $p99b | $p99d | $p99a | $(lost "$tmp/during") | $fqps | $m0 | $m1 |"
}

echo "## Floods (issue 17): name servers"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg) at the start. A $SIZE-record" \
	"zone, one worker pinned to CPU 0; from CPU 1 a flood of random" \
	"names (NXDOMAIN) asked at $FLOOD_QPS a second for $FLOOD_SECONDS s" \
	"by dnsperf (16 sockets) from 127.0.0.1, and well-behaved questions" \
	"from 127.0.1.1 at $PROBE_QPS a second: their p99 latency (microseconds) 5 s before," \
	"during, and 5 s after the flood; lost: well-behaved queries" \
	"unanswered within 1 s during it. PSS in KiB."
echo
echo "| server | p99 before | p99 during | p99 after | lost during | flood answered/s | PSS before | PSS after |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
run inetkit inetkit
run nsd "NSD $(/usr/sbin/nsd -v 2>&1 | awk 'NR == 1 { print $NF }') (RRL off)"
run inetkit_rrl "inetkit --rrl 200"
