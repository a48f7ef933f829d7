#!/bin/bash
# bench/echo.sh: the echo benchmark (RFC 862, issue 2). inetkit's echo
# against openbsd-inetd's internal echo and socat, one worker each, the
# server pinned to one CPU and the load generator (build/bench/echo_load)
# to the other; then 10,000 idle connections held by inetkit.
# Markdown tables on stdout, progress on stderr. Settings (environment):
#   ECHO_ROUNDS (3), ECHO_SECONDS per measurement (3), ECHO_CONNS (64),
#   ECHO_IDLE connections (10000), ECHO_PRIO (nice or rt, see below),
#   INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
LOAD=build/bench/echo_load
ROUNDS=${ECHO_ROUNDS:-3}
SECS=${ECHO_SECONDS:-3}
CONNS=${ECHO_CONNS:-64}
IDLE=${ECHO_IDLE:-10000}
IDLE_TARGET_MIB=64
RTT_TARGET=5
HZ=$(getconf CLK_TCK)
SERVER_CPU=0
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
# Other users of the machine (builds, fuzzers) take turns on our CPUs and
# delay every wake-up. The servers and the load generator alike run at a
# higher priority: nice -10 by default; ECHO_PRIO=rt runs them SCHED_FIFO
# (steady figures, but the load generator then keeps its CPU from others
# while it runs). Either needs root; without it, plain priority.
PRIO=${ECHO_PRIO:-nice}
case $PRIO in
nice) prio=(nice -n -10) ;;
rt) prio=(chrt -f 1) ;;
*) echo "echo.sh: ECHO_PRIO is nice or rt" >&2; exit 2 ;;
esac
if [ "$(id -u)" -ne 0 ]; then
	PRIO=none
	prio=()
fi
case $PRIO in
nice) prio_text="both at nice -10" ;;
rt) prio_text="both SCHED_FIFO (chrt -f 1)" ;;
none) prio_text="at normal priority" ;;
esac
PIN_SERVER=("${prio[@]}" taskset -c "$SERVER_CPU")
PIN_LOAD=("${prio[@]}" taskset -c "$LOAD_CPU")

bench_require echo.sh "$INETKIT" "$LOAD"

tmp=$(mktemp -d /tmp/bench-echo.XXXXXX)
declare -A started	# pids this script started and has not yet reaped

log() { echo "echo: $*" >&2; }

children_of() {
	snapshot | awk -v p="$1" '$2 == p { print $1 }'
}

# Waits until a forking server has reaped every child of the last run, so
# that their CPU time is in its cutime/cstime.
settle() {
	local i
	for i in $(seq 50); do
		[ -z "$(children_of "$1")" ] && return 0
		sleep 0.1
	done
	log "warning: pid $1 still has children"
}

bench_traps

kv() {
	printf '%s\n' "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

vmrss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# Servers: each start_* sets pid and port, or returns 1 with a reason.
start_inetkit() {
	"${PIN_SERVER[@]}" "$INETKIT" serve echo --tcp \
		--listen 127.0.0.1:0 --workers 1 >"$tmp/inetkit.out" \
		2>"$tmp/inetkit.err" &
	pid=$!
	started[$pid]=1
	listened_port echo "$tmp/inetkit.out" "$tmp/inetkit.err"
}

# Internal services answer on their standard port only (7), which needs
# root. nowait.1000000 lifts inetd's default of 256 connections a minute,
# past which it would disable the service for ten minutes; -q 4096 gives
# it the listen queue inetkit has (its default is 128).
start_inetd() {
	[ "$(id -u)" -eq 0 ] || { reason="needs root for port 7"; return 1; }
	[ -x /usr/sbin/inetd ] || { reason="openbsd-inetd not installed"; return 1; }
	is_listening 7 && { reason="port 7 is in use"; return 1; }
	echo "127.0.0.1:echo stream tcp nowait.1000000 root internal" \
		>"$tmp/inetd.conf"
	"${PIN_SERVER[@]}" /usr/sbin/inetd -d -q 4096 "$tmp/inetd.conf" \
		>/dev/null 2>"$tmp/inetd.log" &
	pid=$!
	started[$pid]=1
	port=7
	wait_listening 7 || {
		reason="did not listen: $(tail -3 "$tmp/inetd.log")"
		return 1
	}
}

# socat listens with a backlog of 5 unless told otherwise: 64 connects at
# once overflow it and then wait for retransmissions. backlog=4096 gives
# it the queue inetkit has.
start_socat() {
	local i
	port=""
	for i in $(seq 20); do
		port=$((20000 + RANDOM % 10000))
		is_listening "$port" || break
	done
	"${PIN_SERVER[@]}" socat \
		"TCP-LISTEN:$port,bind=127.0.0.1,fork,reuseaddr,backlog=4096" PIPE \
		2>"$tmp/socat.err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || {
		reason="did not listen: $(cat "$tmp/socat.err")"
		return 1
	}
}

# One measurement. Appends to $tmp/results:
#   round server mode value count server_s load_s other_s wall_s errors
# value is round trips/s, connections/s or MiB/s; count is round trips,
# connections or bytes.
measure() {
	local round=$1 name=$2 spid=$3 sport=$4 mode=$5 out rc=0
	local t0 t1 s0 s1 o0 o1 m0 m1
	settle "$spid"
	m0=$(machine_ticks)
	snapshot >"$tmp/snap0"
	t0=$(date +%s.%N)
	if [ "$mode" = rtt ] || [ "$mode" = conn ]; then
		out=$("${PIN_LOAD[@]}" $LOAD "$mode" 127.0.0.1 "$sport" \
			"$CONNS" "$SECS") || rc=$?
	else
		out=$("${PIN_LOAD[@]}" $LOAD stream 127.0.0.1 "$sport" \
			"$SECS") || rc=$?
	fi
	settle "$spid"
	t1=$(date +%s.%N)
	snapshot >"$tmp/snap1"
	m1=$(machine_ticks)
	if [ -z "$out" ]; then
		log "$name $mode: the load generator failed (status $rc)"
		echo "$round $name $mode fail 0 0 0 0 0 1" >>"$tmp/results"
		return
	fi
	s0=$(tree_ticks "$spid" "$tmp/snap0")
	s1=$(tree_ticks "$spid" "$tmp/snap1")
	# The rest of the machine (other users' builds): busy time beyond
	# what this script's own process tree used.
	o0=$((m0 - $(tree_ticks $$ "$tmp/snap0")))
	o1=$((m1 - $(tree_ticks $$ "$tmp/snap1")))
	local value count
	if [ "$mode" = rtt ]; then
		value=$(kv trips_per_s "$out")
		count=$(kv total_trips "$out")
	elif [ "$mode" = conn ]; then
		value=$(kv conns_per_s "$out")
		count=$(kv conns "$out")
	else
		value=$(kv mib_per_s "$out")
		count=$(kv received "$out")
	fi
	echo "$round $name $mode $value $count" \
		"$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }')" \
		"$(kv cpu "$out")" \
		"$(awk -v a="$o0" -v b="$o1" -v hz="$HZ" \
			'BEGIN { d = (b - a) / hz; print (d > 0 ? d : 0) }')" \
		"$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" \
		"$(kv errors "$out")" >>"$tmp/results"
	log "round $round $name $mode: $out"
}

# ---- throughput rounds ----
servers=()
declare -A spid sport skip
for s in inetkit inetd socat; do
	reason=""
	if start_$s; then
		servers+=("$s")
		spid[$s]=$pid
		sport[$s]=$port
		log "$s pid $pid port $port"
	else
		skip[$s]=$reason
		log "$s skipped: $reason"
	fi
done
case " ${servers[*]} " in
*" inetkit "*) ;;
*) echo "echo.sh: inetkit did not start: ${skip[inetkit]}" >&2; exit 1 ;;
esac

: >"$tmp/results"
for round in $(seq "$ROUNDS"); do
	order=("${servers[@]}")
	if [ $((round % 2)) -eq 0 ]; then
		order=()
		for ((i = ${#servers[@]} - 1; i >= 0; i--)); do
			order+=("${servers[$i]}")
		done
	fi
	for s in "${order[@]}"; do
		for mode in rtt conn stream; do
			measure "$round" "$s" "${spid[$s]}" "${sport[$s]}" $mode
		done
	done
done
for s in "${servers[@]}"; do
	stop_tree "${spid[$s]}"
done

# ---- idle connections ----
idle_line=""
start_inetkit || { echo "echo.sh: inetkit did not start: $reason" >&2; exit 1; }
ik=$pid
sleep 0.2
rss0=$(vmrss_kib "$ik")
"${PIN_LOAD[@]}" $LOAD idle 127.0.0.1 "$port" "$IDLE" \
	>"$tmp/idle.out" 2>"$tmp/idle.err" &
loader=$!
started[$loader]=1
for i in $(seq 600); do
	grep -qE '^(ready|failed)' "$tmp/idle.out" && break
	kill -0 "$loader" 2>/dev/null || break
	sleep 0.1
done
sleep 0.5
idle_line=$(cat "$tmp/idle.out")
rss1=$(vmrss_kib "$ik")
hwm=$(awk '/^VmHWM:/ { print $2 }' "/proc/$ik/status")
stop_tree "$loader"
stop_tree "$ik"
log "idle: $idle_line $(cat "$tmp/idle.err") rss $rss0 -> $rss1 KiB"

# Per-server value for mode $2 of column expression $3 (awk), median.
med() {
	awk -v s="$1" -v m="$2" '$2 == s && $3 == m && $4 != "fail" { print '"$3"' }' \
		"$tmp/results" | median
}

label() {
	case $1 in
	inetkit) echo "inetkit" ;;
	inetd) echo "openbsd-inetd (internal, forks)" ;;
	socat) echo "socat (fork, PIPE)" ;;
	esac
}

# Median over rounds of the ratio, within one round, of inetkit's value to
# the peer's (or the peer's to inetkit's when $4 is "inverse").
ratio() {
	awk -v peer="$1" -v m="$2" -v inv="${4:-}" '
		$3 == m && $4 != "fail" { v[$1, $2] = '"$3"'; r[$1] = 1 }
		END {
			for (x in r)
				if (((x, "inetkit") in v) && ((x, peer) in v) &&
				    v[x, "inetkit"] > 0 && v[x, peer] > 0)
					if (inv == "inverse")
						print v[x, peer] / v[x, "inetkit"]
					else
						print v[x, "inetkit"] / v[x, peer]
		}' "$tmp/results" | median
}

per_1000='$6 / $5 * 1000 * 1000'	# server CPU ms per 1000 trips or conns
per_gib='$6 / ($5 / 1073741824)'	# server CPU s per GiB echoed
errors=$(awk '{ s += $10 } END { print s + 0 }' "$tmp/results")

echo "## Echo (RFC 862): inetkit, openbsd-inetd, socat"
echo
echo "One worker each; the server pinned to CPU $SERVER_CPU, the load" \
	"generator (\`build/bench/echo_load\`, one thread, epoll) to CPU $LOAD_CPU," \
	"$prio_text. $ROUNDS rounds of $SECS s per measurement, the order of" \
	"servers alternated between rounds; medians over rounds." \
	"**round trips/s**: $CONNS persistent connections, each sending 64 bytes" \
	"and waiting for the whole echo before the next." \
	"**connections/s**: $CONNS clients, each connecting, sending 64 bytes," \
	"reading the echo and closing, over and over." \
	"**stream**: one connection sending and reading at once." \
	"Server CPU is user+system time of the server's process tree (forked" \
	"children included) per 1000 round trips or connections, and per GiB" \
	"echoed. Every echoed byte is checked: $errors errors or failed runs."
echo
echo "| server | round trips/s | CPU / 1000 trips | connections/s | CPU / 1000 conns | stream MiB/s | CPU / GiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for s in inetkit inetd socat; do
	if [ -n "${skip[$s]:-}" ]; then
		echo "| $(label $s) | skipped: ${skip[$s]} | | | | | |"
		continue
	fi
	printf '| %s | %.0f | %.1f ms | %.0f | %.0f ms | %.0f | %.2f s |\n' \
		"$(label $s)" \
		"$(med $s rtt '$4')" "$(med $s rtt "$per_1000")" \
		"$(med $s conn '$4')" "$(med $s conn "$per_1000")" \
		"$(med $s stream '$4')" "$(med $s stream "$per_gib")"
done
echo
echo "inetkit against each peer: rates as inetkit / peer, CPU as" \
	"peer / inetkit (so above 1 is better for inetkit everywhere); the" \
	"median of the ratios within each round:"
echo
echo "| inetkit against | round trips/s | CPU per trip | connections/s | CPU per connection | stream MiB/s | CPU per GiB |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for s in inetd socat; do
	[ -n "${spid[$s]:-}" ] || continue
	printf '| %s | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx | %.2fx |\n' \
		"$(label $s)" \
		"$(ratio $s rtt '$4')" "$(ratio $s rtt "$per_1000" inverse)" \
		"$(ratio $s conn '$4')" "$(ratio $s conn "$per_1000" inverse)" \
		"$(ratio $s stream '$4')" "$(ratio $s stream "$per_gib" inverse)"
done
echo
if [ -n "${spid[inetd]:-}" ]; then
	r=$(ratio inetd rtt '$4')
	verdict=$(awk -v r="$r" -v t="$RTT_TARGET" \
		'BEGIN { print (r >= t ? "PASS" : "FAIL") }')
	printf 'Target (issue 2): at least %dx inetd'"'"'s round trips/s' \
		"$RTT_TARGET"
	printf ' (%d persistent connections): %.2fx, **%s**.\n\n' \
		"$CONNS" "$r" "$verdict"
fi
echo "Per round (load: the load generator's CPU as a share of the" \
	"measurement; other: CPU used by every process outside the benchmark" \
	"during it, in cores; more than ~0.2 means the figures are noisy):"
echo
echo "| round | server | mode | result | server CPU s | load | other | errors |"
echo "|---:|---|---|---:|---:|---:|---:|---:|"
awk '$4 != "fail" {
	unit = $3 == "rtt" ? "trips/s" : $3 == "conn" ? "conns/s" : "MiB/s"
	printf "| %d | %s | %s | %.0f %s | %.2f | %.0f%% | %.2f | %d |\n",
	    $1, $2, $3, $4, unit, $6, 100 * $7 / $9, $8 / $9, $10 }
	$4 == "fail" { printf "| %d | %s | %s | failed | | | | |\n", $1, $2, $3 }' \
	"$tmp/results"
echo
echo "### $IDLE idle connections held by inetkit"
echo
case $idle_line in
ready*)
	verdict=$(awk -v r="$rss1" -v t="$IDLE_TARGET_MIB" \
		'BEGIN { print (r < t * 1024 ? "PASS" : "FAIL") }')
	echo "Each connection echoed one byte (so the server has accepted and" \
		"served it) and then stayed open; opened in $(kv seconds "$idle_line") s."
	echo
	echo "| connections | VmRSS before | VmRSS after | growth | bytes per connection | VmHWM | target < $IDLE_TARGET_MIB MiB |"
	echo "|---:|---:|---:|---:|---:|---:|---|"
	awk -v n="$IDLE" -v a="$rss0" -v b="$rss1" -v h="$hwm" -v v="$verdict" \
		'BEGIN { printf "| %d | %.1f MiB | %.1f MiB | %.1f MiB | %.0f | %.1f MiB | **%s** |\n",
		    n, a / 1024, b / 1024, (b - a) / 1024, (b - a) * 1024 / n,
		    h / 1024, v }'
	;;
*)
	echo "Idle test failed: ${idle_line:-no output} $(cat "$tmp/idle.err")"
	;;
esac
echo
# A wrong echo or a failed run fails the section, after the tables.
if [ "$errors" -ne 0 ] || [ "${idle_line%% *}" != ready ]; then
	exit 1
fi
