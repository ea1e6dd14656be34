#!/bin/sh
# The Postfix parser alone next to pflogsumm on the same log (a generated one by default).
#   tests/bench/postfix-parser-vs-pflogsumm.sh [BUILD-DIR] [LOG]
# Without LOG, writes /tmp/mailtrail-bench-postfix.log (about 1 GB, --messages 530000) once
# with tests/gen/gen-postfix-log. Prints wall and CPU seconds and MB/s of both, and the ratio.
# The parser alone is not the whole tool: the end-to-end figure comes with the CLI.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
log=${2:-/tmp/mailtrail-bench-postfix.log}
if [ ! -s "$log" ]; then
    echo "generating $log ..." >&2
    /usr/bin/python3 "$here/tests/gen/gen-postfix-log" --messages 530000 --seed 1 \
        --out "$log" --truth "$log.truth.json"
fi
mb=$(( $(stat -c %s "$log") / 1000000 ))
cpu() { # user+sys seconds of a command
    /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1
}
p=$(cpu "$build/tests/bench/bench-postfix" "$log")
echo "log: $log, $mb MB"
echo "$p" | awk -v mb="$mb" '{ printf "bench-postfix: wall %.2f s (%.0f MB/s), CPU %.2f s (%.0f MB/s)\n", $1, mb/$1, $2+$3, mb/($2+$3) }'
if command -v pflogsumm >/dev/null 2>&1; then
    q=$(cpu pflogsumm "$log")
    echo "$q" | awk -v mb="$mb" '{ printf "pflogsumm:     wall %.2f s (%.0f MB/s), CPU %.2f s (%.0f MB/s)\n", $1, mb/$1, $2+$3, mb/($2+$3) }'
    echo "$p $q" | awk '{ printf "ratio (pflogsumm / parser): wall %.1fx, CPU %.1fx\n", $4/$1, ($5+$6)/($2+$3) }'
else
    echo "pflogsumm not installed: no comparison"
fi
