#!/bin/bash
# bench/cgi.sh: programs behind the web server (issue 14). CGI: inetkit's
# --cgi against lighttpd's mod_cgi running the same trivial program (a
# small C binary printing a head and a line). FastCGI: inetkit's --fastcgi
# against nginx's fastcgi_pass, both in front of the same php-fpm pool
# serving a one-line PHP page. One worker each, the server (and its
# programs) pinned to one CPU, wrk (one thread, 8 connections) to the
# other. Rounds alternate the servers; the figures are medians of the
# per-round ratios.
# Settings (environment): CGI_ROUNDS (3), CGI_SECONDS per wrk run (3),
# INETKIT (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
. bench/lib.sh

INETKIT=${INETKIT:-build/inetkit}
ROUNDS=${CGI_ROUNDS:-3}
SECS=${CGI_SECONDS:-3}
HZ=$(getconf CLK_TCK)
SERVER_CPU=0
LOAD_CPU=1
[ "$(nproc)" -ge 2 ] || LOAD_CPU=0
FPM=/usr/sbin/php-fpm8.2
prio=()
[ "$(id -u)" -ne 0 ] || prio=(nice -n -10)
pin_server=("${prio[@]}" taskset -c "$SERVER_CPU")
pin_load=("${prio[@]}" taskset -c "$LOAD_CPU")

bench_require cgi.sh "$INETKIT" /usr/bin/wrk /usr/sbin/nginx \
	/usr/sbin/lighttpd "$FPM"

tmp=$(mktemp -d /tmp/bench-cgi.XXXXXX)
declare -A started
log() { echo "cgi: $*" >&2; }
bench_traps

mkdir -p "$tmp/www" "$tmp/cgi-bin" "$tmp/nginx" "$tmp/lighttpd" "$tmp/fpm"
cat >"$tmp/hello.c" <<'EOF'
#include <stdio.h>
int main(void) { fputs("Content-Type: text/plain\r\n\r\nhello\n", stdout);
	return 0; }
EOF
cc -O2 -o "$tmp/cgi-bin/hello" "$tmp/hello.c"
echo '<?php echo "hello\n";' >"$tmp/www/hello.php"
root=(); [ "$(id -u)" -ne 0 ] || root=(-R)

start() {	# start NAME ARGS...: in the background, pinned; sets pid
	setsid "${pin_server[@]}" "${@:2}" >"$tmp/$1.out" 2>"$tmp/$1.err" &
	pid=$!
	started[$pid]=1
}

start_fpm() {
	cat >"$tmp/fpm/fpm.conf" <<-EOF
	[global]
	pid = $tmp/fpm/fpm.pid
	error_log = $tmp/fpm/fpm.log
	daemonize = no
	[www]
	$([ "$(id -u)" -ne 0 ] || printf 'user = root\ngroup = root')
	listen = $tmp/fpm/fpm.sock
	pm = static
	pm.max_children = 4
	EOF
	start fpm "$FPM" "${root[@]}" -F -n -y "$tmp/fpm/fpm.conf"
	fpm_pid=$pid
	for _ in $(seq 100); do
		[ -S "$tmp/fpm/fpm.sock" ] && return 0
		sleep 0.1
	done
	return 1
}

start_inetkit() {	# start_inetkit ARGS...: sets port
	start inetkit "$INETKIT" serve http --root "$tmp/www" --workers 1 \
		--listen 127.0.0.1:0 "$@"
	port=""
	for _ in $(seq 100); do
		port=$(awk '/^listening/ { n = split($4, a, ":"); print a[n]
			exit }' "$tmp/inetkit.out")
		[ -n "$port" ] && return 0
		sleep 0.1
	done
	return 1
}

start_lighttpd() {
	port=$(free_port)
	cat >"$tmp/lighttpd/lighttpd.conf" <<-EOF
	server.document-root = "$tmp/www"
	server.bind = "127.0.0.1"
	server.port = $port
	server.errorlog = "$tmp/lighttpd/error.log"
	server.max-keep-alive-requests = 1000000
	server.modules = ("mod_alias", "mod_cgi")
	alias.url = ("/cgi-bin/" => "$tmp/cgi-bin/")
	\$HTTP["url"] =~ "^/cgi-bin/" { cgi.assign = ("" => "") }
	EOF
	start lighttpd /usr/sbin/lighttpd -D -f "$tmp/lighttpd/lighttpd.conf"
	wait_listening "$port"
}

start_nginx() {
	port=$(free_port)
	cat >"$tmp/nginx/nginx.conf" <<-EOF
	$([ "$(id -u)" -ne 0 ] || echo "user root;")
	worker_processes 1;
	pid $tmp/nginx/nginx.pid;
	error_log $tmp/nginx/error.log;
	events { worker_connections 1024; }
	http {
		access_log off;
		keepalive_requests 1000000;
		client_body_temp_path $tmp/nginx/body;
		fastcgi_temp_path $tmp/nginx/fastcgi;
		server {
			listen 127.0.0.1:$port;
			root $tmp/www;
			location ~ \.php\$ {
				include /etc/nginx/fastcgi_params;
				fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
				fastcgi_pass unix:$tmp/fpm/fpm.sock;
			}
		}
	}
	EOF
	start nginx /usr/sbin/nginx -c "$tmp/nginx/nginx.conf" -g 'daemon off;'
	wait_listening "$port"
}

# One run against the server tree $pid at $1: appends "rps cpu_per_req_us"
# to $tmp/$2 (CPU of the server's tree, its scripts included; php-fpm is
# not in it).
measure() {
	local url=$1 out t0 t1 rps
	curl -sf "$url" | grep -q hello || { log "$2: wrong answer"; return 1; }
	snapshot >"$tmp/s0"
	out=$("${pin_load[@]}" wrk -t1 -c8 -d"${SECS}s" "$url")
	snapshot >"$tmp/s1"
	t0=$(tree_ticks "$pid" "$tmp/s0")
	t1=$(tree_ticks "$pid" "$tmp/s1")
	rps=$(awk '/^Requests\/sec:/ { print $2 }' <<<"$out")
	awk -v r="$rps" -v t=$((t1 - t0)) -v hz="$HZ" -v s="$SECS" \
		'BEGIN { printf "%.0f %.1f\n", r, t / hz * 1e6 / (r * s) }' \
		>>"$tmp/$2"
	log "$2: $(tail -1 "$tmp/$2")"
}

run_pair() {	# run_pair KIND: rounds of inetkit and the peer
	local i
	for i in $(seq "$ROUNDS"); do
		if [ "$1" = cgi ]; then
			start_inetkit --cgi /cgi-bin/="$tmp/cgi-bin" --cgi-max 64
			measure "http://127.0.0.1:$port/cgi-bin/hello" cgi.ours
			stop_tree "$pid"
			start_lighttpd
			measure "http://127.0.0.1:$port/cgi-bin/hello" cgi.peer
			stop_tree "$pid"
		else
			start_inetkit --fastcgi /=unix:"$tmp/fpm/fpm.sock" \
				--fastcgi-ext .php
			measure "http://127.0.0.1:$port/hello.php" fcgi.ours
			stop_tree "$pid"
			start_nginx
			measure "http://127.0.0.1:$port/hello.php" fcgi.peer
			stop_tree "$pid"
		fi
	done
}

ratio() {	# ratio KIND COLUMN: median of ours/peer (1) or peer/ours (2)
	paste -d' ' "$tmp/$1.ours" "$tmp/$1.peer" | awk -v c="$2" \
		'{ print c == 1 ? $1 / $3 : $4 / $2 }' | median
}

row() {	# row KIND PEER
	local a b
	a=$(cut -d' ' -f1 "$tmp/$1.ours" | median)
	b=$(cut -d' ' -f1 "$tmp/$1.peer" | median)
	printf '| %s | %s | %s | %.2fx | %s | %s | %.2fx |\n' "$2" "$a" "$b" \
		"$(ratio "$1" 1)" \
		"$(cut -d' ' -f2 "$tmp/$1.ours" | median)" \
		"$(cut -d' ' -f2 "$tmp/$1.peer" | median)" "$(ratio "$1" 2)"
}

run_pair cgi
start_fpm || { log "php-fpm did not start"; exit 1; }
run_pair fcgi
stop_tree "$fpm_pid"

echo "## Programs behind the web server: CGI and FastCGI"
echo
echo "One worker each, server and its programs pinned to CPU $SERVER_CPU," \
	"wrk -t1 -c8 ($SECS s a run) to CPU $LOAD_CPU, $ROUNDS rounds," \
	"medians; CPU is the server's process tree per request (CGI: the" \
	"scripts included; FastCGI: php-fpm, shared by both, left out)." \
	"CGI runs a small C program; FastCGI a one-line PHP page on php-fpm" \
	"(4 static children)."
echo
echo "| against | inetkit req/s | peer req/s | ratio | inetkit CPU us/req | peer CPU us/req | requests per CPU second, ratio |"
echo "|---|---:|---:|---:|---:|---:|---:|"
row cgi "lighttpd $(lighttpd -v 2>&1 | sed -n 's/^lighttpd\/\([^ ]*\).*/\1/p') mod_cgi"
row fcgi "nginx $(nginx -v 2>&1 | sed 's/.*nginx\///') + php-fpm"
echo
