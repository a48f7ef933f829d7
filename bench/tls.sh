#!/bin/bash
# bench/tls.sh: HTTPS (issue 12). inetkit against nginx, lighttpd (with
# lighttpd-mod-openssl) and h2o from Debian, one worker each, pinned to
# CPU 0 with the load on CPU 1, the same certificates for all:
#   full-ec   full handshakes, ECDSA P-256 certificate (build/bench/tls_hs
#             "new": offers no session), one request each
#   full-rsa  the same with an RSA 2048 certificate
#   resumed   handshakes resuming one ticket (tls_hs "resume")
#   small     a 1 KiB file, keep-alive, 64 connections (wrk https)
#   big       a 10 MiB file, 8 connections (wrk https)
# Handshakes per second of server CPU; server CPU per request; MiB/s and
# CPU per MiB. Every server has Mozilla's "intermediate" settings where
# it takes them (TLS 1.2 and 1.3, ECDHE AEAD ciphers), session tickets on.
# Settings: TLS_ROUNDS (3), TLS_SECONDS per run (3), TLS_PEERS ("nginx
# lighttpd h2o"), INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
HS=build/bench/tls_hs
ROUNDS=${TLS_ROUNDS:-3}
SECS=${TLS_SECONDS:-3}
PEERS=${TLS_PEERS:-nginx lighttpd h2o}
HZ=$(getconf CLK_TCK)
SERVER_CPU=0
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)
pin_server=(taskset -c "$SERVER_CPU")
pin_load=("${prio[@]}" taskset -c "$LOAD_CPU")
CIPHERS=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305

bench_require tls.sh "$INETKIT" "$HS" /usr/bin/wrk /usr/sbin/nginx \
	/usr/sbin/lighttpd /usr/bin/h2o /usr/bin/openssl
[ -e /usr/lib/lighttpd/mod_openssl.so ] ||
	{ echo "tls.sh: lighttpd-mod-openssl missing: run make bench" >&2; exit 2; }
ulimit -n "$(ulimit -Hn)"

tmp=$(mktemp -d /tmp/bench-tls.XXXXXX)
chmod 755 "$tmp"
declare -A started
bench_traps
log() { echo "tls: $*" >&2; }

# ---- the site and the certificates: the same for every server ----
mkdir -p "$tmp/root" "$tmp/logs" "$tmp/pki"
chmod 777 "$tmp/logs"
awk 'BEGIN { for (i = 0; i < 1024; i++) printf "%c", 97 + i % 26 }' \
	>"$tmp/root/1k.html"
head -c $((10 * 1024 * 1024)) /dev/urandom >"$tmp/root/10m.bin"
chmod -R a+rX "$tmp/root"
for kind in ec rsa; do
	case $kind in
	ec) newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256) ;;
	rsa) newkey=(-newkey rsa:2048) ;;
	esac
	openssl req -x509 "${newkey[@]}" -nodes -days 30 -subj /CN=localhost \
		-addext subjectAltName=DNS:localhost \
		-keyout "$tmp/pki/$kind.key" -out "$tmp/pki/$kind.pem" 2>/dev/null
done
chmod -R a+rX "$tmp/pki"

# ---- servers: start_NAME KIND (ec|rsa) sets pid and port ----
start_inetkit() {
	# the last run's file must not be read before this run truncates it
	rm -f "$tmp/inetkit.out"
	setsid "${prio[@]}" "${pin_server[@]}" "$INETKIT" serve http \
		--root "$tmp/root" --tls-listen 127.0.0.1:0 --workers 1 \
		--cert "$tmp/pki/$1.pem" --key "$tmp/pki/$1.key" \
		>"$tmp/inetkit.out" 2>"$tmp/inetkit.err" &
	pid=$!
	started[$pid]=1
	listened_port https "$tmp/inetkit.out" "$tmp/inetkit.err" ||
		{ echo "$reason" >&2; return 1; }
}

start_nginx() {
	port=$(free_port)
	mkdir -p "$tmp/nginx"
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	worker_processes 1;
	worker_rlimit_nofile $(ulimit -Hn);
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/logs/nginx-error.log;
	events { worker_connections 4096; }
	http {
		access_log off;
		types { text/html html; application/octet-stream bin; }
		sendfile on;
		tcp_nopush on;
		keepalive_requests 1000000;
		open_file_cache max=1000 inactive=20s;
		client_body_temp_path $tmp/nginx/body;
		server {
			listen 127.0.0.1:$port ssl;
			ssl_certificate $tmp/pki/$1.pem;
			ssl_certificate_key $tmp/pki/$1.key;
			ssl_protocols TLSv1.2 TLSv1.3;
			ssl_ciphers $CIPHERS;
			ssl_session_tickets on;
			root $tmp/root;
		}
	}
	EOF
	setsid "${prio[@]}" "${pin_server[@]}" /usr/sbin/nginx \
		-c "$tmp/nginx/nginx.conf" -g 'daemon off;' >/dev/null \
		2>"$tmp/nginx/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { tail -2 "$tmp/nginx/err" >&2; return 1; }
}

start_lighttpd() {
	port=$(free_port)
	mkdir -p "$tmp/lighttpd"
	cat >"$tmp/lighttpd/lighttpd.conf" <<-EOF
	server.modules = ("mod_openssl")
	server.document-root = "$tmp/root"
	server.bind = "127.0.0.1"
	server.port = $port
	server.max-fds = 8192
	server.max-keep-alive-requests = 1000000
	server.errorlog = "$tmp/logs/lighttpd-error.log"
	mimetype.assign = (".html" => "text/html", ".bin" => "application/octet-stream")
	ssl.engine = "enable"
	ssl.pemfile = "$tmp/pki/$1.pem"
	ssl.privkey = "$tmp/pki/$1.key"
	ssl.openssl.ssl-conf-cmd = ("MinProtocol" => "TLSv1.2", "CipherString" => "$CIPHERS")
	EOF
	setsid "${prio[@]}" "${pin_server[@]}" /usr/sbin/lighttpd -D \
		-f "$tmp/lighttpd/lighttpd.conf" >/dev/null 2>"$tmp/lighttpd/err" &
	pid=$!
	started[$pid]=1
	wait_listening "$port" || { tail -2 "$tmp/lighttpd/err" >&2; return 1; }
}

start_h2o() {
	port=$(free_port)
	mkdir -p "$tmp/h2o"
	cat >"$tmp/h2o/h2o.conf" <<-EOF
	listen:
	  host: 127.0.0.1
	  port: $port
	  ssl:
	    certificate-file: $tmp/pki/$1.pem
	    key-file: $tmp/pki/$1.key
	    minimum-version: TLSv1.2
	    cipher-suite: $CIPHERS
	num-threads: 1
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
	wait_listening "$port" || { tail -2 "$tmp/h2o/err" >&2; return 1; }
}

check_server() {
	local u
	for u in /1k.html /10m.bin; do
		cmp -s <(curl -sk "https://127.0.0.1:$1$u") "$tmp/root$u" ||
			return 1
	done
}

to_mib() {
	awk -v v="$1" 'BEGIN { n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
		f = 1
		if (u == "B") f = 1 / 1048576
		if (u == "KB") f = 1 / 1024
		if (u == "GB") f = 1024
		print n * f }'
}

# One run of workload $4 against server $2 (pid $3) on port $5. Appends
# "round server workload count per_s mib_s cpu_s resumed" to results:
# count = handshakes or requests; cpu_s = server CPU seconds.
measure() {
	local round=$1 name=$2 spid=$3 sport=$4 wl=$5 out s0 s1 cpu n=0 \
		rate=0 mib=0 resumed=0
	snapshot >"$tmp/s0"
	case $wl in
	full-*|resumed)
		local mode=new
		[ "$wl" = resumed ] && mode=resume
		out=$("${pin_load[@]}" "$HS" 127.0.0.1 "$sport" "$SECS" "$mode")
		n=$(echo "$out" | awk '{ print $2 }')
		resumed=$(echo "$out" | awk '{ print $4 }')
		;;
	small|big)
		local path=/1k.html conns=64
		[ "$wl" = big ] && { path=/10m.bin; conns=8; }
		out=$("${pin_load[@]}" wrk -t1 -c"$conns" -d"${SECS}s" \
			"https://127.0.0.1:$sport$path")
		n=$(echo "$out" | awk '/requests in/ { print $1 }')
		mib=$(to_mib "$(echo "$out" | awk '/^Transfer\/sec/ { print $2 }')")
		;;
	esac
	snapshot >"$tmp/s1"
	s0=$(tree_ticks "$spid" "$tmp/s0")
	s1=$(tree_ticks "$spid" "$tmp/s1")
	cpu=$(awk -v a="$s0" -v b="$s1" -v hz="$HZ" 'BEGIN { print (b - a) / hz }')
	rate=$(awk -v n="$n" -v s="$SECS" 'BEGIN { print n / s }')
	echo "$round $name $wl $n $rate $mib $cpu $resumed" >>"$tmp/results"
	log "round $round $name $wl: $n in ${SECS}s, server cpu ${cpu}s, resumed $resumed"
}

SERVERS="inetkit $PEERS"
: >"$tmp/results"
for round in $(seq "$ROUNDS"); do
	# alternate the order of the servers between rounds
	order=$SERVERS
	[ $((round % 2)) -eq 0 ] && order=$(echo "$SERVERS" | tr ' ' '\n' | tac | tr '\n' ' ')
	for name in $order; do
		for kind in ec rsa; do
			"start_$name" "$kind" || { log "$name did not start"; exit 1; }
			spid=$pid
			[ "$kind" = ec ] && ! check_server "$port" &&
				{ log "$name: wrong bytes over https"; exit 1; }
			if [ "$kind" = ec ]; then
				for wl in full-ec resumed small big; do
					measure "$round" "$name" "$spid" "$port" "$wl"
				done
			else
				measure "$round" "$name" "$spid" "$port" full-rsa
			fi
			stop_tree "$spid"
		done
	done
done

# ---- the tables ----
# med SERVER WORKLOAD EXPR: median over rounds of an awk expression of the
# fields (n rate mib cpu resumed).
med() {
	awk -v s="$1" -v w="$2" '$2 == s && $3 == w {
		n = $4; rate = $5; mib = $6; cpu = $7; res = $8; print ('"$3"') }' \
		"$tmp/results" | median
}
fmt() { awk -v v="$1" -v f="$2" 'BEGIN { if (v == "nan") print "-"; else printf f, v }'; }

version_of() {
	case $1 in
	inetkit) echo "inetkit ($(openssl version | cut -d' ' -f1-2))" ;;
	nginx) echo "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///')" ;;
	lighttpd) echo "lighttpd $(lighttpd -v | sed 's/^lighttpd\/\([^ ]*\).*/\1/')" ;;
	h2o) echo "h2o $(h2o --version | awk 'NR == 1 { print $3 }')" ;;
	esac
}

echo "## HTTPS: inetkit, nginx, lighttpd, h2o (one worker each)"
echo
echo "Medians of $ROUNDS rounds of ${SECS} s; server pinned to CPU $SERVER_CPU, load" \
	"(build/bench/tls_hs, wrk) to CPU $LOAD_CPU; same certificates, TLS 1.3" \
	"negotiated by every client here. Handshakes: one connection after another," \
	"each with one 1 KiB request; per second of server CPU (user+system)." \
	"The keep-alive and 10 MiB figures include the handshakes of wrk's 64 and 8" \
	"connections, for every server alike."
echo
echo "| server | full hs/CPU s (ECDSA) | full hs/CPU s (RSA) | resumed hs/CPU s (resumed) | 1 KiB keep-alive: req/s, us CPU/req | 10 MiB: MiB/s, ms CPU/MiB |"
echo "|---|---|---|---|---|---|"
for name in $SERVERS; do
	fe=$(med "$name" full-ec 'cpu > 0 ? n / cpu : 0')
	fr=$(med "$name" full-rsa 'cpu > 0 ? n / cpu : 0')
	re=$(med "$name" resumed 'cpu > 0 ? n / cpu : 0')
	rr=$(med "$name" resumed 'n > 0 ? res / n * 100 : 0')
	sr=$(med "$name" small 'rate')
	sc=$(med "$name" small 'n > 0 ? cpu / n * 1e6 : 0')
	bm=$(med "$name" big 'mib')
	bc=$(med "$name" big 'mib > 0 ? cpu / (mib * '"$SECS"') * 1000 : 0')
	echo "| $(version_of "$name") | $(fmt "$fe" %.0f) | $(fmt "$fr" %.0f) |" \
		"$(fmt "$re" %.0f) ($(fmt "$rr" %.0f)%) | $(fmt "$sr" %.0f), $(fmt "$sc" %.1f) |" \
		"$(fmt "$bm" %.0f), $(fmt "$bc" %.2f) |"
done
echo

# ratios against the best peer on each measure
best() {
	local w=$1 e=$2 dir=$3 p v b=""
	for p in $PEERS; do
		v=$(med "$p" "$w" "$e")
		[ "$v" = nan ] && continue
		if [ -z "$b" ]; then b=$v; continue; fi
		b=$(awk -v a="$b" -v c="$v" -v d="$dir" 'BEGIN {
			print (d == "max") ? (c > a ? c : a) : (c < a ? c : a) }')
	done
	echo "${b:-nan}"
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "nan" || b == "nan" || b == 0) print "-"; else printf "%.2f", a / b }'; }
echo "| measure | inetkit / best peer | target |"
echo "|---|---|---|"
echo "| full handshakes per CPU s, ECDSA | $(ratio "$(med inetkit full-ec 'cpu > 0 ? n / cpu : 0')" "$(best full-ec 'cpu > 0 ? n / cpu : 0' max)") | >= 1.1 |"
echo "| full handshakes per CPU s, RSA | $(ratio "$(med inetkit full-rsa 'cpu > 0 ? n / cpu : 0')" "$(best full-rsa 'cpu > 0 ? n / cpu : 0' max)") | >= 1.1 |"
echo "| resumed handshakes per CPU s | $(ratio "$(med inetkit resumed 'cpu > 0 ? n / cpu : 0')" "$(best resumed 'cpu > 0 ? n / cpu : 0' max)") | >= 1.1 |"
echo "| CPU per 1 KiB keep-alive request | $(ratio "$(med inetkit small 'n > 0 ? cpu / n * 1e6 : 0')" "$(best small 'n > 0 ? cpu / n * 1e6 : 0' min)") | <= 0.9 |"
echo "| 10 MiB MiB/s | $(ratio "$(med inetkit big 'mib')" "$(best big 'mib' max)") | >= 1.0 |"
echo
