#!/bin/sh
# Installs the Debian packages a target needs, only those missing, so that a
# fresh Debian 12 machine needs no step but `make run` / `make test`.
# Usage: scripts/deps.sh build|test|bench|fuzz
set -eu

build="gcc make pkg-config libssl-dev zlib1g-dev libgumbo-dev clang libbpf-dev
       libxdp-dev libcrypt-dev libseccomp-dev libyaml-dev scdoc libbrotli-dev
       libzstd-dev"
test="$build check python3 python3-pytest python3-dnspython curl wget knot bind9
      netcat-openbsd socat openbsd-inetd rdate dnsutils knot-dnsutils nsd
      nginx-light apache2-utils chromium iproute2 strace openssl
      python3-cryptography sslscan libnss3-tools iputils-ping lighttpd
      php8.2-fpm haproxy debhelper dpkg-dev lintian systemd prometheus
      python3-brotli python3-zstandard graphviz faketime"
fuzz="$build libclang-rt-14-dev llvm-14"
bench="$test wrk dnsperf knot lighttpd lighttpd-mod-openssl h2o linkchecker
       linux-perf valgrind liburing-dev"

case "${1:-build}" in
build) want=$build ;;
test) want=$test ;;
fuzz) want=$fuzz ;;
bench) want=$bench ;;
*) echo "usage: $0 build|test|bench|fuzz" >&2; exit 2 ;;
esac

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
# Debian's daemons must not start on install: the tests start their own.
if [ ! -e /usr/sbin/policy-rc.d ]; then
	printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
	$sudo chmod +x /usr/sbin/policy-rc.d
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
