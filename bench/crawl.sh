#!/bin/bash
# bench/crawl.sh: the crawler benchmark (issue 6, part 4). A generated site
# of CRAWL_PAGES linked pages (tests/e2e/gensite.py) is served by `inetkit
# serve http` (one worker, pinned to CPU 0) on loopback and crawled whole by
# `inetkit crawl`, `wget -r` and `linkchecker`, in CRAWL_ROUNDS rounds with
# the order rotated; medians of the wall time, pages per second and the
# ratio to wget. Two placements: every crawler pinned to CPU 1 (one core
# each: inetkit then parses HTML in its loop), and every crawler free to
# run on both CPUs (inetkit then parses on a thread per CPU; wget has one
# thread, linkchecker its own). Every crawler must find every page, or
# the section fails.
#
# linkchecker limits itself to 10 requests per second per host (its
# `maxrequestspersecond`) unless the answers carry a "LinkChecker" header
# field, which inetkit does not send: it crawls through an nginx proxy
# (also on CPU 0) that adds the field, with maxrequestspersecond raised.
#
# The machine is shared: a crawl during which other processes used more
# than CRAWL_QUIET percent of the machine's CPU (busy ticks of
# /proc/stat, less the crawler's, the server's and nginx's) is run again,
# up to CRAWL_RETRIES times, as PEERS.md advises for every peer alike;
# each round's figure says how much the others took.
#
# Markdown on stdout, progress on stderr. Settings (environment):
#   CRAWL_PAGES (10000), CRAWL_ROUNDS (3), CRAWL_CONCURRENCY (16: inetkit's
#   connections; linkchecker's threads), CRAWL_QUIET (25),
#   CRAWL_RETRIES (2), INETKIT (build/inetkit).
# Runs alone (bench/crawl.sh) or as a section of bench/run.sh.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
PAGES=${CRAWL_PAGES:-10000}
ROUNDS=${CRAWL_ROUNDS:-3}
CONC=${CRAWL_CONCURRENCY:-16}
QUIET=${CRAWL_QUIET:-25}
RETRIES=${CRAWL_RETRIES:-2}
SERVER_CPU=0
CRAWL_CPU=1
[ "$(nproc)" -ge 2 ] || CRAWL_CPU=0
PY=/usr/bin/python3
# Other users of the machine delay every wake-up: as root, the server and
# the crawlers run at nice -10 (as the other sections do).
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)

for t in "$INETKIT" wget linkchecker nginx taskset; do
	command -v "$t" >/dev/null || { echo "crawl.sh: $t missing" >&2; exit 2; }
done

tmp=$(mktemp -d /tmp/bench-crawl.XXXXXX)
chmod 755 "$tmp"
pids=()

log() { echo "crawl: $*" >&2; }

cleanup() {
	local p
	for p in "${pids[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

site=$tmp/site
log "generating $PAGES pages"
$PY tests/e2e/gensite.py "$site" "$PAGES"

"${prio[@]}" taskset -c "$SERVER_CPU" "$INETKIT" serve http --root "$site" \
	--listen 127.0.0.1:0 --workers 1 >"$tmp/http.out" 2>"$tmp/http.err" &
pids+=($!)
server_pid=$!
port=
for _ in $(seq 50); do
	port=$(sed -n 's/^listening http tcp 127\.0\.0\.1:\([0-9]*\)$/\1/p' "$tmp/http.out")
	[ -n "$port" ] && break
	sleep 0.1
done
[ -n "$port" ] || { log "inetkit serve http did not start"; exit 1; }

proxy=$(free_port)
cat >"$tmp/nginx.conf" <<CONF
worker_processes 1;
error_log $tmp/nginx-error.log;
pid $tmp/nginx.pid;
events { worker_connections 1024; }
http {
	access_log off;
	upstream site { server 127.0.0.1:$port; keepalive 64; }
	server {
		listen 127.0.0.1:$proxy;
		location / {
			proxy_pass http://site;
			proxy_http_version 1.1;
			proxy_set_header Connection "";
			add_header LinkChecker inetkit-bench always;
		}
	}
}
CONF
"${prio[@]}" taskset -c "$SERVER_CPU" nginx -c "$tmp/nginx.conf" -g 'daemon off;' \
	2>"$tmp/nginx.err" &
pids+=($!)
nginx_pid=$!
cat >"$tmp/linkcheckerrc" <<CONF
[checking]
threads=$CONC
maxrequestspersecond=1000000
CONF
chmod 644 "$tmp/linkcheckerrc"
for _ in $(seq 50); do
	curl -s -o /dev/null "http://127.0.0.1:$proxy/" && break
	sleep 0.1
done

# crawl_cmd NAME PIN...: runs one complete crawl by NAME (output in
# $tmp/run/out), behind the PIN prefix (nice, taskset).
crawl_cmd() {
	local name=$1
	shift
	case $name in
	inetkit)
		"$@" "$INETKIT" crawl "http://127.0.0.1:$port/" -q \
			--concurrency "$CONC" >"$tmp/run/out" 2>&1 || true
		;;
	wget)
		(cd "$tmp/run" && "$@" wget -r -l inf -nd --delete-after -nv \
			-o "$tmp/run/out" "http://127.0.0.1:$port/") || true
		;;
	linkchecker)
		"$@" linkchecker -f "$tmp/linkcheckerrc" --no-status \
			--no-warnings "http://127.0.0.1:$proxy/" \
			>"$tmp/run/out" 2>&1 || true
		;;
	esac
}

# Busy ticks of the server's and nginx's processes.
server_ticks() {
	snapshot >"$tmp/snap"
	echo $(($(tree_ticks "$server_pid" "$tmp/snap") + \
		$(tree_ticks "$nginx_pid" "$tmp/snap")))
}

# run_once NAME PLACEMENT: prints "SECONDS PAGES CPU_SECONDS SERVER_TICKS
# OTHERS_PERCENT" for one complete crawl (CPU: user + system of the
# crawler and its children); PLACEMENT is "pinned" (CPU 1 only) or "free".
run_once() {
	local n m0 s0 m1 s1 pin=("${prio[@]}") TIMEFORMAT='%R %U %S'
	[ "$2" = pinned ] && pin+=(taskset -c "$CRAWL_CPU")
	mkdir -p "$tmp/run"
	m0=$(machine_ticks) s0=$(server_ticks)
	{ time crawl_cmd "$1" "${pin[@]}"; } 2>"$tmp/time"
	m1=$(machine_ticks) s1=$(server_ticks)
	case $1 in
	inetkit) n=$(sed -n 's/^crawled \([0-9]*\) URLs.*/\1/p' "$tmp/run/out") ;;
	wget) n=$(grep -c ' URL:' "$tmp/run/out" || true) ;;
	linkchecker) n=$(sed -n 's/.* links* in \([0-9]*\) URLs* checked.*/\1/p' "$tmp/run/out") ;;
	esac
	rm -rf "$tmp/run"
	awk -v n="${n:-0}" -v m=$((m1 - m0)) -v sv=$((s1 - s0)) \
		-v cpus="$(nproc)" '{ o = (m - sv) / 100 - ($2 + $3)
		p = $1 > 0 ? 100 * o / ($1 * cpus) : 0
		printf "%.3f %d %.3f %d %.0f\n", $1, n, $2 + $3, sv, p }' \
		"$tmp/time"
}

# run_crawler NAME PLACEMENT: run_once, again while other processes took
# more than QUIET percent of the machine (RETRIES times at most).
run_crawler() {
	local out try
	for try in $(seq 0 "$RETRIES"); do
		out=$(run_once "$1" "$2")
		[ "$(echo "$out" | awk '{ print $5 }')" -le "$QUIET" ] && break
		[ "$try" -lt "$RETRIES" ] &&
			log "$1: others took $(echo "$out" | awk '{ print $5 }')% of the machine; again"
	done
	echo "$out"
}

crawlers=(inetkit wget linkchecker)
placements=(pinned free)
declare -A times pages_seen cpus srv others
fail=0
for r in $(seq "$ROUNDS"); do
	for place in "${placements[@]}"; do
		for i in 0 1 2; do
			c=${crawlers[$(( (i + r - 1) % 3 ))]}
			log "round $r, $place: $c"
			read -r secs n cpu sv oth < <(run_crawler "$c" "$place")
			times[$c.$place]="${times[$c.$place]:-} $secs"
			cpus[$c.$place]="${cpus[$c.$place]:-} $cpu"
			srv[$c.$place]="${srv[$c.$place]:-} $sv"
			others[$c.$place]="${others[$c.$place]:-} $oth%"
			pages_seen[$c.$place]="${pages_seen[$c.$place]:-} $n"
			if [ "$n" -ne "$PAGES" ]; then
				log "$c found $n pages, not $PAGES"
				fail=1
			fi
		done
	done
done

list() { echo "$1" | tr ' ' '\n' | sed '/^$/d'; }

echo "## Crawling a generated site of $PAGES pages"
echo
echo "inetkit serve http (1 worker, CPU $SERVER_CPU) on loopback; $ROUNDS"
echo "rounds, order rotated, medians. inetkit crawl --concurrency $CONC;"
echo "wget -r -l inf -nd --delete-after (one connection); linkchecker with"
echo "$CONC threads through an nginx proxy (CPU $SERVER_CPU) that adds the"
echo "LinkChecker header field (else it allows itself 10 requests/s)."
echo "Server CPU: the inetkit server's and the nginx proxy's (which only"
echo "linkchecker uses). A crawl during which other processes took more than"
echo "$QUIET% of the machine was run again (up to $RETRIES times)."
for place in "${placements[@]}"; do
	echo
	if [ "$place" = pinned ]; then
		echo "### Each crawler pinned to CPU $CRAWL_CPU"
	else
		echo "### Each crawler free to use every CPU"
	fi
	echo
	echo "| crawler | pages found | median s | pages/s | vs wget | crawler CPU us/page | server CPU us/page |"
	echo "|---|---:|---:|---:|---:|---:|---:|"
	wget_s=$(list "${times[wget.$place]}" | median)
	for c in "${crawlers[@]}"; do
		s=$(list "${times[$c.$place]}" | median)
		n=$(list "${pages_seen[$c.$place]}" | median)
		u=$(list "${cpus[$c.$place]}" | median)
		v=$(list "${srv[$c.$place]}" | median)
		awk -v c="$c" -v n="$n" -v s="$s" -v p="$PAGES" -v w="$wget_s" \
			-v u="$u" -v v="$v" 'BEGIN { printf "| %s | %s | %.2f | %.0f | %.2fx | %.0f | %.0f |\n",
			c, n, s, p / s, w / s, u * 1e6 / p, v * 1e4 / p }'
	done
	echo
	echo "Rounds (s): $(for c in "${crawlers[@]}"; do printf '%s:%s; ' "$c" "${times[$c.$place]}"; done)"
	echo "Other processes' share of the machine in those rounds: $(for c in "${crawlers[@]}"; do printf '%s:%s; ' "$c" "${others[$c.$place]}"; done)"
done
echo
exit $fail
