#!/bin/sh
# mailtrail next to Debian's sisimai (libsisimai-perl) on the same bounce mailbox, end to end.
#   tests/bench/mailbox-vs-sisimai.sh [MESSAGES]        (default 6,300)
# The mailbox is the corpus's bounces (../shared/corpus/bounces/set-of-emails/maildir/bsd)
# repeated to at least MESSAGES messages, twice: as an mbox packed in a tar.gz, and as a Maildir
# directory. After a warm-up read, runs:
#   sisimai          Sisimai->make over the mbox / the Maildir (every message decoded), once
#   mailtrail        the full report (XLSX + CSV) from the tar.gz / the Maildir, RUNS times
#                    (default 5: a run takes a tenth of a second, so one busy moment of the
#                    machine would decide a single figure), the median wall time kept
# and prints wall time, messages/s, peak RSS and the ratio; then peak RSS on a quarter of the
# messages, to show that memory stays flat in the number of messages.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD:-$here/build-release}
corpus=$here/../shared/corpus/bounces/set-of-emails/maildir/bsd
want=${1:-6300}
runs=${RUNS:-5}
[ -d "$corpus" ] || { echo "skipped: $corpus is absent"; exit 0; }
if [ ! -x "$build/mailtrail" ]; then
    meson setup "$build" "$here" --buildtype=release >/dev/null
fi
ninja -C "$build" mailtrail >/dev/null
perl -MSisimai -e1 2>/dev/null || { [ "$(id -u)" -eq 0 ] && apt-get install -y -qq libsisimai-perl >/dev/null; }
work=$here/build/bench/mailbox
rm -rf "$work"
mkdir -p "$work"

n=$(ls "$corpus"/*.eml | wc -l)
copies=$(( (want + n - 1) / n ))
make_set() { # copies, dir: an mbox and a Maildir with copies x the corpus
    mkdir -p "$2/maildir/cur" "$2/maildir/new" "$2/maildir/tmp"
    : >"$2/bounces.mbox"
    i=0
    while [ $i -lt "$1" ]; do
        for f in "$corpus"/*.eml; do
            b=$(basename "$f" .eml)
            cp "$f" "$2/maildir/cur/$i.$b:2,S"
            head -c 5 "$f" | grep -q '^From ' || echo "From MAILER-DAEMON Thu Apr 29 23:34:45 2021" >>"$2/bounces.mbox"
            sed -e '1!s/^\(>*From \)/>\1/' "$f" >>"$2/bounces.mbox"
            echo >>"$2/bounces.mbox"
        done
        i=$((i + 1))
    done
    tar -C "$2" -czf "$2/bounces.tar.gz" bounces.mbox
}
make_set "$copies" "$work/full"
make_set $(( (copies + 3) / 4 )) "$work/quarter"
msgs=$((copies * n))
cat "$work/full/bounces.mbox" >/dev/null
find "$work/full/maildir" -type f -exec cat {} + >/dev/null

measure() { # label, messages, times, command...: "label messages wall rss" (median wall, max rss)
    label=$1
    m=$2
    times=$3
    shift 3
    : >"$work/times"
    i=0
    while [ $i -lt "$times" ]; do
        # wall time to the millisecond (time's %e has hundredths), peak RSS from time
        t0=$(date +%s%N)
        /usr/bin/time -f "%M" -o "$work/time" "$@" >/dev/null 2>"$work/err" || true
        t1=$(date +%s%N)
        echo "$(( (t1 - t0) / 1000000 )) $(tail -n 1 "$work/time")" |
            awk '{ printf "%.3f %s\n", $1 / 1000, $2 }' >>"$work/times"
        i=$((i + 1))
    done
    echo "$label $m $(sort -n "$work/times" | awk '{ w[NR] = $1; if ($2 > r) r = $2 }
        END { print w[int((NR + 1) / 2)], r }')"
}
sis='Sisimai->make($ARGV[0], delivered => 1)'
{
    measure "sisimai-mbox" $msgs 1 perl -MSisimai -e "$sis" "$work/full/bounces.mbox"
    measure "mailtrail-tar.gz-mbox" $msgs $runs "$build/mailtrail" report -q -o "$work/r1" "$work/full/bounces.tar.gz"
    measure "sisimai-maildir" $msgs 1 perl -MSisimai -e "$sis" "$work/full/maildir/cur"
    measure "mailtrail-maildir" $msgs $runs "$build/mailtrail" report -q -o "$work/r2" "$work/full/maildir"
    measure "mailtrail-tar.gz-quarter" $(( ( (copies + 3) / 4) * n )) $runs "$build/mailtrail" report -q -o "$work/r3" "$work/quarter/bounces.tar.gz"
    measure "mailtrail-maildir-quarter" $(( ( (copies + 3) / 4) * n )) $runs "$build/mailtrail" report -q -o "$work/r4" "$work/quarter/maildir"
} >"$work/results"
echo "mailbox: $msgs messages ($copies x $n corpus files); mbox $(du -h "$work/full/bounces.mbox" | cut -f1), tar.gz $(du -h "$work/full/bounces.tar.gz" | cut -f1); mailtrail: median of $runs runs"
printf "%-28s %8s %10s %10s %8s\n" "" "wall s" "msgs/s" "peak RSS" "ratio"
awk '
    { label[NR] = $1; m[NR] = $2; wall[NR] = $3; rss[NR] = $4 }
    END {
        for (i = 1; i <= NR; i++) {
            base = label[i] ~ /maildir/ ? wall[3] : wall[1]
            r = label[i] ~ /^mailtrail/ && label[i] !~ /quarter/ ? sprintf("%.1fx", base / wall[i]) : ""
            printf "%-28s %8.3f %10.0f %7.1f MB %8s\n", label[i], wall[i], m[i] / wall[i], rss[i] / 1024, r
        }
    }' "$work/results"
