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
