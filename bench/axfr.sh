#!/bin/bash
# bench/axfr.sh: zone transfer out (issue 13). The 1,000,000-record zone
# of bench/dns.sh served by inetkit, NSD and Knot, each pinned to CPU 0,
# and taken whole by AXFR over TCP by kdig on CPU 1 (its output thrown
# away). Per server: the wall time of the transfer, the server's CPU time
# during it, and memory (PSS) while serving before the transfer and at its
# peak during it (sampled every 50 ms). Medians over AXFR_ROUNDS. The
# client parses every record, so the wall time is bounded by kdig's speed
# as much as by the server's: the server CPU column is the comparison.
# Markdown on stdout, progress on stderr. Settings: AXFR_SIZE (1000000),
# AXFR_ROUNDS (3), INETKIT (build/inetkit), AXFR_KEEP (keep the temporary
# directory).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
SIZE=${AXFR_SIZE:-1000000}
ROUNDS=${AXFR_ROUNDS:-3}
ZONE=bench.test
THREADS=1
HZ=$(getconf CLK_TCK)
dns_placement
bench_require axfr.sh "$INETKIT" /usr/sbin/nsd /usr/sbin/knotd /usr/bin/kdig

tmp=$(mktemp -d /tmp/bench-axfr.XXXXXX)
declare -A started
keep_tmp=${AXFR_KEEP:-}
bench_traps
log() { echo "axfr: $*" >&2; }

# The servers of lib.sh, with transfers allowed from 127.0.0.1.
start_inetkit_x() {
	"${PIN_SERVER[@]}" "$INETKIT" serve dns --zone "$2" \
		--listen "127.0.0.1:$3" --workers "$THREADS" \
		--allow-transfer 127.0.0.1 >"$1/out" 2>"$1/err" &
	pid=$!
}

start_nsd_x() {
	cat >"$1/nsd.conf" <<EOC
server:
	ip-address: 127.0.0.1@$3
	server-count: $THREADS
	username: ""
	chroot: ""
	zonesdir: "$1"
	database: "$1/nsd.db"
	zonelistfile: "$1/zone.list"
	xfrdfile: "$1/xfrd.state"
	xfrdir: "$1"
	pidfile: "$1/nsd.pid"
	logfile: "$1/log"
	verbosity: 0
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: $ZONE
	zonefile: "$2"
	provide-xfr: 127.0.0.1 NOKEY
EOC
	"${PIN_SERVER[@]}" /usr/sbin/nsd -d -c "$1/nsd.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

start_knot_x() {
	cat >"$1/knot.conf" <<EOC
server:
    rundir: "$1"
    listen: 127.0.0.1@$3
    udp-workers: $THREADS
    tcp-workers: $THREADS
    background-workers: 1
database:
    storage: "$1"
acl:
  - id: xfr
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "$1"
    journal-content: none
zone:
  - domain: $ZONE
    file: "$2"
    acl: xfr
EOC
	"${PIN_SERVER[@]}" /usr/sbin/knotd -c "$1/knot.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# Peak PSS (KiB) of the tree under $1 until file $2 exists.
sample_peak() {
	local peak=0 v
	while [ ! -e "$2" ]; do
		v=$(tree_pss_kib "$1")
		[ "$v" -le "$peak" ] || peak=$v
		sleep 0.05
	done
	echo "$peak"
}

: >"$tmp/results"
: >"$tmp/loads"
zf=$tmp/$ZONE.zone
bench/dns_data.py zone "$SIZE" >"$zf"
log "$SIZE records: zone file $(stat -c %s "$zf") bytes"
for round in $(seq "$ROUNDS"); do
	if [ $((round % 2)) -eq 1 ]; then order="inetkit nsd knot"
	else order="knot nsd inetkit"; fi
	for s in $order; do
		launch "${s}_x" "$zf" "$round" "$SIZE" || exit 1
		sleep 1		# let the load's memory settle
		serving=$(tree_pss_kib "$pid")
		rm -f "$tmp/done"
		sample_peak "$pid" "$tmp/done" >"$tmp/peak" &
		sampler=$!
		snapshot >"$tmp/snap0"
		t0=$(date +%s.%N)
		"${PIN_LOAD[@]}" kdig @127.0.0.1 -p "$port" "$ZONE" AXFR \
			+noall +answer >"$tmp/axfr.out" 2>"$tmp/axfr.err" || {
			log "$s: kdig failed: $(tail -2 "$tmp/axfr.err")"
			exit 1
		}
		t1=$(date +%s.%N)
		snapshot >"$tmp/snap1"
		touch "$tmp/done"
		wait "$sampler"
		n=$(wc -l <"$tmp/axfr.out")
		ticks=$(($(tree_ticks "$pid" "$tmp/snap1") -
			 $(tree_ticks "$pid" "$tmp/snap0")))
		echo "$round $s $(awk -v a="$t0" -v b="$t1" -v t="$ticks" \
			-v hz="$HZ" 'BEGIN { printf "%.3f %.3f", b - a, t / hz }'
		) $serving $(cat "$tmp/peak") $n" >>"$tmp/results"
		log "round $round $s: $(tail -1 "$tmp/results")"
		stop_tree "$pid"
	done
done
rm -f "$zf" "$tmp/axfr.out"

med() {
	awk -v s="$1" '$2 == s { print '"$2"' }' "$tmp/results" | median
}

echo "## Zone transfer (AXFR of $SIZE records)"
echo
echo "Median of $ROUNDS rounds; server pinned to CPU 0, kdig to CPU 1;"
echo "memory is PSS (MiB) while serving, and the peak during the transfer."
echo
echo "| server | records | AXFR wall s | server CPU s | serving MiB | peak MiB |"
echo "|---|---|---|---|---|---|"
for s in inetkit nsd knot; do
	printf '| %s | %s | %.2f | %.2f | %.1f | %.1f |\n' "$s" \
		"$(med "$s" '$7')" "$(med "$s" '$3')" "$(med "$s" '$4')" \
		"$(awk "BEGIN { print $(med "$s" '$5') / 1024 }")" \
		"$(awk "BEGIN { print $(med "$s" '$6') / 1024 }")"
done
echo
