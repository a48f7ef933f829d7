#!/bin/bash
# scripts/soak.sh MINUTES: the soak test (tests/soak/soak.py) in a network
# namespace of its own, so that `inetkit up`'s fixed ports meet nothing
# else on the machine. Needs unshare(1) and the right to create a network
# namespace (root here). INETKIT names the binary (build/inetkit).
set -eu
cd "$(dirname "$0")/.."
minutes=${1:-60}
export INETKIT=${INETKIT:-$PWD/build/inetkit}
export SOAK_SECONDS=$(awk -v m="$minutes" 'BEGIN { print m * 60 }')
exec unshare --net sh -c 'ip link set lo up && exec /usr/bin/python3 tests/soak/soak.py'
