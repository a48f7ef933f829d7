#!/bin/bash
# bench/flood.sh: the flood section of make bench (issue 17 part 4).
# Name servers: each server (one worker, pinned to CPU 0) is
# flooded from CPU 1 by dnsperf with random names under its zone (every
# answer NXDOMAIN) at FLOOD_QPS for FLOOD_SECONDS, while a second dnsperf
# asks well-behaved questions (the bench/dns.sh mix) at 200 a second and
# records their latency: p99 before, during and after the flood, and the
# well-behaved queries lost during it (a 1 s timeout). Memory (PSS) before
# and after. inetkit runs twice: as the others, and with --rrl 200 (the
# flood comes from one address, so RRL drops most of its answers).
# Web servers: inetkit (as is, and with --max-conns-per-ip 256) and nginx,
# one worker pinned to CPU 0, each under three floods in turn from
# bench/http_flood.py on CPU 1 (FLOOD_IDLE idle connections, 5,000
# slowloris connections, 1,000 connections that never read), with the p99
# of a well-behaved client before, during and after, and its failures.
# This machine's hard limit on descriptors (20,000 here, and no right to
# raise it) caps the idle flood below the issue's 50,000.
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
FLOOD_IDLE=${FLOOD_IDLE:-15000}
PARTS=${FLOOD_PARTS:-dns http}	# which halves to run
HTTP_SECONDS=${FLOOD_HTTP_SECONDS:-15}
bench_require flood.sh "$INETKIT" /usr/sbin/nsd /usr/bin/dnsperf \
	/usr/sbin/nginx

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

case " $PARTS " in *" dns "*)
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
;; esac

# ---- web servers ----
case " $PARTS " in *" http "*) ;; *) exit 0 ;; esac
mkdir "$tmp/root" "$tmp/nginx"
chmod 755 "$tmp" "$tmp/root"	# nginx's workers run as nobody
head -c 1024 /dev/zero | tr '\0' x >"$tmp/root/small.html"
head -c $((8 << 20)) /dev/urandom >"$tmp/root/big.bin"

start_http() {
	local name=$1
	port=$(free_port)
	case $name in
	inetkit) "${PIN_SERVER[@]}" "$INETKIT" serve http --root "$tmp/root" \
			--listen "127.0.0.1:$port" --workers 1 >/dev/null \
			2>"$tmp/http-err" & ;;
	inetkit_ip) "${PIN_SERVER[@]}" "$INETKIT" serve http \
			--root "$tmp/root" --listen "127.0.0.1:$port" \
			--workers 1 --max-conns-per-ip 256 >/dev/null \
			2>"$tmp/http-err" & ;;
	nginx)
		cat >"$tmp/nginx/nginx.conf" <<NGINX
worker_processes 1;
worker_rlimit_nofile $(ulimit -Hn);
pid $tmp/nginx/nginx.pid;
error_log $tmp/nginx/error.log;
events { worker_connections $(($(ulimit -Hn) - 100)); }
http {
	access_log off;
	sendfile on;
	client_body_temp_path $tmp/nginx/body;
	server { listen 127.0.0.1:$port; root $tmp/root; }
}
NGINX
		"${PIN_SERVER[@]}" /usr/sbin/nginx -c "$tmp/nginx/nginx.conf" \
			-g 'daemon off;' >/dev/null 2>"$tmp/http-err" & ;;
	esac
	pid=$!
	started[$pid]=1
	wait_listening "$port"
}

http_row() {
	local name=$1 label=$2 attack=$3 count=$4 r m0 m1
	start_http "$name" || { log "$label did not start"; return 0; }
	m0=$(tree_pss_kib "$pid")
	r=$("${PIN_LOAD[@]}" /usr/bin/python3 bench/http_flood.py "$port" \
		"$attack" "$count" "$HTTP_SECONDS")
	m1=$(tree_pss_kib "$pid")
	stop_tree "$pid"
	log "$label $attack: $r"
	set -- $r
	echo "| $label | $attack $count | $1 | $2 | $3 | $4 | $5 | $m0 | $m1 |"
}

echo
echo "## Floods (issue 17): web servers"
echo
echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average" \
	"$(cut -d' ' -f1-3 /proc/loadavg). One worker pinned to CPU 0;" \
	"from CPU 1 one flood at a time for $HTTP_SECONDS s (from" \
	"127.0.0.2-9) and a well-behaved client (from 127.0.0.1, a new" \
	"connection and GET of 1 KiB every 20 ms, 2 s timeout): its p99 in" \
	"ms 5 s before, during and 5 s after, and its failures during;" \
	"connected: attack connections whose connect() succeeded. PSS (KiB) before the flood" \
	"and after it."
echo
echo "| server | flood | p99 before | p99 during | p99 after | failed during | connected | PSS before | PSS after |"
echo "|---|---|---:|---:|---:|---:|---:|---:|---:|"
for attack in "idle $FLOOD_IDLE" "slowloris 5000" "slowread 1000"; do
	http_row inetkit inetkit $attack
	http_row inetkit_ip "inetkit --max-conns-per-ip 256" $attack
	http_row nginx "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')" $attack
done
