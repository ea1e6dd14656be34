#!/bin/sh
# Bad input end to end: a truncated .gz, a tar.gz cut half-way, a binary file, a 1 MB line,
# invalid UTF-8, an empty file and an unreadable one next to good logs. Every file must be
# listed on the Inputs sheet with a clear problem, the good lines must still be reported, and
# the exit status must be 1 (report written, input problems).
set -eu
root=${MAILTRAIL_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'chmod -R u+rw "$tmp"; rm -rf "$tmp"' EXIT
in=$tmp/in
mkdir -p "$in/sub"
log=$root/samples/postfix/mta1-mail.log
cp "$log" "$in/good.log"
gzip -c "$log" >"$tmp/full.gz"
head -c 3000 "$tmp/full.gz" >"$in/cut.log.gz"
(cd "$root/samples" && tar -czf "$tmp/full.tar.gz" postfix exim)
head -c $(( $(stat -c %s "$tmp/full.tar.gz") / 2 )) "$tmp/full.tar.gz" >"$in/sub/half.tar.gz"
head -c 4096 /dev/urandom >"$in/random.bin"
{ head -n 5 "$log"; head -c 1100000 /dev/zero | tr '\0' 'x'; echo; sed -n 6,20p "$log"; } >"$in/long.log"
printf '2026-11-24T09:00:00+01:00 mta1 postfix/smtp[1]: ABCDEF12345: to=<\377\376@x>, relay=none, delay=1, delays=1/0/0/0, dsn=4.4.1, status=deferred (bad \303\050 text)\n' >"$in/utf8.log"
: >"$in/empty.log"
cp "$log" "$in/unreadable.log"
status=0
"$MAILTRAIL" report -q --no-xlsx --year 2026 --sheets inputs,summary -o "$tmp/out" "$in" || status=$?
echo "1..3"
if [ "$status" -eq 1 ]; then echo "ok 1 exit status 1"; else echo "not ok 1 exit status $status, want 1"; fail=1; fi
/usr/bin/python3 - "$tmp/out" "$in" <<'PY' || fail=1
import csv, os, sys
out, inp = sys.argv[1], sys.argv[2]
rows = {r["Input"].replace(inp + "/", ""): r for r in csv.DictReader(open(out + "/inputs.csv", encoding="utf-8"))}
for name, r in sorted(rows.items()):
    print(f"# {name}: format={r['Format']} lines={r['Lines']} unrecognised={r['Unrecognised']} problems={r['Problems'][:90]!r}")
want = {
    "cut.log.gz": "truncated",
    "sub/half.tar.gz": "",  # some member or the archive itself names the damage
    "random.bin": "format not recognised",
    "long.log": "longer than 256 KiB",
    "empty.log": "empty",
}
bad = []
for name, text in want.items():
    hits = [r for n, r in rows.items() if n == name or n.startswith(name + ":")]
    if not hits:
        bad.append(f"{name} is not listed")
    elif text and not any(text in r["Problems"] for r in hits):
        bad.append(f"{name}: no problem mentioning {text!r}")
if not any("damaged" in r["Problems"] or "read error" in r["Problems"] for n, r in rows.items() if n.startswith("sub/half.tar.gz")):
    bad.append("sub/half.tar.gz: the damage is not reported")
if rows.get("good.log", {}).get("Unrecognised") != "1":
    bad.append("good.log must be read whole (its one truncated line unrecognised)")
u = rows.get("utf8.log")
if not u or u["Format"] != "postfix" or u["Used"] != "1":
    bad.append("utf8.log: the line with invalid UTF-8 must still be used")
kv = {r[0]: r[1] for r in csv.reader(open(out + "/summary.csv", encoding="utf-8"))}
if int(kv["Recipients (message × recipient)"]) < 60:
    bad.append("the good logs' messages are missing from the report")
for b in bad:
    print("# FAIL: " + b)
print(("not ok" if bad else "ok") + " 2 every damaged input is listed with its problem; the rest is reported")
sys.exit(1 if bad else 0)
PY
if [ "$(id -u)" -ne 0 ]; then
    chmod 000 "$in/unreadable.log"
    s2=0
    "$MAILTRAIL" report -q --no-xlsx --sheets inputs -o "$tmp/out2" "$in/unreadable.log" || s2=$?
    if [ "$s2" -eq 1 ] && grep -q "cannot read" "$tmp/out2/inputs.csv"; then
        echo "ok 3 an unreadable file is reported, not fatal"
    else
        echo "not ok 3 unreadable file: status $s2"
        fail=1
    fi
else
    echo "ok 3 # SKIP running as root: every file is readable"
fi
exit ${fail:-0}
