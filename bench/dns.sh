#!/bin/bash
# bench/dns.sh: the name-server benchmark (issue 5). inetkit's `serve dns`
# against NSD and Knot DNS on the same generated zone (10,000 and
# 1,000,000 records, bench/dns_data.py), the same number of threads, the
# servers pinned to CPU 0 and dnsperf to CPU 1. Per server: queries/s,
# answered share, queries per second of server CPU, latency percentiles,
# zone load time (time to first answer) and memory (peak RSS, PSS).
# Markdown on stdout, progress on stderr. Settings (environment):
#   DNS_SIZES ("10000 1000000"), DNS_ROUNDS (3), DNS_SECONDS of dnsperf
#   per measurement (5), DNS_CLIENTS (16), DNS_THREADS (1), DNS_QUERIES
#   in the query file (200000), DNS_LAT_QPS (20000) and DNS_LAT_SECONDS
#   (2) for the latency run, INETKIT (build/inetkit), DNS_KEEP (set: keep
#   the temporary directory, for a look at the servers' logs).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
SIZES=${DNS_SIZES:-10000 1000000}
ROUNDS=${DNS_ROUNDS:-3}
SECS=${DNS_SECONDS:-5}
CLIENTS=${DNS_CLIENTS:-16}
THREADS=${DNS_THREADS:-1}
NQUERIES=${DNS_QUERIES:-200000}
LAT_QPS=${DNS_LAT_QPS:-20000}
LAT_SECS=${DNS_LAT_SECONDS:-2}
ZONE=bench.test
TARGET_CORE=1.2		# x the best peer's queries per server CPU second
TARGET_MEM=1.5		# x the zone file's size, for the largest zone
HZ=$(getconf CLK_TCK)
dns_placement

for f in "$INETKIT" /usr/sbin/nsd /usr/sbin/knotd /usr/bin/dnsperf; do
	[ -x "$f" ] || {
		echo "dns.sh: $f missing: run scripts/deps.sh bench" >&2
		exit 2
	}
done

tmp=$(mktemp -d /tmp/bench-dns.XXXXXX)
declare -A started	# pids this script started and has not yet reaped

log() { echo "dns: $*" >&2; }

# ---- memory of a process tree (the rest is in bench/lib.sh) ----

# "hwm_kib rss_kib pss_kib" of the tree under $1: VmHWM, VmRSS and PSS
# summed over its processes (PSS shares pages between NSD's forks
# fairly; summed RSS counts them once per process).
tree_mem() {
	local p h=0 r=0 s=0 v
	for p in $(snapshot | tree_of "$1"); do
		v=$(awk '/^VmHWM:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		h=$((h + ${v:-0}))
		v=$(awk '/^VmRSS:/ { print $2 }' "/proc/$p/status" 2>/dev/null)
		r=$((r + ${v:-0}))
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" \
			2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$h $r $s"
}

keep_tmp=${DNS_KEEP:-}
bench_traps

# ---- the servers: start_NAME DIR ZONEFILE PORT sets pid (start_inetkit
# and start_nsd are in bench/lib.sh, with launch and measure) ----

# Knot answers with minimal responses (no NS and glue beside a positive
# answer), so its replies are shorter than NSD's and inetkit's.
start_knot() {
	cat >"$1/knot.conf" <<EOF
server:
    rundir: "$1"
    listen: 127.0.0.1@$3
    udp-workers: $THREADS
    tcp-workers: $THREADS
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
  - domain: $ZONE
    file: "$2"
EOF
	"${PIN_SERVER[@]}" /usr/sbin/knotd -c "$1/knot.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# ---- data ----
: >"$tmp/results"
: >"$tmp/loads"
: >"$tmp/mem"
order_of() {
	if [ $(($1 % 2)) -eq 1 ]; then echo "inetkit nsd knot"
	else echo "knot nsd inetkit"; fi
}

for size in $SIZES; do
	zf=$tmp/$ZONE.$size.zone
	qf=$tmp/queries.$size
	bench/dns_data.py zone "$size" >"$zf"
	bench/dns_data.py queries "$size" "$NQUERIES" >"$qf"
	echo "$size $(stat -c %s "$zf")" >>"$tmp/zones"
	log "$size records: zone file $(stat -c %s "$zf") bytes"
	for round in $(seq "$ROUNDS"); do
		declare -A spid=() sport=()
		# Loaded one at a time, so each load has the CPU to itself.
		for s in $(order_of "$round"); do
			launch "$s" "$zf" "$round" "$size" || exit 1
			spid[$s]=$pid
			sport[$s]=$port
			echo "$round $size $s load $(tree_mem "$pid")" >>"$tmp/mem"
		done
		for s in $(order_of "$round"); do
			measure "$round" "$size" "$s" "${spid[$s]}" \
				"${sport[$s]}" "$qf"
		done
		for s in $(order_of "$round"); do
			echo "$round $size $s end $(tree_mem "${spid[$s]}")" \
				>>"$tmp/mem"
			stop_tree "${spid[$s]}"
		done
	done
	rm -f "$zf"
done

# Median over rounds of awk expression $3 for server $2, zone size $1.
med() {
	awk -v z="$1" -v s="$2" '$2 == z && $3 == s && $4 != "fail" \
		{ print '"$3"' }' "$tmp/results" | median
}

per_core='$5 / $7'	# queries answered per server CPU second

# Median over rounds of the within-round ratio inetkit / peer of $3.
ratio() {
	awk -v z="$1" -v peer="$2" '$2 == z && $4 != "fail" {
			v[$1, $3] = '"$3"'; r[$1] = 1 }
		END {
			for (x in r)
				if (((x, "inetkit") in v) && ((x, peer) in v) &&
				    v[x, peer] > 0)
					print v[x, "inetkit"] / v[x, peer]
		}' "$tmp/results" | median
}

# Median load time (s), peak RSS and PSS (MiB, the larger of the figures
# after the load and after the runs) of server $2 at size $1.
load_med() {
	awk -v z="$1" -v s="$2" '$2 == z && $3 == s { print $4 }' \
		"$tmp/loads" | median
}

mem_med() {
	awk -v z="$1" -v s="$2" -v c="$3" '$2 == z && $3 == s {
			if ($c > m[$1]) m[$1] = $c }
		END { for (r in m) print m[r] / 1024 }' "$tmp/mem" | median
}

label() {
	case $1 in
	inetkit) echo "inetkit $(git describe --always --dirty 2>/dev/null || echo)" ;;
	nsd) echo "NSD $(/usr/sbin/nsd -v 2>&1 | awk 'NR == 1 { print $NF }')" ;;
	knot) echo "Knot $(/usr/sbin/knotd -V | awk '{ print $NF }')" ;;
	esac
}

verdict() {
	awk -v v="$1" -v t="$2" -v op="$3" 'BEGIN {
		ok = op == "ge" ? v >= t : v <= t
		print ok ? "PASS" : "FAIL" }'
}

fails=$(grep -c ' fail$' "$tmp/results" || true)
echo "## Name servers: inetkit, NSD, Knot DNS"
echo
echo "The same generated zone ($ZONE: hosts with A and AAAA, CNAMEs, MX," \
	"TXT, delegations with glue; bench/dns_data.py) and the same query" \
	"file ($NQUERIES queries: 85% existing names for the type they hold," \
	"delegated names included, 10% NXDOMAIN, 3% ANY, 2% TXT) for every" \
	"server. $THREADS thread(s) each (inetkit \`--workers $THREADS\`, NSD" \
	"\`server-count: $THREADS\`, Knot \`udp-workers: $THREADS\`), on CPU" \
	"$SERVER_CPUS; dnsperf $(dnsperf -h 2>&1 | awk '/^Version/ { print $2 }')" \
	"on CPU $LOAD_CPU, \`-c $CLIENTS -l $SECS\`, unlimited rate;" \
	"${prio:+both at nice -10; }$ROUNDS rounds, the order of servers" \
	"reversed every other round, medians over rounds."
echo
echo "dnsperf saturates its own CPU near 150k queries/s here, so" \
	"queries/s mostly measures dnsperf: **queries per server CPU" \
	"second** (answered queries divided by user+system CPU time of the" \
	"server's process tree during the run) is the figure that separates" \
	"servers, and it is less sensitive to other users of the machine." \
	"CPU per query splits it into user and kernel time (the kernel" \
	"samples the split at each tick; the sum is exact)." \
	"Latency: a separate dnsperf -v run at $LAT_QPS queries/s for" \
	"$LAT_SECS s, percentiles over every query. Load: time from starting" \
	"the process to its first authoritative answer (bench/dns_ready.py" \
	"asks every 2 ms), each server alone on the machine's CPUs. Memory:" \
	"peak RSS (VmHWM), RSS and PSS summed over the server's processes," \
	"the larger of after loading and after the runs. Knot answers" \
	"minimally (no NS or" \
	"glue beside a positive answer), hence its shorter replies."
echo
for size in $SIZES; do
	fbytes=$(awk -v z="$size" '$1 == z { print $2 }' "$tmp/zones")
	echo "### $size records (zone file $(awk -v b="$fbytes" \
		'BEGIN { printf "%.1f MB", b / 1e6 }'))"
	echo
	echo "| server | queries/s | answered | server CPU | queries per server CPU s | CPU per query, user + kernel | reply bytes | NXDOMAIN | p50 | p99 | load time | peak RSS | RSS | PSS |"
	echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
	for s in inetkit nsd knot; do
		printf '| %s | %.0f | %.2f%% | %.0f%% | **%.0f** | %.2f + %.2f us | %.0f | %.1f%% | %.0f us | %.0f us | %.3f s | %.1f MiB | %.1f MiB | %.1f MiB |\n' \
			"$(label $s)" "$(med "$size" $s '$4')" \
			"$(med "$size" $s '$6')" \
			"$(med "$size" $s '100 * $7 / $8')" \
			"$(med "$size" $s "$per_core")" \
			"$(med "$size" $s '1e6 * $15 / $5')" \
			"$(med "$size" $s '1e6 * ($7 - $15) / $5')" \
			"$(med "$size" $s '$10')" "$(med "$size" $s '$12')" \
			"$(med "$size" $s '$13')" "$(med "$size" $s '$14')" \
			"$(load_med "$size" $s)" "$(mem_med "$size" $s 5)" \
			"$(mem_med "$size" $s 6)" "$(mem_med "$size" $s 7)"
	done
	echo
	best=$(for s in nsd knot; do
		echo "$(med "$size" $s "$per_core") $s"; done | sort -g |
		tail -1 | cut -d' ' -f2)
	r=$(ratio "$size" "$best" "$per_core")
	printf 'Queries per server CPU second, inetkit / best peer (%s, median of' \
		"$(label "$best")"
	printf ' the ratios within each round): **%.2fx**; target %sx: **%s**.' \
		"$r" "$TARGET_CORE" "$(verdict "$r" "$TARGET_CORE" ge)"
	printf ' inetkit / NSD %.2fx, inetkit / Knot %.2fx; queries/s, inetkit /' \
		"$(ratio "$size" nsd "$per_core")" "$(ratio "$size" knot "$per_core")"
	printf ' NSD %.2fx, inetkit / Knot %.2fx.\n\n' \
		"$(ratio "$size" nsd '$4')" "$(ratio "$size" knot '$4')"
	if [ "$size" = "$(echo "$SIZES" | tr ' ' '\n' | sort -g | tail -1)" ]; then
		li=$(load_med "$size" inetkit)
		lb=$(for s in nsd knot; do echo "$(load_med "$size" $s)"; done |
			sort -g | head -1)
		mr=$(mem_med "$size" inetkit 6)
		mh=$(mem_med "$size" inetkit 5)
		mlim=$(awk -v b="$fbytes" -v t="$TARGET_MEM" \
			'BEGIN { printf "%.1f", b * t / 1048576 }')
		printf 'Zone load, inetkit %.3f s against the fastest peer %.3f s' \
			"$li" "$lb"
		printf ' (target: no slower): **%s**. Memory against %sx the' \
			"$(verdict "$li" "$lb" le)" "$TARGET_MEM"
		printf ' zone file (%s MiB): inetkit holds %.1f MiB while it' \
			"$mlim" "$mr"
		printf ' serves (RSS): **%s**; its peak while loading is' \
			"$(verdict "$mr" "$mlim" le)"
		printf ' %.1f MiB: **%s**.\n\n' "$mh" "$(verdict "$mh" "$mlim" le)"
	fi
done
echo "Per round (server CPU: share of one CPU during the dnsperf run;" \
	"other: CPU used by processes outside the benchmark during it, in" \
	"cores; above ~0.2 the figures are noisy):"
echo
echo "| round | records | server | queries/s | answered | server CPU s | queries per CPU s | other | p50 | p99 | load |"
echo "|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|"
awk 'NR == FNR { load[$1, $2, $3] = $4; next }
	$4 == "fail" { printf "| %d | %d | %s | failed | | | | | | | |\n", $1, $2, $3; next }
	{ printf "| %d | %d | %s | %.0f | %.2f%% | %.2f | %.0f | %.2f | %d us | %d us | %.3f s |\n",
	    $1, $2, $3, $4, $6, $7, $5 / $7, $9, $13, $14, load[$1, $2, $3] }' \
	"$tmp/loads" "$tmp/results"
echo
[ "$fails" -eq 0 ] || exit 1
