#!/bin/bash
# bench/gzip.sh: the cost of compression on the fly (issue 16 part 4).
# inetkit (--compress gzip) against nginx (gzip on) at the same gzip
# level, one worker each pinned to CPU 0, wrk (one thread, 32 connections,
# "Accept-Encoding: gzip") pinned to CPU 1:
#   1k    a 1 KiB HTML page
#   100k  a 100 KiB HTML page
# inetkit compresses a file once per worker and keeps the variant; nginx's
# gzip filter compresses every reply (it has no cache: gzip_static serves
# files compressed beforehand). inetkit --compress-cache 0 compresses every
# reply too, for the cost of compression itself; "identity" is inetkit
# without Accept-Encoding, the floor. Markdown on stdout, progress on
# stderr. Settings: GZIP_ROUNDS (3), GZIP_SECONDS per run (3), GZIP_LEVEL
# (6), INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
ROUNDS=${GZIP_ROUNDS:-3}
SECS=${GZIP_SECONDS:-3}
LEVEL=${GZIP_LEVEL:-6}
CONNS=32
HZ=$(getconf CLK_TCK)
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)
pin_server=("${prio[@]}" taskset -c 0)
pin_load=("${prio[@]}" taskset -c "$LOAD_CPU")

bench_require gzip.sh "$INETKIT" /usr/bin/wrk /usr/sbin/nginx
ulimit -n "$(ulimit -Hn)"
tmp=$(mktemp -d /tmp/bench-gzip.XXXXXX)
chmod 755 "$tmp"
declare -A started
bench_traps
log() { echo "gzip: $*" >&2; }

# ---- the site: HTML that compresses as real pages do (about 4:1) ----
mkdir -p "$tmp/root" "$tmp/logs"
chmod 777 "$tmp/logs"
page() {
	awk -v n="$1" 'BEGIN {
		srand(16)
		split("the of and to in is for on that with as by web page " \
		      "server file request reply compress cache worker " \
		      "client header body", w, " ")
		s = "<!doctype html><html><head><title>bench</title></head><body>\n"
		while (length(s) < n) {
			s = s "<p class=\"c" int(rand() * 50) "\">"
			for (k = 0; k < 12; k++)
				s = s w[1 + int(rand() * 26)] " " int(rand() * 1000) " "
			s = s "</p>\n"
		}
		printf "%s", substr(s, 1, n)
	}'
}
page 1024 >"$tmp/root/1k.html"
page 102400 >"$tmp/root/100k.html"
chmod -R a+rX "$tmp/root"
declare -A URLPATH=([1k]=/1k.html [100k]=/100k.html)

# ---- servers: start_NAME sets pid and port or returns 1 ----
start_inetkit_args() {
	# the last run's file must not be read before this run truncates it
	rm -f "$tmp/inetkit.out"
	setsid "${pin_server[@]}" "$INETKIT" serve http --root "$tmp/root" \
		--listen 127.0.0.1:0 --workers 1 --compress gzip \
		--compress-level "$LEVEL" "$@" >"$tmp/inetkit.out" \
		2>"$tmp/inetkit.err" &
	pid=$!
	started[$pid]=1
	listened_port http "$tmp/inetkit.out" "$tmp/inetkit.err"
}
start_inetkit() { start_inetkit_args; }
start_nocache() { start_inetkit_args --compress-cache 0; }
start_identity() { start_inetkit_args; }

# nginx as bench/http.sh runs it, plus gzip at the same level for the
# same type and minimum size.
start_nginx() {
	port=$(free_port)
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	worker_processes 1;
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/logs/nginx-error.log;
	events { worker_connections 1024; }
	http {
		access_log off;
		types { text/html html; }
		sendfile off;
		keepalive_requests 1000000;
		keepalive_timeout 60s;
		open_file_cache max=1000 inactive=20s;
		open_file_cache_valid 1s;
		client_body_temp_path $tmp/nginx/body;
		gzip on;
		gzip_comp_level $LEVEL;
		gzip_min_length 256;
		gzip_types text/html;
		gzip_vary on;
		server {
			listen 127.0.0.1:$port;
			root $tmp/root;
		}
	}
	EOF
	setsid "${pin_server[@]}" /usr/sbin/nginx -c "$tmp/nginx/nginx.conf" \
		-g 'daemon off;' >/dev/null 2>"$tmp/nginx/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { reason=$(tail -2 "$tmp/nginx/err"); return 1; }
}

# Every server must give the page back through curl's gzip decoder, with
# Content-Encoding: gzip (but identity, asked for nothing).
check_server() {
	local u ae=gzip
	[ "$1" = identity ] && ae=identity
	for u in /1k.html /100k.html; do
		cmp -s <(curl -s --compressed -H "Accept-Encoding: $ae" \
			"http://127.0.0.1:$2$u") "$tmp/root$u" || return 1
		[ "$ae" = identity ] && continue
		curl -s -o /dev/null -D - -H "Accept-Encoding: gzip" \
			"http://127.0.0.1:$2$u" | grep -qi '^content-encoding: gzip' ||
			return 1
	done
}

# One wrk run; appends "round server workload req_s cpu_us_per_req
# bytes_per_reply" to $tmp/results.
measure() {
	local round=$1 name=$2 spid=$3 sport=$4 wl=$5 hdr=() out s0 s1
	[ "$name" = identity ] || hdr=(-H "Accept-Encoding: gzip")
	snapshot >"$tmp/snap0"
	out=$("${pin_load[@]}" wrk -t1 -c"$CONNS" -d"${SECS}s" "${hdr[@]}" \
		"http://127.0.0.1:$sport${URLPATH[$wl]}" 2>&1) || true
	snapshot >"$tmp/snap1"
	s0=$(tree_ticks "$spid" "$tmp/snap0")
	s1=$(tree_ticks "$spid" "$tmp/snap1")
	local reqs rps bytes
	reqs=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
	bytes=$(printf '%s\n' "$out" | awk '/requests in/ { v = $5; sub(/,$/, "", v)
		n = v + 0; u = v; sub(/^[0-9.]+/, "", u); f = 1
		if (u == "KB") f = 1024; if (u == "MB") f = 1048576
		if (u == "GB") f = 1073741824; print n * f }')
	if [ -z "$reqs" ] || [ -z "$rps" ] || [ "$reqs" -eq 0 ]; then
		log "$name $wl: wrk failed: $out"
		return
	fi
	echo "$round $name $wl $rps" \
		"$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" -v n="$reqs" \
			'BEGIN { print (b - a) / hz / n * 1e6 }')" \
		"$(awk -v b="$bytes" -v n="$reqs" 'BEGIN { print b / n }')" \
		>>"$tmp/results"
	log "r$round $name $wl: $rps req/s," \
		"$(tail -1 "$tmp/results" | awk '{ print $5 }') us CPU/req"
}

: >"$tmp/results"
declare -A skip
SERVERS="inetkit nginx nocache identity"
for round in $(seq "$ROUNDS"); do
	order=($SERVERS)
	[ $((round % 2)) -eq 1 ] || order=(identity nocache nginx inetkit)
	for s in "${order[@]}"; do
		[ -z "${skip[$s]:-}" ] || continue
		reason=""
		pid=""
		if ! start_"$s" || ! check_server "$s" "$port"; then
			skip[$s]="${reason:-wrong content}"
			log "$s skipped: ${skip[$s]}"
			[ -z "$pid" ] || stop_tree "$pid"
			continue
		fi
		for wl in 1k 100k; do
			measure "$round" "$s" "$pid" "$port" "$wl"
		done
		stop_tree "$pid"
	done
done
[ -z "${skip[inetkit]:-}" ] || { echo "gzip.sh: inetkit: ${skip[inetkit]}" >&2; exit 1; }

# ---- report ----
med() {
	awk -v s="$1" -v l="$2" -v c="$3" '$2 == s && $3 == l { print $c }' \
		"$tmp/results" | median
}
label() {
	case $1 in
	inetkit) echo "inetkit --compress gzip (variant cached)" ;;
	nocache) echo "inetkit --compress gzip --compress-cache 0" ;;
	identity) echo "inetkit, no Accept-Encoding (identity)" ;;
	nginx) echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') gzip on" ;;
	esac
}
echo "## Compression on the fly: inetkit and nginx, gzip level $LEVEL"
echo
echo "One worker each pinned to CPU 0, wrk (one thread, $CONNS keep-alive" \
	"connections, \`Accept-Encoding: gzip\`) pinned to CPU $LOAD_CPU," \
	"$SECS s a run, $ROUNDS rounds (order reversed every other round)," \
	"medians. ${prio[*]:+Servers and wrk run at ${prio[*]}.}" \
	"**CPU/req**: user+system CPU of the server during the run divided by" \
	"the requests wrk completed; **req per CPU s** = 1 s / CPU/req." \
	"**bytes/reply**: what wrk read per reply, head included. nginx's gzip" \
	"filter compresses every reply (no cache); inetkit compresses a file" \
	"once per worker and keeps it (--compress-cache 0 shows the cost of" \
	"compressing each reply)."
echo
for wl in 1k 100k; do
	echo "### ${wl/k/ KiB} HTML page"
	echo
	echo "| server | requests/s | CPU/req | req per CPU s | bytes/reply |"
	echo "|---|---:|---:|---:|---:|"
	for s in $SERVERS; do
		if [ -n "${skip[$s]:-}" ]; then
			echo "| $(label "$s") | skipped: ${skip[$s]} | | | |"
			continue
		fi
		cpu=$(med "$s" "$wl" 5)
		printf '| %s | %.0f | %.1f us | %.0f | %.0f |\n' "$(label "$s")" \
			"$(med "$s" "$wl" 4)" "$cpu" \
			"$(awk -v c="$cpu" 'BEGIN { print (c > 0 ? 1e6 / c : 0) }')" \
			"$(med "$s" "$wl" 6)"
	done
	echo
done
