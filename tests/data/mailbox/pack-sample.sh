#!/bin/sh
# The demo bounce mailbox is kept here as a Maildir (readable, diffable) and packed into
# samples/mailbox/bounces-2026-11.tar.gz the way an operator archives it. The archive is
# reproducible: sorted names, fixed dates and owners, gzip without a timestamp.
#   tests/data/mailbox/pack-sample.sh          rewrite the archive
#   tests/data/mailbox/pack-sample.sh --check  exit 1 if it is out of date (a test runs this)
set -eu
root=$(cd "$(dirname "$0")/../../.." && pwd)
src=$root/tests/data/mailbox/bounce-maildir
out=$root/samples/mailbox/bounces-2026-11.tar.gz
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bounces/cur" "$tmp/bounces/new" "$tmp/bounces/tmp"
cp "$src"/cur/* "$tmp/bounces/cur/"
cp "$src"/new/* "$tmp/bounces/new/"
(cd "$tmp" && tar --sort=name --mtime='2026-11-28 00:00:00Z' --owner=0 --group=0 \
    --numeric-owner --format=ustar -cf - bounces | gzip -n -9 >"$tmp/out.tar.gz")
if [ "${1:-}" = "--check" ]; then
    echo "1..1"
    if cmp -s "$tmp/out.tar.gz" "$out"; then
        echo "ok 1 samples/mailbox archive matches tests/data/mailbox/bounce-maildir"
    else
        echo "not ok 1 samples/mailbox archive is stale: run tests/data/mailbox/pack-sample.sh"
        exit 1
    fi
else
    cp "$tmp/out.tar.gz" "$out"
    echo "wrote $out"
fi
