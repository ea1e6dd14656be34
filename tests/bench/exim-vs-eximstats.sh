#!/bin/sh
# mailtrail next to Debian's eximstats on the same Exim main log, end to end.
#   tests/bench/exim-vs-eximstats.sh [LOG]
# Without LOG, writes build/bench/exim-300m.log once with tests/gen/gen-exim-log in the
# 16-character id form (Debian's eximstats counts nothing on the 23-character ids of Exim
# 4.97+). After a warm-up read, runs ROUNDS rounds (default 3) of eximstats once and
# mailtrail --no-messages (the aggregate report, comparable to eximstats's) RUNS times (default
# 3): a round's speed-up is eximstats's time over mailtrail's median in that round, so that
# both were timed while the machine was in the same state (on a shared virtual machine its
# speed changes from minute to minute). Prints each round and the median of the rounds'
# speed-ups; then the full mailtrail report, RUNS times, against eximstats's median time.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build-release}
if [ ! -x "$build/mailtrail" ]; then
    meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" mailtrail >/dev/null
command -v eximstats >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq exim4-base >/dev/null; }
log=${1:-$here/build/bench/exim-300m.log}
if [ ! -s "$log" ]; then
    mkdir -p "$(dirname "$log")"
    echo "generating $log ..." >&2
    /usr/bin/python3 "$here/tests/gen/gen-exim-log" --size 300M --ids old --seed 5 >"$log"
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.0f", b / 1e6 }')
cat "$log" >/dev/null
. "$here/tests/bench/measure.sh"
rounds=${ROUNDS:-3}
echo "log: $log ($mb MB, $(wc -l <"$log") lines)"
printf "%-34s %9s %13s %9s %10s %8s\n" "(mailtrail: median of $runs runs)" "wall s" "runs" "MB/s" "peak RSS" "speed-up"
r=1
: >"$tmp/rounds"
while [ "$r" -le "$rounds" ]; do
    {
        measure eximstats eximstats "$log"
        measure_median aggregate "$build/mailtrail" report -q --no-messages -o "$tmp/agg" "$log"
    } >"$tmp/results"
    awk -v mb="$mb" -v r="$r" '
        NR == 1 { base = $2 }
        {
            label = sprintf("round %d: %s", r, $1 == "eximstats" ? "eximstats" : "mailtrail --no-messages")
            printf "%-34s %9.2f %13s %9.0f %7.0f MB %7.1fx\n", label, $2, sprintf("%.2f-%.2f", $4, $5), mb / $2, $3 / 1024, base / $2
        }' "$tmp/results"
    awk 'NR == 1 { base = $2 } NR == 2 { print base, $2, base / $2 }' "$tmp/results" >>"$tmp/rounds"
    r=$((r + 1))
done
sort -k3,3g "$tmp/rounds" | awk -v m=$(((rounds + 1) / 2)) -v n="$rounds" '
    NR == 1 { lo = $3 } NR == m { mid = $3 } NR == n { hi = $3 }
    END { printf "mailtrail --no-messages: %.1fx eximstats (median of %d rounds; %.1f-%.1fx)\n", mid, n, lo, hi }'
base=$(sort -k1,1g "$tmp/rounds" | awk -v m=$(((rounds + 1) / 2)) 'NR == m { print $1 }')
measure_median full "$build/mailtrail" report -q -o "$tmp/full" "$log" >"$tmp/full.result"
awk -v mb="$mb" -v base="$base" '{
    printf "%-34s %9.2f %13s %9.0f %7.0f MB %7.1fx\n", "mailtrail (full report)", $2, sprintf("%.2f-%.2f", $4, $5), mb / $2, $3 / 1024, base / $2
}' "$tmp/full.result"
# eximstats's "Received" counts every "<=" line, including the bounces Exim generated itself
received=$(awk '$1 == "Received" { print $3; exit }' "$tmp/eximstats.out")
messages=$(awk -F, '$1 == "Messages" { print $2 }' "$tmp/agg/summary.csv")
notes=$(awk -F, '$1 == "Notifications our MTA generated (not counted)" { print $2 }' "$tmp/agg/data-quality.csv")
if [ "$received" = "$((messages + notes))" ]; then
    echo "ok   received: eximstats $received = mailtrail $messages messages + $notes bounces Exim generated"
else
    echo "DIFF received: eximstats $received, mailtrail $messages messages + $notes bounces Exim generated"
fi
