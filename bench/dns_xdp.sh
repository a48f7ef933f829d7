#!/bin/bash
# bench/dns_xdp.sh: the name server past the socket layer (issue 18).
# Two network namespaces joined by a veth pair (made here, prefix ikxb,
# 198.18.0.0/24, removed on exit); in the server's, one worker pinned to
# CPU 0: inetkit `serve dns --xdp` and on sockets, Knot DNS 3.2 in its XDP
# mode and on sockets. Load: build/bench/xdp_load, an AF_XDP generator
# pinned to CPU 1 (kxdpgun's XDP program does not load on this kernel;
# the section says so when it does not), up to DNS_XDP_WINDOW queries
# unanswered, for DNS_XDP_SECONDS per run, DNS_XDP_ROUNDS rounds in
# alternating order; then, as a second view, dnsperf on sockets in the
# client's namespace against each server but Knot's XDP mode (the answer
# path of an XDP server is the same; only the client's side differs).
# Per server and load: answered queries/s, server CPU per
# answered query (utime+stime of its process), the kernel's UDP datagrams
# sent per answered query in the server's namespace (none over XDP), and
# the whole machine's CPU per answered query. The zone and queries are
# bench/dns.sh's 10,000-record set. Markdown on stdout, progress on
# stderr. Settings: DNS_XDP_ROUNDS (5), DNS_XDP_SECONDS (4),
# DNS_XDP_WINDOW (256), INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
ROUNDS=${DNS_XDP_ROUNDS:-5}
SECS=${DNS_XDP_SECONDS:-4}
WINDOW=${DNS_XDP_WINDOW:-256}
LOAD=build/bench/xdp_load
HZ=$(getconf CLK_TCK)
bench_require dns_xdp.sh "$INETKIT" "$LOAD" /usr/sbin/knotd /usr/sbin/ip \
	/usr/bin/dnsperf
if [ "$(id -u)" -ne 0 ]; then
	printf '## Name servers over AF_XDP (dns-xdp)\n\nSkipped: network namespaces and XDP need root.\n\n'
	exit 0
fi

tmp=$(mktemp -d /tmp/bench-dns-xdp.XXXXXX)
declare -A started
P=ikxb$$
NS_S=${P}s NS_C=${P}c DEV_S=${P}a DEV_C=${P}b
ADDR_S=198.18.0.1 ADDR_C=198.18.0.2

log() { echo "dns-xdp: $*" >&2; }

cleanup() {
	bench_cleanup
	ip netns del "$NS_S" 2>/dev/null || true
	ip netns del "$NS_C" 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ip netns add "$NS_S"
ip netns add "$NS_C"
ip link add "$DEV_S" netns "$NS_S" type veth peer name "$DEV_C" netns "$NS_C"
ip -n "$NS_S" addr add "$ADDR_S/24" dev "$DEV_S"
ip -n "$NS_C" addr add "$ADDR_C/24" dev "$DEV_C"
for x in "$NS_S $DEV_S" "$NS_C $DEV_C"; do
	set -- $x
	ip -n "$1" link set "$2" up
	ip -n "$1" link set lo up
done
MAC_S=$(ip -n "$NS_S" -o link show "$DEV_S" | sed 's/.*link\/ether \([^ ]*\).*/\1/')

bench/dns_data.py zone 10000 >"$tmp/zone"
bench/dns_data.py queries 10000 50000 >"$tmp/queries"

in_srv() { ip netns exec "$NS_S" "$@"; }

# ---- the servers: start_NAME DIR sets pid ----
start_inetkit_xdp() {
	in_srv taskset -c 0 "$INETKIT" serve dns --zone "$tmp/zone" --workers 1 \
		--listen "$ADDR_S:5300" --xdp "$DEV_S" >"$1/out" 2>"$1/err" &
	pid=$!
}
start_inetkit_sock() {
	in_srv taskset -c 0 "$INETKIT" serve dns --zone "$tmp/zone" --workers 1 \
		--listen "$ADDR_S:53" >"$1/out" 2>"$1/err" &
	pid=$!
}
knot_conf() {
	cat >"$1/knot.conf" <<EOC
server:
    rundir: "$1"
    listen: $ADDR_S@$2
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
log:
  - target: stderr
    any: info
database:
    storage: "$1"
template:
  - id: default
    storage: "$1"
    journal-content: none
zone:
  - domain: bench.test
    file: "$tmp/zone"
EOC
}
start_knot_xdp() {
	knot_conf "$1" 5300
	printf 'xdp:\n    listen: %s@53\n' "$DEV_S" >>"$1/knot.conf"
	in_srv taskset -c 0 /usr/sbin/knotd -c "$1/knot.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}
start_knot_sock() {
	knot_conf "$1" 53
	in_srv taskset -c 0 /usr/sbin/knotd -c "$1/knot.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# Answers on ADDR_S:53 within 10 s?
ready() {
	local i
	for i in $(seq 100); do
		ip netns exec "$NS_C" dig +short +time=1 +tries=1 \
			@"$ADDR_S" host1.bench.test A >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	return 1
}

udp_out() {
	in_srv awk '/^Udp:/ && $2 ~ /^[0-9]/ { print $5 }' /proc/net/snmp
}

# The load: "xdp" (build/bench/xdp_load) or "dnsperf" (sockets in the
# client's namespace, 16 clients). Prints "sent N answered M seconds T".
load() {
	if [ "$1" = xdp ]; then
		ip netns exec "$NS_C" taskset -c 1 "$LOAD" "$DEV_C" "$ADDR_C" \
			"$ADDR_S" "$MAC_S" "$tmp/queries" "$SECS" "$WINDOW"
		return
	fi
	ip netns exec "$NS_C" taskset -c 1 dnsperf -s "$ADDR_S" -p 53 \
		-d "$tmp/queries" -c 16 -l "$SECS" 2>&1 | awk '
		/Queries sent:/ { s = $3 } /Queries completed:/ { c = $3 }
		/Run time \(s\):/ { t = $4 }
		END { print "sent", s + 0, "answered", c + 0, "seconds", t + 0 }'
}

# measure NAME LOAD: one run against server NAME; appends "NAME@LOAD
# qps cpu_us udp_per_query machine_us" to $tmp/results, or "NAME@LOAD
# failed".
measure() {
	local name=$1@$2 dir="$tmp/$1.$2.$round" a b m0 m1 u0 u1 out sent answered
	mkdir -p "$dir"
	"start_$1" "$dir"
	started[$pid]=1
	if ! ready; then
		log "$name did not answer: $(grep -i -m1 -E 'error|fail' \
			"$dir/err" 2>/dev/null || true)"
		echo "$name failed" >>"$tmp/results"
		stop_tree "$pid"
		return
	fi
	snapshot >"$dir/s0"
	u0=$(udp_out)
	m0=$(machine_ticks)
	out=$(load "$2")
	m1=$(machine_ticks)
	u1=$(udp_out)
	snapshot >"$dir/s1"
	stop_tree "$pid"
	a=$(tree_ticks "$pid" "$dir/s0")
	b=$(tree_ticks "$pid" "$dir/s1")
	read -r _ sent _ answered _ secs <<<"$out"
	log "$name: $out, $((b - a)) ticks"
	awk -v n="$name" -v q="$answered" -v s="$secs" -v t=$((b - a)) -v r="$round" \
		-v hz="$HZ" -v u=$((u1 - u0)) -v m=$((m1 - m0)) 'BEGIN {
		if (q == 0) { print n, "failed"; exit }
		printf "%s %.0f %.3f %.3f %.3f %d\n", n, q / s, t / hz / q * 1e6,
			u / q, m / hz / q * 1e6, r }' >>"$tmp/results"
}

SERVERS="inetkit_xdp knot_xdp inetkit_sock knot_sock"
: >"$tmp/results"
for round in $(seq "$ROUNDS"); do
	order=$SERVERS
	[ $((round % 2)) -eq 1 ] ||
		order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ')
	for s in $order; do
		log "round $round: $s"
		measure "$s" xdp
		[ "$s" = knot_xdp ] || measure "$s" dnsperf
	done
done

col() {	# col NAME FIELD: the median of FIELD over NAME's runs
	awk -v n="$1" -v f="$2" '$1 == n && $2 != "failed" { print $f }' \
		"$tmp/results" | median
}
label() {
	case $1 in
	inetkit_xdp) echo "inetkit --xdp" ;;
	inetkit_sock) echo "inetkit, sockets" ;;
	knot_xdp) echo "Knot $(/usr/sbin/knotd -V | awk '{ print $NF }'), XDP" ;;
	knot_sock) echo "Knot $(/usr/sbin/knotd -V | awk '{ print $NF }'), sockets" ;;
	esac
}

echo "## Name servers over AF_XDP (dns-xdp)"
echo
echo "Namespaces joined by a veth pair (native XDP, copy mode); one worker" \
	"on CPU 0, the AF_XDP load generator (build/bench/xdp_load, window" \
	"$WINDOW) on CPU 1; 10,000-record zone, bench/dns.sh's queries;" \
	"$ROUNDS rounds of $SECS s, order reversed every other round, medians." \
	"Server CPU: utime+stime of the server process over the run (the" \
	"softirq work of the veth done in the other CPU's context is not in" \
	"it); machine CPU: every busy tick of both CPUs, load generator" \
	"included (and anything else running)."
echo
for kind in xdp dnsperf; do
	if [ "$kind" = xdp ]; then
		echo "Load: build/bench/xdp_load (AF_XDP)."
	else
		echo "Second view, load: dnsperf $(dnsperf -h 2>&1 |
			awk '/^Version/ { print $2 }') -c 16 on sockets in the" \
			"client's namespace (its replies cross the client's" \
			"kernel, on the server's CPU when the veth delivers them)."
	fi
	echo
	echo "| server | answered/s | server CPU per answered query | kernel UDP datagrams sent per answered query | machine CPU per answered query | runs |"
	echo "|---|---:|---:|---:|---:|---:|"
	for s in $SERVERS; do
		[ "$kind" = xdp ] || [ "$s" != knot_xdp ] || continue
		n="$s@$kind"
		ok=$(awk -v n="$n" '$1 == n && $2 != "failed"' "$tmp/results" |
			wc -l)
		if [ "$ok" -eq 0 ]; then
			echo "| $(label "$s") | did not serve | | | | 0 |"
			continue
		fi
		printf '| %s | %.0f | %.2f us | %.3f | %.1f us | %s |\n' \
			"$(label "$s")" "$(col "$n" 2)" "$(col "$n" 3)" \
			"$(col "$n" 4)" "$(col "$n" 5)" "$ok"
	done
	echo
done
# The ratio of the two inetkit modes within each round, then the median.
ratios=$(awk '$1 == "inetkit_xdp@xdp" && $2 != "failed" { x[$NF] = $3 }
	$1 == "inetkit_sock@xdp" && $2 != "failed" { k[$NF] = $3 }
	END { for (r = 1; r <= 1000; r++)
		if (r in x && r in k && x[r] > 0) printf "%.2f\n", k[r] / x[r] }' \
	"$tmp/results")
med=$(echo "$ratios" | median)
kx=$(col knot_xdp@xdp 3) x=$(col inetkit_xdp@xdp 3)
echo "inetkit sockets / inetkit XDP, server CPU per query under the" \
	"AF_XDP load, by round:" $(echo "$ratios" | tr '\n' ' ') \
	"(median ${med}x; target: at least 1.8x)."
awk -v x="$x" -v kx="$kx" 'BEGIN {
	if (x != "nan" && kx != "nan")
		printf "inetkit XDP / Knot XDP: %.2fx (target: at most 0.8x).\n", x / kx
	else
		print "Knot XDP: not measured (its XDP program did not load here)." }'
echo
