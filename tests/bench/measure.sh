# Sourced by the peer benchmarks: timing one command, and the median of several runs.
# Needs $tmp (a scratch directory); RUNS sets how many runs measure_median makes (default 3).

measure() { # name, command...: prints "name wall_s peak_rss_kb wall_s wall_s" (the last two:
    # the fastest and slowest run, here the one); output in $tmp/name.{out,err}
    name=$1
    shift
    /usr/bin/time -f "%e %M" -o "$tmp/time" "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || true
    echo "$name $(tail -n 1 "$tmp/time") $(tail -n 1 "$tmp/time" | cut -d' ' -f1) $(tail -n 1 "$tmp/time" | cut -d' ' -f1)"
}

# mailtrail runs RUNS times (the peers, at up to a minute a run, once): the median wall time and
# its peak RSS, so that one run slowed by other work on the machine does not decide
runs=${RUNS:-3}
measure_median() { # name, command...: prints "name wall_s peak_rss_kb" of the median run,
    # then the fastest and the slowest run's wall_s (how much the runs varied)
    name=$1
    shift
    : >"$tmp/$name.runs"
    i=0
    while [ "$i" -lt "$runs" ]; do
        measure "$name" "$@" >>"$tmp/$name.runs"
        i=$((i + 1))
    done
    sort -k2,2g "$tmp/$name.runs" | awk -v m=$(((runs + 1) / 2)) -v n="$runs" '
        NR == 1 { lo = $2 } NR == m { line = $1 " " $2 " " $3 } NR == n { hi = $2 }
        END { print line, lo, hi }'
}
