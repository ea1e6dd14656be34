#!/bin/sh
# The Exim parser alone, and the whole `mailtrail report`, next to eximstats on the same log.
#   tests/bench/exim-vs-eximstats.sh [BUILD-DIR] [LOG]
# Without LOG, writes /tmp/mailtrail-bench-exim.log (about 300 MB) once with
# tests/gen/gen-exim-log, in the 16-character id form: Debian's eximstats counts nothing on the
# 23-character ids of Exim 4.97+. Prints wall and CPU seconds and MB/s of each, and the ratios.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$here/build}
log=${2:-/tmp/mailtrail-bench-exim.log}
if [ ! -s "$log" ]; then
    echo "generating $log ..." >&2
    /usr/bin/python3 "$here/tests/gen/gen-exim-log" --size 300M --ids old > "$log"
fi
mb=$(( $(stat -c %s "$log") / 1000000 ))
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
cpu() { # wall, user and sys seconds of a command
    /usr/bin/time -f "%e %U %S" "$@" 2>&1 >/dev/null | tail -1
}
show() { # label, "wall user sys"
    echo "$2" | awk -v mb="$mb" -v l="$1" \
        '{ printf "%-18s wall %6.2f s (%4.0f MB/s), CPU %6.2f s (%4.0f MB/s)\n", l, $1, mb/$1, $2+$3, mb/($2+$3) }'
}
echo "log: $log, $mb MB"
p=$(cpu "$build/tests/bench/parser-bench" exim "$log")
show "exim parser:" "$p"
r=$(cpu "$build/mailtrail" report --no-progress --timezone UTC -o "$out/report" "$log")
show "mailtrail report:" "$r"
if command -v eximstats >/dev/null 2>&1; then
    q=$(cpu eximstats "$log")
    show "eximstats:" "$q"
    echo "$p $q" | awk '{ printf "ratio eximstats / parser: wall %.1fx, CPU %.1fx\n", $4/$1, ($5+$6)/($2+$3) }'
    echo "$r $q" | awk '{ printf "ratio eximstats / report: wall %.1fx, CPU %.1fx\n", $4/$1, ($5+$6)/($2+$3) }'
else
    echo "eximstats not installed: no comparison"
fi
