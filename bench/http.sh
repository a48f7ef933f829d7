#!/bin/bash
# bench/http.sh: the web server benchmark (issue 4). inetkit's static file
# server against nginx, lighttpd and h2o from Debian, side by side in one
# run, with 1 and then 2 workers each, driven by wrk:
#   small  a 1 KiB file, keep-alive, 64 connections
#   close  the same with "Connection: close" (a new connection each)
#   big    a 10 MiB file, 8 connections
#   idle   10,000 idle keep-alive connections (build/bench/http_load)
#          held while 8 connections fetch the 1 KiB file: memory per
#          idle connection (one worker)
# Markdown tables on stdout, progress on stderr. Settings (environment):
#   HTTP_ROUNDS (5), HTTP_SECONDS per wrk run (3), HTTP_IDLE (10000),
#   HTTP_WORKERS ("1 2"), HTTP_WORKLOADS ("small close big"), HTTP_PEERS
#   ("nginx lighttpd h2o"), INETKIT (build/inetkit). HTTP_IDLE=0 skips the
#   idle run.
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
IDLE_LOAD=build/bench/http_load
ROUNDS=${HTTP_ROUNDS:-5}
SECS=${HTTP_SECONDS:-3}
IDLE=${HTTP_IDLE:-10000}
WORKERS=${HTTP_WORKERS:-1 2}
PEERS=${HTTP_PEERS:-nginx lighttpd h2o}
WORKLOADS=${HTTP_WORKLOADS:-small close big}
HZ=$(getconf CLK_TCK)
SERVER_CPU=0
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
# Other users of the machine take turns on our CPUs: as root, the servers
# and wrk alike run at nice -10.
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)

bench_require http.sh "$INETKIT" "$IDLE_LOAD" /usr/bin/wrk /usr/sbin/nginx \
	/usr/sbin/lighttpd /usr/bin/h2o
ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d /tmp/bench-http.XXXXXX)
chmod 755 "$tmp"
declare -A started
bench_traps

log() { echo "http: $*" >&2; }

# ---- the site: the same root for every server ----
mkdir -p "$tmp/root" "$tmp/logs"
chmod 777 "$tmp/logs"	# h2o and lighttpd may write there unprivileged
awk 'BEGIN { for (i = 0; i < 1024; i++) printf "%c", 97 + i % 26 }' \
	>"$tmp/root/1k.html"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$tmp/root/10m.bin"
chmod -R a+rX "$tmp/root"
declare -A URLPATH=([small]=/1k.html [close]=/1k.html [big]=/10m.bin)
declare -A CONNS=([small]=64 [close]=64 [big]=8)

# ---- servers: start_NAME WORKERS sets pid and port or returns 1 ----
# Each server runs in a session of its own: h2o signals its whole process
# group when it stops, which would otherwise stop this script too.
pin_server=()
pin_load=()

start_inetkit() {
	# the last run's file must not be read before this run truncates it
	rm -f "$tmp/inetkit.out"
	setsid "${prio[@]}" "${pin_server[@]}" "$INETKIT" serve http \
		--root "$tmp/root" --listen 127.0.0.1:0 --workers "$1" \
		--max-conns $((IDLE + 1000)) >"$tmp/inetkit.out" \
		2>"$tmp/inetkit.err" &
	pid=$!
	started[$pid]=1
	listened_port http "$tmp/inetkit.out" "$tmp/inetkit.err"
}

# Debian's nginx with what a user tuning for speed would set: sendfile
# for large files (on by default), off for small ones (with sendfile a
# 1 KiB reply costs four system calls instead of one writev), and the
# open file cache.
start_nginx() {
	port=$(free_port)
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	worker_processes $1;
	worker_rlimit_nofile $(ulimit -Hn);
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/logs/nginx-error.log;
	events { worker_connections $((IDLE + 1000)); }
	http {
		access_log off;
		types { text/html html; application/octet-stream bin; }
		sendfile on;
		tcp_nopush on;
		keepalive_requests 1000000;
		keepalive_timeout 60s;
		open_file_cache max=1000 inactive=20s;
		open_file_cache_valid 1s;
		client_body_temp_path $tmp/nginx/body;
		server {
			listen 127.0.0.1:$port;
			root $tmp/root;
			location ~ \.html\$ { sendfile off; }
		}
	}
	EOF
	setsid "${prio[@]}" "${pin_server[@]}" /usr/sbin/nginx -c "$tmp/nginx/nginx.conf" \
		-g 'daemon off;' >/dev/null 2>"$tmp/nginx/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { reason=$(tail -2 "$tmp/nginx/err"); return 1; }
}

start_lighttpd() {
	port=$(free_port)
	mkdir -p "$tmp/lighttpd"
	{
		echo "server.document-root = \"$tmp/root\""
		echo "server.bind = \"127.0.0.1\""
		echo "server.port = $port"
		[ "$1" -le 1 ] || echo "server.max-worker = $1"
		echo "server.max-fds = $(ulimit -Hn)"
		echo "server.max-connections = $((IDLE + 1000))"
		echo "server.max-keep-alive-requests = 1000000"
		echo "server.max-keep-alive-idle = 60"
		echo "server.errorlog = \"$tmp/logs/lighttpd-error.log\""
		echo 'mimetype.assign = (".html" => "text/html",' \
			'".bin" => "application/octet-stream")'
	} >"$tmp/lighttpd/lighttpd.conf"
	setsid "${prio[@]}" "${pin_server[@]}" /usr/sbin/lighttpd -D \
		-f "$tmp/lighttpd/lighttpd.conf" >/dev/null 2>"$tmp/lighttpd/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { reason=$(tail -2 "$tmp/lighttpd/err"); return 1; }
}

start_h2o() {
	port=$(free_port)
	mkdir -p "$tmp/h2o"
	cat >"$tmp/h2o/h2o.conf" <<-EOF
	listen:
	  host: 127.0.0.1
	  port: $port
	num-threads: $1
	max-connections: $((IDLE + 1000))
	pid-file: $tmp/logs/h2o.pid
	error-log: $tmp/logs/h2o-error.log
	hosts:
	  default:
	    paths:
	      /:
	        file.dir: $tmp/root
	EOF
	setsid "${prio[@]}" "${pin_server[@]}" /usr/bin/h2o -m worker \
		-c "$tmp/h2o/h2o.conf" >/dev/null 2>"$tmp/h2o/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { reason=$(tail -2 "$tmp/h2o/err"); return 1; }
}

# Every server must answer with the very bytes of the file.
check_server() {
	local u
	for u in /1k.html /10m.bin; do
		cmp -s <(curl -s "http://127.0.0.1:$1$u") "$tmp/root$u" ||
			return 1
	done
}

# wrk's units to plain numbers: latency in us, transfer in MiB.
to_us() {
	awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = 1
		if (u == "ms") f = 1000
		if (u == "s") f = 1e6
		if (u == "m") f = 6e7
		print n * f }'
}
to_mib() {
	awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = 1
		if (u == "B") f = 1 / 1048576
		if (u == "KB") f = 1 / 1024
		if (u == "GB") f = 1024
		print n * f }'
}

# One wrk run. Appends to $tmp/results:
#   workers round server workload req_s mib_s p50_us p99_us cpu_us_per_req
#   mem_kib errors other_cores
measure() {
	local workers=$1 round=$2 name=$3 spid=$4 sport=$5 wl=$6
	local hdr=() out m0 m1 s0 s1 o t0 t1 threads=1
	[ "$wl" = close ] && hdr=(-H "Connection: close")
	[ "$workers" -le 1 ] || threads=2
	m0=$(machine_ticks)
	snapshot >"$tmp/snap0"
	t0=$(date +%s.%N)
	out=$("${prio[@]}" "${pin_load[@]}" wrk -t"$threads" \
		-c"${CONNS[$wl]}" -d"${SECS}s" --latency "${hdr[@]}" \
		"http://127.0.0.1:$sport${URLPATH[$wl]}" 2>&1) || true
	t1=$(date +%s.%N)
	snapshot >"$tmp/snap1"
	m1=$(machine_ticks)
	local mem
	mem=$(tree_pss_kib "$spid" perl)
	s0=$(tree_ticks "$spid" "$tmp/snap0")
	s1=$(tree_ticks "$spid" "$tmp/snap1")
	o=$(( (m1 - m0) - ($(tree_ticks $$ "$tmp/snap1") - \
		$(tree_ticks $$ "$tmp/snap0")) ))
	local reqs rps tr p50 p99 errs
	reqs=$(printf '%s\n' "$out" | awk '/requests in/ { print $1 }')
	rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
	tr=$(printf '%s\n' "$out" | awk '/^Transfer\/sec:/ { print $2 }')
	p50=$(printf '%s\n' "$out" | awk '$1 == "50%" { print $2 }')
	p99=$(printf '%s\n' "$out" | awk '$1 == "99%" { print $2 }')
	errs=$(printf '%s\n' "$out" | awk '/Non-2xx/ { s += $NF }
		/Socket errors/ { gsub(",", ""); s += $4 + $6 + $8 + $10 }
		END { print s + 0 }')
	if [ -z "$reqs" ] || [ -z "$rps" ] || [ "$reqs" -eq 0 ]; then
		log "$name $wl: wrk failed: $out"
		echo "$workers $round $name $wl fail" >>"$tmp/results"
		return
	fi
	echo "$workers $round $name $wl $rps $(to_mib "$tr")" \
		"$(to_us "$p50") $(to_us "$p99")" \
		"$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" -v n="$reqs" \
			'BEGIN { print (b - a) / hz / n * 1e6 }')" \
		"$mem $errs" \
		"$(awk -v o="$o" -v hz="$HZ" -v a="$t0" -v b="$t1" \
			'BEGIN { d = o / hz / (b - a); print (d > 0 ? d : 0) }')" \
		>>"$tmp/results"
	log "w$workers r$round $name $wl: $rps req/s $(to_mib "$tr") MiB/s" \
		"p99 $p99, $(tail -1 "$tmp/results" | awk '{ print $9 }') us/req"
}

: >"$tmp/results"
declare -A skip
servers_all="inetkit $PEERS"

for workers in $WORKERS; do
	if [ "$workers" -le 1 ]; then
		pin_server=(taskset -c "$SERVER_CPU")
		pin_load=(taskset -c "$LOAD_CPU")
	else
		pin_server=()
		pin_load=()
	fi
	servers=()
	declare -A spid=() sport=()
	for s in $servers_all; do
		reason=""
		pid=""
		if start_"$s" "$workers" && check_server "$port"; then
			servers+=("$s")
			spid[$s]=$pid
			sport[$s]=$port
			log "$s ($workers workers): pid $pid port $port"
		else
			skip[$s]="${reason:-wrong content}"
			log "$s skipped: ${skip[$s]}"
			[ -z "${pid:-}" ] || stop_tree "$pid"
		fi
	done
	case " ${servers[*]} " in
	*" inetkit "*) ;;
	*) echo "http.sh: inetkit did not start: ${skip[inetkit]}" >&2; exit 1 ;;
	esac
	for round in $(seq "$ROUNDS"); do
		order=("${servers[@]}")
		if [ $((round % 2)) -eq 0 ]; then
			order=()
			for ((i = ${#servers[@]} - 1; i >= 0; i--)); do
				order+=("${servers[$i]}")
			done
		fi
		for s in "${order[@]}"; do
			for wl in $WORKLOADS; do
				measure "$workers" "$round" "$s" "${spid[$s]}" \
					"${sport[$s]}" "$wl"
			done
		done
	done
	for s in "${servers[@]}"; do
		stop_tree "${spid[$s]}"
	done
done

# ---- idle connections: one worker, a fresh server each ----
: >"$tmp/idle"
pin_server=(taskset -c "$SERVER_CPU")
pin_load=(taskset -c "$LOAD_CPU")
for s in $servers_all; do
	[ "$IDLE" -gt 0 ] || break
	[ -z "${skip[$s]:-}" ] || continue
	start_"$s" 1 || { log "idle: $s did not start"; continue; }
	sp=$pid
	sleep 0.3
	mem0=$(tree_pss_kib "$sp" perl)
	"${pin_load[@]}" "$IDLE_LOAD" idle 127.0.0.1 "$port" "$IDLE" /1k.html \
		>"$tmp/idle.out" 2>"$tmp/idle.err" &
	loader=$!
	started[$loader]=1
	for i in $(seq 600); do
		grep -qE '^(ready|failed)' "$tmp/idle.out" && break
		kill -0 "$loader" 2>/dev/null || break
		sleep 0.1
	done
	line=$(cat "$tmp/idle.out")
	rps=0
	if [ "${line%% *}" = ready ]; then
		out=$("${prio[@]}" "${pin_load[@]}" wrk -t1 -c8 -d"${SECS}s" \
			"http://127.0.0.1:$port/1k.html" 2>&1) || true
		rps=$(printf '%s\n' "$out" | awk '/^Requests\/sec:/ { print $2 }')
		kill -0 "$loader" 2>/dev/null || line="failed: connections lost"
	fi
	mem1=$(tree_pss_kib "$sp" perl)
	stop_tree "$loader"
	stop_tree "$sp"
	log "idle $s: $line; PSS $mem0 -> $mem1 KiB; ${rps:-0} req/s"
	state=${line%% *}
	echo "$s ${state:-timeout} $mem0 $mem1 ${rps:-0}" >>"$tmp/idle"
done

# ---- report ----
# med WORKERS SERVER WORKLOAD COLUMN: the median over rounds.
med() {
	awk -v w="$1" -v s="$2" -v l="$3" -v c="$4" \
		'$1 == w && $3 == s && $4 == l && $5 != "fail" { print $c }' \
		"$tmp/results" | median
}
# rmed WORKERS PEER WORKLOAD COLUMN: the median over rounds of the ratio
# inetkit / PEER within each round; the machine's drift from round to
# round then hits both sides of a ratio alike (as echo.sh and dns.sh do).
rmed() {
	awk -v w="$1" -v s="$2" -v l="$3" -v c="$4" '
		$1 == w && $4 == l && $5 != "fail" && $3 == "inetkit" { a[$2] = $c }
		$1 == w && $4 == l && $5 != "fail" && $3 == s { b[$2] = $c }
		END { for (r in a) if ((r in b) && b[r] > 0) print a[r] / b[r] }' \
		"$tmp/results" | median
}
maxcol() {
	awk -v w="$1" -v s="$2" -v l="$3" -v c="$4" \
		'$1 == w && $3 == s && $4 == l && $5 != "fail" { print $c }' \
		"$tmp/results" | sort -g | tail -1
}
label() {
	case $1 in
	inetkit) echo "inetkit" ;;
	nginx) echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')" ;;
	lighttpd) echo "lighttpd $(lighttpd -v | sed 's/^lighttpd\/\([^ ]*\).*/\1/')" ;;
	h2o) echo "h2o $(h2o --version | awk 'NR == 1 { print $3 }')" ;;
	esac
}
# best PEERS WORKERS WORKLOAD COLUMN max|min: the best peer's median.
best() {
	local s v out=""
	for s in $PEERS; do
		[ -z "${skip[$s]:-}" ] || continue
		v=$(med "$2" "$s" "$3" "$4")
		[ "$v" = nan ] && continue
		out="$out$v $s"$'\n'
	done
	if [ "$5" = max ]; then
		printf '%s' "$out" | sort -g | tail -1
	else
		printf '%s' "$out" | sort -g | head -1
	fi
}
verdict() { awk -v ok="$1" 'BEGIN { print (ok ? "PASS" : "FAIL") }'; }

title() {
	case $1 in
	small) echo "1 KiB file, keep-alive, ${CONNS[small]} connections" ;;
	close) echo "1 KiB file, Connection: close (a new TCP connection per request), ${CONNS[close]} connections" ;;
	big) echo "10 MiB file, keep-alive, ${CONNS[big]} connections" ;;
	esac
}

echo "## HTTP: inetkit, nginx, lighttpd, h2o"
echo
echo "Static files from one root, every server on 127.0.0.1 with the same" \
	"number of workers (processes or threads), access logs off, driven" \
	"by wrk ($SECS s a run, \`--latency\`). With one worker the server is" \
	"pinned to CPU $SERVER_CPU and wrk (one thread) to CPU $LOAD_CPU; with" \
	"two, neither is pinned and wrk runs two threads." \
	"${prio[*]:+Servers and wrk run at ${prio[*]}.}" \
	"$ROUNDS rounds, the order of servers reversed every other round;" \
	"medians over rounds. **CPU/req**: user+system CPU time of the" \
	"server's process tree during the run divided by the requests wrk" \
	"completed. **memory**: the largest PSS of the server's processes" \
	"(h2o's idle perl crash handler left out) seen after a run." \
	"Ratios are inetkit / peer, the median of the ratios within each" \
	"round (the best peer: the one with the best median); for CPU/req and" \
	"latency lower is better."
echo
for workers in $WORKERS; do
	for wl in $WORKLOADS; do
		echo "### $(title "$wl"), $workers worker(s)"
		echo
		echo "| server | requests/s | MiB/s | p50 | p99 | CPU/req | memory | errors |"
		echo "|---|---:|---:|---:|---:|---:|---:|---:|"
		for s in $servers_all; do
			if [ -n "${skip[$s]:-}" ]; then
				echo "| $(label "$s") | skipped: ${skip[$s]} | | | | | | |"
				continue
			fi
			printf '| %s | %.0f | %.1f | %.0f us | %.0f us | %.2f us | %.1f MiB | %d |\n' \
				"$(label "$s")" "$(med "$workers" "$s" "$wl" 5)" \
				"$(med "$workers" "$s" "$wl" 6)" \
				"$(med "$workers" "$s" "$wl" 7)" \
				"$(med "$workers" "$s" "$wl" 8)" \
				"$(med "$workers" "$s" "$wl" 9)" \
				"$(awk -v k="$(maxcol "$workers" "$s" "$wl" 10)" \
					'BEGIN { print k / 1024 }')" \
				"$(awk -v w="$workers" -v s="$s" -v l="$wl" \
					'$1 == w && $3 == s && $4 == l { e += $11 }
					 END { print e + 0 }' "$tmp/results")"
		done
		echo
		echo "| inetkit / peer | requests/s | MiB/s | p99 | CPU/req |"
		echo "|---|---:|---:|---:|---:|"
		for s in $PEERS; do
			[ -z "${skip[$s]:-}" ] || continue
			printf '| %s | %.2fx | %.2fx | %.2fx | %.2fx |\n' "$(label "$s")" \
				"$(rmed "$workers" "$s" "$wl" 5)" \
				"$(rmed "$workers" "$s" "$wl" 6)" \
				"$(rmed "$workers" "$s" "$wl" 8)" \
				"$(rmed "$workers" "$s" "$wl" 9)"
		done
		echo
	done
done

if [ "$IDLE" -gt 0 ]; then
	echo "### $IDLE idle keep-alive connections, 1 worker"
	echo
	echo "Each connection fetched the 1 KiB file once and then stayed open" \
		"(\`build/bench/http_load idle\`); meanwhile wrk fetched the 1 KiB" \
		"file over 8 more connections for $SECS s. PSS of the server's" \
		"processes before the connections and after the load. **growth**:" \
		"(after - before) / connections, the target's measure; nginx" \
		"allocates its connection table (\`worker_connections\`, here" \
		"$((IDLE + 1000))) at start, so its \"before\" already holds part of" \
		"the cost: **after / conn** (everything / connections) shows it."
	echo
	echo "| server | PSS before | PSS after | growth per connection | after / conn | requests/s meanwhile |"
	echo "|---|---:|---:|---:|---:|---:|"
	while read -r s state m0 m1 rps; do
		if [ "$state" != ready ]; then
			echo "| $(label "$s") | failed ($state) | | | | |"
			continue
		fi
		awk -v l="$(label "$s")" -v a="$m0" -v b="$m1" -v n="$IDLE" -v r="$rps" \
			'BEGIN { printf "| %s | %.1f MiB | %.1f MiB | %.0f B | %.0f B | %.0f |\n",
			    l, a / 1024, b / 1024, (b - a) * 1024 / n, b * 1024 / n, r }'
	done <"$tmp/idle"
	echo
fi

# ---- targets (issue 4) ----
echo "### Targets (issue 4), ratios as above"
echo
echo "| workers | target | inetkit | best peer | ratio | verdict |"
echo "|---:|---|---:|---:|---:|---|"
fails=0
row() {	# workers text inetkit best-value best-name ratio ok
	printf '| %s | %s | %s | %s (%s) | %.2fx | **%s** |\n' "$1" "$2" "$3" \
		"$4" "$5" "$6" "$(verdict "$7")"
	[ "$7" -eq 1 ] || fails=$((fails + 1))
}
# ran WORKLOAD: true when this run measured it (HTTP_WORKLOADS)
ran() {
	case " $WORKLOADS " in *" $1 "*) return 0 ;; esac
	return 1
}
# ratio_row WORKERS WORKLOAD COLUMN max|min TEXT FORMAT TEST: a target
# row comparing inetkit's median with the best peer's; TEST is an awk
# condition on the ratio r.
ratio_row() {
	local bv bn iv r
	read -r bv bn <<<"$(best x "$1" "$2" "$3" "$4")"
	iv=$(med "$1" inetkit "$2" "$3")
	r=$(rmed "$1" "$bn" "$2" "$3")
	# shellcheck disable=SC2059 # the format is the caller's
	row "$1" "$5" "$(printf "$6" "$iv")" "$(printf "$6" "$bv")" "$bn" "$r" \
		"$(awk -v r="$r" "BEGIN { print ($7) }")"
}
for workers in $WORKERS; do
	if ran small; then
		ratio_row "$workers" small 5 max "(1) requests/s >= best peer" \
			%.0f "r >= 1"
		ratio_row "$workers" small 9 min \
			"(1) CPU/req <= 0.8x best peer" "%.2f us" "r <= 0.8"
		# p99 against the peer with the most requests/s
		read -r _ bn <<<"$(best x "$workers" small 5 max)"
		bv=$(med "$workers" "$bn" small 8)
		iv=$(med "$workers" inetkit small 8)
		r=$(rmed "$workers" "$bn" small 8)
		row "$workers" "(1) p99 no worse than the fastest peer" \
			"$(printf '%.0f us' "$iv")" "$(printf '%.0f us' "$bv")" \
			"$bn" "$r" "$(awk -v r="$r" 'BEGIN { print (r <= 1) }')"
	fi
	! ran close || ratio_row "$workers" close 5 max \
		"(2) close: requests/s >= 1.1x best peer" %.0f "r >= 1.1"
	! ran big || ratio_row "$workers" big 6 max \
		"(3) 10 MiB: MiB/s >= 0.95x best peer" %.0f "r >= 0.95"
done
per_conn() {
	awk -v s="$1" -v n="$IDLE" '$1 == s && $2 == "ready" {
		print ($4 - $3) * 1024 / n }' "$tmp/idle"
}
iv=$(per_conn inetkit)
bv="" bn=""
for s in $PEERS; do
	v=$(per_conn "$s")
	[ -n "$v" ] || continue
	if [ -z "$bv" ] || awk -v a="$v" -v b="$bv" 'BEGIN { exit !(a < b) }'; then
		bv=$v
		bn=$s
	fi
done
if [ -n "$iv" ] && [ -n "$bv" ]; then
	r=$(awk -v a="$iv" -v b="$bv" 'BEGIN { print (b > 0 ? a / b : 99) }')
	row 1 "(4) memory per idle connection <= best peer" \
		"$(printf '%.0f B' "$iv")" "$(printf '%.0f B' "$bv")" "$bn" "$r" \
		"$(awk -v a="$iv" -v b="$bv" 'BEGIN { print (a <= b) }')"
fi
echo
echo "Per run (other: CPU used by processes outside the benchmark during" \
	"the run, in cores; above ~0.2 the figures are noisy):"
echo
echo "| workers | round | server | workload | requests/s | MiB/s | p99 | CPU/req | other |"
echo "|---:|---:|---|---|---:|---:|---:|---:|---:|"
awk '$5 != "fail" { printf "| %d | %d | %s | %s | %.0f | %.1f | %.0f us | %.2f us | %.2f |\n",
	$1, $2, $3, $4, $5, $6, $8, $9, $12 }
	$5 == "fail" { printf "| %d | %d | %s | %s | failed | | | | |\n", $1, $2, $3, $4 }' \
	"$tmp/results"
echo
echo "$fails target(s) missed." >&2
# a failed wrk run or wrong content fails the section; missed targets
# are reported, not an error
! grep -q ' fail$' "$tmp/results"
