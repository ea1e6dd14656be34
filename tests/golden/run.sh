#!/bin/sh
# Golden test: the report of samples/ must equal the reviewed CSV files in
# tests/golden/expected/ byte for byte, and two runs must give byte-identical XLSX files.
# Regenerate after a reviewed change with: tests/golden/run.sh --update  (then read the diff)
set -eu
root=${MAILTRAIL_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
bin=${MAILTRAIL:-$root/build/mailtrail}
expected=$root/tests/golden/expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export SOURCE_DATE_EPOCH=1764547200 TZ=UTC LC_ALL=C.UTF-8

run() {
    status=0
    "$bin" report --no-progress --year 2026 --timezone UTC -o "$1" "$root/samples" \
        >"$1.out" 2>"$1.err" || status=$?
    if [ "$status" -gt 1 ]; then
        echo "mailtrail failed with status $status:"; cat "$1.err"; exit 1
    fi
}
run "$tmp/a"
# input names are absolute paths: mask the checkout location
for f in "$tmp"/a/*.csv; do
    sed -i "s#$root/##g" "$f"
done

if [ "${1:-}" = "--update" ]; then
    rm -f "$expected"/*.csv
    cp "$tmp"/a/*.csv "$expected"/
    echo "updated $expected; review with: git diff --stat $expected"
    exit 0
fi

echo "1..3"
if diff -ru "$expected" "$tmp/a" -x '*.xlsx' -x '*.tmp' >"$tmp/diff"; then
    echo "ok 1 CSV files equal tests/golden/expected"
else
    echo "not ok 1 CSV files differ from tests/golden/expected (run tests/golden/run.sh --update after review)"
    sed 's/^/# /' "$tmp/diff" | head -60
    fail=1
fi
run "$tmp/b"
if cmp -s "$tmp/a/mailtrail-report.xlsx" "$tmp/b/mailtrail-report.xlsx"; then
    echo "ok 2 the same input gives the same XLSX bytes"
else
    echo "not ok 2 two runs gave different XLSX bytes"
    fail=1
fi
if /usr/bin/python3 "$root/tests/golden/check-report.py" "$tmp/b"; then
    echo "ok 3 XLSX read back with openpyxl agrees with the CSV files; numbers add up"
else
    echo "not ok 3 XLSX/CSV check failed"
    fail=1
fi
exit ${fail:-0}
