#!/bin/bash
# bench/dns_instr.sh: user-space instructions per query of inetkit's name
# server, NSD and Knot, counted by valgrind's callgrind, which sees no
# noise from other users of the machine (perf's hardware counters are not
# available in this VM). Each server loads the 10,000-record zone of
# bench/dns.sh; its counters are zeroed once it answers
# (callgrind_control -z, every process of NSD's tree), dnsperf sends
# DNS_INSTR_QUERIES queries at DNS_INSTR_QPS a second (slow enough for a
# server under valgrind to lose none), and the counters are dumped.
# Instructions / answered queries; the kernel's share (system calls,
# the loopback) is not counted. Then the top of inetkit's profile.
# Markdown on stdout, progress on stderr. Not a section of bench/run.sh
# (it takes about a minute and a half): run it alone.
set -eu
cd "$(dirname "$0")/.."

INETKIT=${INETKIT:-build/inetkit}
SIZE=${DNS_INSTR_SIZE:-10000}
NQ=${DNS_INSTR_QUERIES:-20000}
QPS=${DNS_INSTR_QPS:-2000}
# Extra options of inetkit's server, e.g. DNS_INSTR_ARGS="--rrl 1000";
# DNS_INSTR_PEERS=0 counts inetkit alone.
PEERS=${DNS_INSTR_PEERS:-1}
read -r -a EXTRA <<<"${DNS_INSTR_ARGS:-}"
ZONE=bench.test

for f in "$INETKIT" /usr/sbin/nsd /usr/sbin/knotd /usr/bin/dnsperf \
	/usr/bin/valgrind /usr/bin/callgrind_control; do
	[ -x "$f" ] || { echo "dns_instr.sh: $f missing" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/bench-dnsinstr.XXXXXX)
pid=""
cleanup() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT

log() { echo "dns_instr: $*" >&2; }

bench/dns_data.py zone "$SIZE" >"$tmp/zone"
# DNS_INSTR_MIX=nxdomain asks random names under the zone instead (the
# flood of bench/flood.sh: every answer NXDOMAIN).
if [ "${DNS_INSTR_MIX:-}" = nxdomain ]; then
	/usr/bin/python3 -c '
import random, sys
r = random.Random(7)
for _ in range(int(sys.argv[1])):
    print("r%08x.bench.test A" % r.getrandbits(32))' "$NQ" >"$tmp/queries"
else
	bench/dns_data.py queries "$SIZE" "$NQ" >"$tmp/queries"
fi

# The pids of valgrind's processes under $1 ($1 included).
tree() {
	local p=$1 c
	echo "$p"
	for c in $(pgrep -P "$p" || true); do tree "$c"; done
}

# Runs server $1 (its command line in the rest) under callgrind and
# prints "instructions answered".
count() {
	local name=$1 port=$2 p done total
	shift 2
	valgrind --tool=callgrind --trace-children=yes $VG_EXTRA \
		--callgrind-out-file="$tmp/cg.$name.%p" "$@" \
		>"$tmp/$name.out" 2>"$tmp/$name.err" &
	pid=$!
	bench/dns_ready.py "$port" "$ZONE" 120 >/dev/null ||
		{ log "$name did not answer"; tail -5 "$tmp/$name.err" >&2; exit 1; }
	sleep 1
	if [ -z "$VG_EXTRA" ]; then
		for p in $(tree "$pid"); do
			callgrind_control -z "$p" >/dev/null
		done
	fi
	done=$(dnsperf -s 127.0.0.1 -p "$port" -d "$tmp/queries" -n 1 -c 16 \
		-Q "$QPS" 2>&1 | awk '/Queries completed:/ { print $3 }')
	for p in $(tree "$pid"); do callgrind_control -d "$p" >/dev/null; done
	sleep 1
	total=$(cat "$tmp"/cg."$name".*.[0-9]* 2>/dev/null |
		awk '/^summary:/ { s += $2 } END { print s + 0 }')
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=""
	echo "$total $done"
	log "$name: $total instructions, $done queries answered"
}

port=$((20000 + RANDOM % 12000))
# inetkit loads its zones before it starts its worker thread: counting
# only inside the worker (instead of zeroing the counters, which keeps
# totals right but not callgrind_annotate's self costs) gives a profile
# by function too.
VG_EXTRA=--toggle-collect=worker_main
# --no-sandbox: valgrind's own system calls would run under the
# server's seccomp filter
ik=$(count inetkit "$port" "$INETKIT" serve dns --zone "$tmp/zone" \
	--listen "127.0.0.1:$port" --workers 1 --no-sandbox "${EXTRA[@]}")
cp "$(ls "$tmp"/cg.inetkit.*.[0-9]* | head -1)" "$tmp/inetkit.profile"
# DNS_INSTR_KEEP=FILE keeps inetkit's callgrind profile there, for
# callgrind_annotate by line (--auto=yes) or by file.
[ -z "${DNS_INSTR_KEEP:-}" ] || cp "$tmp/inetkit.profile" "$DNS_INSTR_KEEP"
VG_EXTRA=

nsd="0 0" knot="0 0"
[ "$PEERS" = 0 ] || {
port=$((port + 1))
mkdir "$tmp/nsd"
cat >"$tmp/nsd/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$port
	server-count: 1
	username: ""
	chroot: ""
	zonesdir: "$tmp/nsd"
	database: "$tmp/nsd/nsd.db"
	zonelistfile: "$tmp/nsd/zone.list"
	xfrdfile: "$tmp/nsd/xfrd.state"
	xfrdir: "$tmp/nsd"
	pidfile: "$tmp/nsd/nsd.pid"
	logfile: "$tmp/nsd/log"
	rrl-ratelimit: 0
remote-control:
	control-enable: no
zone:
	name: $ZONE
	zonefile: "$tmp/zone"
EOF
nsd=$(count nsd "$port" /usr/sbin/nsd -d -c "$tmp/nsd/nsd.conf")

port=$((port + 1))
mkdir "$tmp/knot"
cat >"$tmp/knot/knot.conf" <<EOF
server:
    rundir: "$tmp/knot"
    listen: 127.0.0.1@$port
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$tmp/knot"
template:
  - id: default
    storage: "$tmp/knot"
    journal-content: none
zone:
  - domain: $ZONE
    file: "$tmp/zone"
EOF
knot=$(count knot "$port" /usr/sbin/knotd -c "$tmp/knot/knot.conf")
}

per() { echo "$1" | awk '{ printf "%.0f", ($2 > 0 ? $1 / $2 : 0) }'; }
echo "## Instructions per query (callgrind, user space)"
echo
echo "$SIZE-record zone, $NQ queries of the bench/dns.sh mix at $QPS" \
	"queries/s, one thread each; instructions of every process of the" \
	"server from its first answer on, divided by the queries answered."
echo
echo "| server | instructions per query | queries answered |"
echo "|---|---:|---:|"
echo "| inetkit | $(per "$ik") | ${ik#* } |"
echo "| NSD $(/usr/sbin/nsd -v 2>&1 | awk 'NR == 1 { print $NF }') | $(per "$nsd") | ${nsd#* } |"
echo "| Knot $(/usr/sbin/knotd -V | awk '{ print $NF }') | $(per "$knot") | ${knot#* } |"
echo
echo "inetkit's profile (self cost, the functions above 1 %):"
echo
echo '```'
callgrind_annotate --inclusive=no "$tmp/inetkit.profile" 2>/dev/null |
	awk -v q="${ik#* }" '
		/file:function/ { on = 1; next }
		on && /^-+$/ { if (rows) exit; next }
		on && /^ *[0-9,]+ +\( *[0-9.]+%\)/ {
			rows++; c = $1; gsub(",", "", c)
			pct = $2 $3; gsub(/[()% ]/, "", pct)
			f = $0; sub(/^ *[0-9,]+ +\( *[0-9.]+%\) +/, "", f)
			sub(/ \[.*$/, "", f); n = split(f, a, "/")
			if (pct + 0 >= 1)
				printf "%6.0f  %5.1f%%  %s\n", c / q, pct, a[n]
		}'
echo '```'
