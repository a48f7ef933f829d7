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
# Markdown on stdout, progress on stderr. Settings (environment):
#   CRAWL_PAGES (10000), CRAWL_ROUNDS (3), CRAWL_CONCURRENCY (16: inetkit's
#   connections; linkchecker's threads), INETKIT (build/inetkit).
# Runs alone (bench/crawl.sh) or as a section of bench/run.sh.
set -eu
cd "$(dirname "$0")/.."

INETKIT=${INETKIT:-build/inetkit}
PAGES=${CRAWL_PAGES:-10000}
ROUNDS=${CRAWL_ROUNDS:-3}
CONC=${CRAWL_CONCURRENCY:-16}
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

# A free TCP port on 127.0.0.1 (for nginx, which cannot report port 0).
free_port() {
	$PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

site=$tmp/site
log "generating $PAGES pages"
$PY tests/e2e/gensite.py "$site" "$PAGES"

"${prio[@]}" taskset -c "$SERVER_CPU" "$INETKIT" serve http --root "$site" \
	--listen 127.0.0.1:0 --workers 1 >"$tmp/http.out" 2>"$tmp/http.err" &
pids+=($!)
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

# run_crawler NAME PLACEMENT: prints "SECONDS PAGES CPU_SECONDS" for one
# complete crawl (CPU: user + system of the crawler and its children);
# PLACEMENT is "pinned" (CPU 1 only) or "free".
run_crawler() {
	local n pin=("${prio[@]}") TIMEFORMAT='%R %U %S'
	[ "$2" = pinned ] && pin+=(taskset -c "$CRAWL_CPU")
	mkdir -p "$tmp/run"
	{ time crawl_cmd "$1" "${pin[@]}"; } 2>"$tmp/time"
	case $1 in
	inetkit) n=$(sed -n 's/^crawled \([0-9]*\) URLs.*/\1/p' "$tmp/run/out") ;;
	wget) n=$(grep -c ' URL:' "$tmp/run/out" || true) ;;
	linkchecker) n=$(sed -n 's/.* links* in \([0-9]*\) URLs* checked.*/\1/p' "$tmp/run/out") ;;
	esac
	rm -rf "$tmp/run"
	awk -v n="${n:-0}" '{ printf "%.3f %d %.3f\n", $1, n, $2 + $3 }' "$tmp/time"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

crawlers=(inetkit wget linkchecker)
placements=(pinned free)
declare -A times pages_seen cpus
fail=0
for r in $(seq "$ROUNDS"); do
	for place in "${placements[@]}"; do
		for i in 0 1 2; do
			c=${crawlers[$(( (i + r - 1) % 3 ))]}
			log "round $r, $place: $c"
			read -r secs n cpu < <(run_crawler "$c" "$place")
			times[$c.$place]="${times[$c.$place]:-} $secs"
			cpus[$c.$place]="${cpus[$c.$place]:-} $cpu"
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
for place in "${placements[@]}"; do
	echo
	if [ "$place" = pinned ]; then
		echo "### Each crawler pinned to CPU $CRAWL_CPU"
	else
		echo "### Each crawler free to use every CPU"
	fi
	echo
	echo "| crawler | pages found | median s | pages/s | vs wget | crawler CPU us/page |"
	echo "|---|---:|---:|---:|---:|---:|"
	wget_s=$(list "${times[wget.$place]}" | median)
	for c in "${crawlers[@]}"; do
		s=$(list "${times[$c.$place]}" | median)
		n=$(list "${pages_seen[$c.$place]}" | median)
		u=$(list "${cpus[$c.$place]}" | median)
		awk -v c="$c" -v n="$n" -v s="$s" -v p="$PAGES" -v w="$wget_s" \
			-v u="$u" 'BEGIN { printf "| %s | %s | %.2f | %.0f | %.2fx | %.0f |\n",
			c, n, s, p / s, w / s, u * 1e6 / p }'
	done
	echo
	echo "Rounds (s): $(for c in "${crawlers[@]}"; do printf '%s:%s; ' "$c" "${times[$c.$place]}"; done)"
done
echo
exit $fail
