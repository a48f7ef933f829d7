# bench/lib.sh: helpers for the benchmark sections (sourced, not run):
# process trees and their CPU time and memory from /proc, starting and
# stopping servers by pid, waiting for a port, medians. The caller sets
# $tmp and declares `declare -A started` before using start/stop.

# "pid ppid ticks comm uticks" for every process; ticks = utime+stime+
# cutime+cstime, so a child's time moves into its parent's when it is
# reaped and a sum over a tree stays whole; uticks the user part alone.
snapshot() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk '{ pid = $1; c = $0; sub(/^[^(]*\(/, "", c); sub(/\).*$/, "", c)
		       gsub(/ /, "_", c); sub(/^.*\) /, "")
		       print pid, $2, $12 + $13 + $14 + $15, c, $12 + $14 }'
}

# Every process of the tree under $1, $1 included, one pid a line, from a
# snapshot on stdin; processes named $2 (and their children) left out.
tree_of() {
	awk -v root="$1" -v skip="${2:-}" '{ par[$1] = $2; comm[$1] = $4 }
	END {
		keep[root] = 1
		do {
			more = 0
			for (p in par)
				if (!(p in keep) && (par[p] in keep) &&
				    comm[p] != skip) {
					keep[p] = 1; more = 1
				}
		} while (more)
		for (p in keep) if (p in par) print p
	}'
}

# Ticks of the tree under $1 in snapshot file $2 (user ticks when $3 is
# "user").
tree_ticks() {
	local col=3
	[ "${3:-}" != user ] || col=5
	tree_of "$1" <"$2" | awk -v c="$col" 'NR == FNR { t[$1] = $c; next }
		{ s += t[$1] } END { print s + 0 }' "$2" -
}

# Busy ticks of the whole machine (user, nice, system, irq, softirq).
machine_ticks() {
	awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat
}

# Proportional set size of the tree under $1 in KiB, processes named $2
# left out (PSS splits shared pages among the processes that map them, so
# forked workers are not counted twice).
tree_pss_kib() {
	local p s=0 v
	for p in $(snapshot | tree_of "$1" "${2:-}"); do
		v=$(awk '/^Pss:/ { print $2 }' "/proc/$p/smaps_rollup" \
			2>/dev/null)
		s=$((s + ${v:-0}))
	done
	echo "$s"
}

# Stops a process this script started, and its children, by pid.
stop_tree() {
	local p
	[ -n "${started[$1]:-}" ] || return 0
	for p in $(snapshot | tree_of "$1"); do
		kill "$p" 2>/dev/null || true
	done
	wait "$1" 2>/dev/null || true
	unset "started[$1]"
}

# bench_require SCRIPT FILE...: stops with status 2, naming the first of
# the programs FILE that is missing.
bench_require() {
	local name=$1 f
	shift
	for f in "$@"; do
		[ -x "$f" ] || { echo "$name: $f missing: run make bench" >&2
				 exit 2; }
	done
}

# Exit handling of a section that starts servers: on exit, every process
# in $started is stopped and $tmp removed (kept when $keep_tmp is set); an
# interrupt exits with 130 through it.
bench_cleanup() {
	local p
	for p in "${!started[@]}"; do
		stop_tree "$p"
	done
	[ -n "${keep_tmp:-}" ] || rm -rf "$tmp"
}
bench_traps() {
	trap bench_cleanup EXIT
	trap 'exit 130' INT TERM
}

is_listening() {
	[ -n "$(ss -Hltn "sport = :$1" 2>/dev/null)" ]
}

wait_listening() {
	local i
	for i in $(seq 100); do
		is_listening "$1" && return 0
		sleep 0.1
	done
	return 1
}

# Waits for inetkit's "listening SERVICE tcp ADDR:PORT" line in OUT (a
# server started on port 0) and sets port; else sets reason from ERR and
# returns 1.
listened_port() {
	local i line=""
	for i in $(seq 50); do
		line=$(grep -m1 "^listening $1 tcp " "$2" || true)
		[ -n "$line" ] && break
		sleep 0.1
	done
	[ -n "$line" ] || { reason="did not start: $(cat "$3")"; return 1; }
	port=${line##*:}
}

# A free TCP port on 127.0.0.1 for a server that cannot take port 0.
free_port() {
	local p i
	for i in $(seq 50); do
		p=$((10000 + RANDOM % 20000))	# below the ephemeral range
		# free for TCP and UDP both (a name server wants the pair)
		[ -z "$(ss -Hltnu "sport = :$p" 2>/dev/null)" ] &&
			{ echo "$p"; return 0; }
	done
	return 1
}

# The median of the numbers on stdin, "nan" when there are none.
median() {
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR == 0) print "nan";
		else if (NR % 2) print v[(NR + 1) / 2];
		else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# ---- name servers (bench/dns.sh, bench/dns_floor.sh) ----
# The caller sets THREADS, ZONE, INETKIT, CLIENTS, SECS, RATE (empty:
# unlimited), LAT_SECS (0: no latency run), LAT_QPS, HZ, a log function,
# and calls dns_placement.

# The server gets CPUs 0..THREADS-1, dnsperf the last CPU; with as many
# threads as CPUs they share. Sets SERVER_CPUS, LOAD_CPU, prio,
# PIN_SERVER and PIN_LOAD.
dns_placement() {
	local ncpu
	ncpu=$(nproc)
	SERVER_CPUS=0-$((THREADS - 1))
	LOAD_CPU=$((ncpu - 1))
	[ "$THREADS" -lt "$ncpu" ] || SERVER_CPUS=0-$((ncpu - 1))
	prio=()
	[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)
	PIN_SERVER=("${prio[@]}" taskset -c "$SERVER_CPUS")
	PIN_LOAD=("${prio[@]}" taskset -c "$LOAD_CPU")
}

# The servers: start_NAME DIR ZONEFILE PORT sets pid.
start_inetkit() {
	"${PIN_SERVER[@]}" "$INETKIT" serve dns --zone "$2" \
		--listen "127.0.0.1:$3" --workers "$THREADS" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# Debian's NSD limits response rates by default: off, or queries are
# lost. It compiles the zone into nsd.db (in DIR) as it starts, then
# forks its server processes.
start_nsd() {
	cat >"$1/nsd.conf" <<EOF
server:
	ip-address: 127.0.0.1@$3
	server-count: $THREADS
	reuseport: yes
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
EOF
	"${PIN_SERVER[@]}" /usr/sbin/nsd -d -c "$1/nsd.conf" \
		>"$1/out" 2>"$1/err" &
	pid=$!
}

# Starts server $1 on zone file $2 in a fresh directory (no nsd.db or
# Knot database left from before) and waits for its first answer. Sets
# pid and port; appends "round size server load_s" to $tmp/loads.
launch() {
	local name=$1 zf=$2 round=$3 size=$4 d t0 t1 probe i
	d=$tmp/run-$name
	rm -rf "$d"
	mkdir "$d"
	port=$(free_port)
	bench/dns_ready.py "$port" "$ZONE" 60 >"$d/ready" &
	probe=$!
	for i in $(seq 500); do
		grep -q armed "$d/ready" 2>/dev/null && break
		sleep 0.01
	done
	t0=$(date +%s.%N)
	"start_$name" "$d" "$zf" "$port"
	started[$pid]=1
	wait "$probe" || {
		log "$name did not answer: $(tail -3 "$d/err" "$d/log" 2>/dev/null)"
		return 1
	}
	t1=$(tail -1 "$d/ready")
	echo "$round $size $name $(awk -v a="$t0" -v b="$t1" \
		'BEGIN { printf "%.3f", b - a }')" >>"$tmp/loads"
}

# "p50_us p99_us" of dnsperf -v lines ("> NOERROR name type seconds").
percentiles() {
	awk '/^> / { print $NF * 1e6 }' "$1" | sort -g | awk '
		{ v[NR] = $1 }
		END {
			if (NR == 0) { print "nan nan"; exit }
			a = int(NR * 0.50); if (a < NR * 0.50) a++
			b = int(NR * 0.99); if (b < NR * 0.99) b++
			printf "%.0f %.0f\n", v[a], v[b]
		}'
}

# One server, one round: dnsperf for SECS seconds, at full speed (or at
# RATE queries/s when that is set), then a
# latency run at LAT_QPS (unless LAT_SECS is 0). Appends to $tmp/results:
#   round size server qps completed answered% server_s wall_s other_cores
#   reply_bytes noerror% nxdomain% p50_us p99_us server_user_s
measure() {
	local round=$1 size=$2 name=$3 spid=$4 sport=$5 qf=$6 out lat
	local m0 m1 t0 t1 s0 s1 o0 o1 u0 u1
	m0=$(machine_ticks)
	snapshot >"$tmp/snap0"
	t0=$(date +%s.%N)
	out=$("${PIN_LOAD[@]}" dnsperf -s 127.0.0.1 -p "$sport" -d "$qf" \
		-c "$CLIENTS" -l "$SECS" ${RATE:+-Q "$RATE"} 2>&1) || true
	t1=$(date +%s.%N)
	snapshot >"$tmp/snap1"
	m1=$(machine_ticks)
	: >"$tmp/lat"
	[ "$LAT_SECS" = 0 ] ||
		"${PIN_LOAD[@]}" dnsperf -s 127.0.0.1 -p "$sport" -d "$qf" \
			-c "$CLIENTS" -l "$LAT_SECS" -Q "$LAT_QPS" -v \
			>"$tmp/lat" 2>&1 || true
	lat=$(percentiles "$tmp/lat")
	s0=$(tree_ticks "$spid" "$tmp/snap0")
	s1=$(tree_ticks "$spid" "$tmp/snap1")
	u0=$(tree_ticks "$spid" "$tmp/snap0" user)
	u1=$(tree_ticks "$spid" "$tmp/snap1" user)
	o0=$((m0 - $(tree_ticks $$ "$tmp/snap0")))
	o1=$((m1 - $(tree_ticks $$ "$tmp/snap1")))
	echo "$out" | awk -v r="$round" -v z="$size" -v n="$name" \
		-v cpu="$(((s1 - s0)))" -v hz="$HZ" -v t0="$t0" -v t1="$t1" \
		-v other="$((o1 - o0))" -v lat="$lat" -v user="$((u1 - u0))" '
		/Queries completed:/ { done = $3; pct = $4; gsub(/[(%)]/, "", pct) }
		/Queries per second:/ { qps = $4 }
		/Average packet size:/ { bytes = $NF }
		/Response codes:/ {
			for (i = 3; i < NF; i += 3) {
				v = $(i + 2); gsub(/[(%),]/, "", v); rc[$i] = v
			}
		}
		END {
			if (qps == "") { print r, z, n, "fail"; exit }
			o = other / hz; if (o < 0) o = 0
			printf "%s %s %s %.0f %d %s %.3f %.3f %.2f %d %s %s %s %.3f\n",
			    r, z, n, qps, done, pct, cpu / hz, t1 - t0,
			    o / (t1 - t0), bytes, rc["NOERROR"] + 0,
			    rc["NXDOMAIN"] + 0, lat, user / hz
		}' >>"$tmp/results"
	log "round $round, $size records, $name: $(tail -1 "$tmp/results")"
}
