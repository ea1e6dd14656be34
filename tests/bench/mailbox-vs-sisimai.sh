#!/bin/sh
# Mailbox decoding speed, mailtrail's mailbox parser against Debian's sisimai (libsisimai-perl),
# on the same mbox: the corpus bounces (../shared/corpus/bounces/set-of-emails/maildir/bsd)
# concatenated as an mboxrd and repeated to at least $MESSAGES messages.
#
#   tests/bench/mailbox-vs-sisimai.sh [BUILD-DIR]      (default: build)
#
# Prints messages/second for each, the ratio, and peak memory (two sizes, to show that memory
# stays flat in the number of messages). Until the CLI exists it times tests/bench/mailbox-bench.
set -eu
here=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-build}
case $build in /*) ;; *) build=$here/$build ;; esac
corpus=$here/../shared/corpus/bounces/set-of-emails/maildir/bsd
driver=$build/tests/bench/mailbox-bench
MESSAGES=${MESSAGES:-6000}
work=${TMPDIR:-/tmp}/mailtrail-bench-mailbox
[ -d "$corpus" ] || { echo "skipped: $corpus is absent"; exit 0; }
[ -x "$driver" ] || { echo "build first: $driver is missing"; exit 1; }
mkdir -p "$work"

# One copy of the corpus as an mboxrd (From_ line added where missing, body "From " quoted).
one=$work/corpus-once.mbox
: > "$one"
n=0
for f in "$corpus"/*.eml; do
    if head -c 5 "$f" | grep -q '^From '; then
        sed -e '1!s/^\(>*From \)/>\1/' "$f" >> "$one"
    else
        echo "From MAILER-DAEMON Thu Apr 29 23:34:45 2021" >> "$one"
        sed -e 's/^\(>*From \)/>\1/' "$f" >> "$one"
    fi
    echo >> "$one"
    n=$((n + 1))
done

build_mbox() { # $1 = copies, $2 = output
    : > "$2"
    i=0
    while [ $i -lt "$1" ]; do cat "$one" >> "$2"; i=$((i + 1)); done
}
copies=$(( (MESSAGES + n - 1) / n ))
big=$work/bounces.mbox
build_mbox "$copies" "$big"
small=$work/bounces-small.mbox
build_mbox $(( (copies + 3) / 4 )) "$small"
msgs=$((copies * n))
echo "mbox: $msgs messages ($copies x $n corpus files), $(du -h "$big" | cut -f1)"

# CPU seconds (user + sys) and peak KiB of a command: CPU time, not wall time, so that the
# figures hold on a busy machine; both tools run on one core.
measure() {
    /usr/bin/time -f '%U %S %e %M' "$@" 2>&1 >/dev/null | tail -1 |
        awk '{ printf "%.3f %s %s\n", $1 + $2, $3, $4 }'
}

# mailtrail: best of three
best=
for i in 1 2 3; do
    r=$(measure "$driver" -f mbox "$big")
    t=${r%% *}
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; mt_run=$r; fi
done
mt=$best
mt_mem=$(echo "$mt_run" | cut -d' ' -f3)
mt_mem_small=$(measure "$driver" -f mbox "$small" | cut -d' ' -f3)
"$driver" -f mbox "$big" 2>&1 >/dev/null | sed 's/^/mailtrail: /'

# sisimai 4.x: Sisimai->make parses every message of the mbox
st_run=$(measure perl -MSisimai -e 'Sisimai->make($ARGV[0], delivered => 1)' "$big")
st=${st_run%% *}
st_mem=$(echo "$st_run" | cut -d' ' -f3)

rate() { echo "scale=0; $msgs / $1" | bc; }
echo "mailtrail: $mt s CPU ($(echo "$mt_run" | cut -d' ' -f2) s wall), $(rate "$mt") messages/s," \
    "peak $mt_mem KiB ($mt_mem_small KiB for a quarter of the messages)"
echo "sisimai:   $st s CPU ($(echo "$st_run" | cut -d' ' -f2) s wall), $(rate "$st") messages/s," \
    "peak $st_mem KiB"
echo "ratio:     $(echo "scale=1; $st / $mt" | bc) x (target 30 x)"
