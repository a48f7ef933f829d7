#!/bin/sh
# check-layers: the one rule of dependencies (docs/ARCHITECTURE.md): a file
# under src/ includes headers of its own layer and of the layers below,
# never above. Prints every include that breaks it and exits 1; exit 0
# when there is none.
#   scripts/check-layers.sh [SRC_DIR]
set -eu
src=${1:-src}

# The layer of each folder of src/. A folder missing here is an error, so
# a new folder must be placed in the picture before it builds.
layer_of() {
	case "$1" in
	core) echo 1 ;;
	net) echo 2 ;;
	url | html | http | dns) echo 3 ;;
	resolv | fetch | services | crawl) echo 4 ;;
	cli) echo 5 ;;
	*) echo 0 ;;
	esac
}

bad=0
for dir in "$src"/*/; do
	folder=$(basename "$dir")
	own=$(layer_of "$folder")
	if [ "$own" -eq 0 ]; then
		echo "$dir: folder has no layer in scripts/check-layers.sh" >&2
		bad=1
		continue
	fi
	for f in "$dir"*.c "$dir"*.h; do
		[ -e "$f" ] || continue
		# '#include "dir/name.h"' names its folder; a bare name is the
		# file's own folder and always allowed.
		grep -n '^#include "[a-z_]*/' "$f" | while IFS= read -r line; do
			inc=${line#*\"}; inc=${inc%\"*}
			to=${inc%%/*}
			theirs=$(layer_of "$to")
			if [ "$theirs" -eq 0 ] || [ "$theirs" -gt "$own" ]; then
				echo "$f:${line%%:*}: layer $own ($folder) includes $inc (layer $theirs)"
			fi
		done
	done
done >"${TMPDIR:-/tmp}/check-layers.$$"
if [ -s "${TMPDIR:-/tmp}/check-layers.$$" ]; then
	cat "${TMPDIR:-/tmp}/check-layers.$$" >&2
	bad=1
fi
rm -f "${TMPDIR:-/tmp}/check-layers.$$"
[ "$bad" -eq 0 ] && echo "check-layers: every include points down or sideways"
exit "$bad"
