#!/bin/sh
# mailtrail next to Debian's pflogsumm on the same Postfix log, end to end.
#   tests/bench/postfix-vs-pflogsumm.sh [LOG]
# Without LOG, writes build/bench/postfix-1g.log (about 1.1 GB, 600,000 messages) once with
# tests/gen/gen-postfix-log. After a warm-up read of the log, runs pflogsumm once and each
# mailtrail report RUNS times (default 3; the median is shown):
#   pflogsumm                    its text summary
#   mailtrail --no-messages      the aggregate report (XLSX + CSV): the output comparable to
#                                pflogsumm's
#   mailtrail                    the full report, with one row per message and recipient
# and prints wall time (the median, and the fastest and slowest run), MB/s, peak RSS and the
# ratios, then checks that the outcome counts
# agree (pflogsumm's "delivered" includes the notifications Postfix delivered locally).
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build-release}
if [ ! -x "$build/mailtrail" ]; then
    meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" mailtrail >/dev/null
command -v pflogsumm >/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq pflogsumm >/dev/null; }
log=${1:-$here/build/bench/postfix-1g.log}
if [ ! -s "$log" ]; then
    mkdir -p "$(dirname "$log")"
    echo "generating $log ..." >&2
    /usr/bin/python3 "$here/tests/gen/gen-postfix-log" --messages 600000 --seed 7 \
        --out "$log" --truth "$log.truth.json" >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mb=$(awk -v b="$(stat -c %s "$log")" 'BEGIN { printf "%.0f", b / 1e6 }')
cat "$log" >/dev/null # warm-up: the log is in the page cache for every run

. "$here/tests/bench/measure.sh"
measure pflogsumm pflogsumm "$log" >"$tmp/r1"
measure_median aggregate "$build/mailtrail" report -q --no-messages -o "$tmp/agg" "$log" >"$tmp/r2"
measure_median full env MAILTRAIL_TIMING=1 "$build/mailtrail" report -q -o "$tmp/full" "$log" >"$tmp/r3"

echo "log: $log ($mb MB, $(wc -l <"$log") lines)"
printf "%-34s %9s %13s %9s %10s %8s\n" "(mailtrail: median of $runs runs)" "wall s" "runs" "MB/s" "peak RSS" "speed-up"
cat "$tmp/r1" "$tmp/r2" "$tmp/r3" | awk -v mb="$mb" '
    NR == 1 { base = $2 }
    {
        label = $1 == "pflogsumm" ? "pflogsumm" : $1 == "aggregate" ? "mailtrail --no-messages" : "mailtrail (full report)"
        printf "%-34s %9.2f %13s %9.0f %7.0f MB %7.1fx\n", label, $2, sprintf("%.2f-%.2f", $4, $5), mb / $2, $3 / 1024, base / $2
    }'

# The full report's phases (its last run): reading the log against writing the rows.
sed -n 's/^timing: /full report phases (last run): /p' "$tmp/full.err"

# The counts must agree.
pf=$tmp/pflogsumm.out
get() { awk -v w="$1" '$2 == w { v = $1; sub(/k$/, "", v); if ($1 ~ /k$/) v *= 1024; if ($1 ~ /m$/) v *= 1048576; print v; exit }' "$pf"; }
kv() { awk -F, -v k="$1" '$1 == k { print $2 }' "$tmp/agg/$2.csv"; }
p_delivered=$(get delivered)
p_bounced=$(get bounced)
p_deferrals=$(awk '$2 == "deferred" { v = $3; gsub(/[()]/, "", v); n = v; sub(/[km]$/, "", n);
    if (v ~ /k$/) n *= 1024; if (v ~ /m$/) n *= 1048576; print n; exit }' "$pf")
m_delivered=$(kv Delivered summary)
m_local=$(kv "Deliveries of notifications and local mail (not counted)" data-quality)
m_failed=$(kv "Failed while compiling or sending" summary)
m_deferrals=$(kv "Deferred attempts" summary)
check() { # what, pflogsumm, mailtrail
    # pflogsumm shows large numbers in units of 1024 ("894k"): equal within that rounding
    if [ "$2" = "$3" ] || awk -v a="$2" -v b="$3" 'BEGIN { d = a - b; exit !(a >= 10240 && d < 1024 && d > -1024) }'; then
        echo "ok   $1: pflogsumm $2, mailtrail $3"
    else
        echo "DIFF $1: pflogsumm $2, mailtrail $3"
    fi
}
check "delivered (incl. local notifications)" "$p_delivered" "$((m_delivered + m_local))"
check "bounced" "$p_bounced" "$m_failed"
check "deferrals" "$p_deferrals" "$m_deferrals"
