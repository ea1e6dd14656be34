#!/bin/sh
# Report-level ground truth: a generated Postfix log of a few hundred thousand lines (a queue
# lifetime short enough for expiries, other programs' lines, damaged lines, a New Year rollover)
# must give exactly the generator's counts of messages, recipients and outcomes.
set -eu
root=${MAILTRAIL_SOURCE_ROOT:-$(cd "$(dirname "$0")/../.." && pwd)}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
/usr/bin/python3 "$root/tests/gen/gen-postfix-log" --messages 30000 --seed 11 --hours 12 \
    --lifetime 5 --rollover --year 2025 --garbage 0.0001 --out "$tmp/mail.log" \
    --truth "$tmp/truth.json" >/dev/null
status=0
"$MAILTRAIL" report -q --no-xlsx --year 2025 --timezone UTC --sheets summary,inputs \
    -o "$tmp/out" "$tmp/mail.log" || status=$?
echo "1..1"
/usr/bin/python3 - "$tmp" "$status" <<'PY'
import csv, json, sys
tmp, status = sys.argv[1], int(sys.argv[2])
truth = json.load(open(f"{tmp}/truth.json"))
kv = {r[0]: r[1] for r in csv.reader(open(f"{tmp}/out/summary.csv", encoding="utf-8"))}
inputs = list(csv.DictReader(open(f"{tmp}/out/inputs.csv", encoding="utf-8")))[0]
o = truth["outcomes"]
checks = [
    ("messages", int(kv["Messages"]), truth["messages"]),
    ("recipients", int(kv["Recipients (message × recipient)"]), truth["recipients"]),
    ("delivered", int(kv["Delivered"]), o["delivered"]),
    ("failed", int(kv["Failed while compiling or sending"]), o["bounced"]),
    ("expired", int(kv["Expired"]), o["expired"]),
    ("pending", int(kv["Pending"]), o["deferred"]),
    ("lines", int(inputs["Lines"]), truth["lines"]),
    ("lines used", int(inputs["Used"]), truth["lines_used"]),
    ("lines skipped", int(inputs["Skipped"]), truth["lines_skipped"]),
    ("lines unrecognised", int(inputs["Unrecognised"]), truth["lines_unrecognised"]),
    ("exit status 1 for the damaged lines", status, 1 if truth["lines_unrecognised"] else 0),
]
bad = [c for c in checks if c[1] != c[2]]
for name, got, want in checks:
    print(f"# {name}: {got} (truth {want})")
print(("not ok" if bad else "ok") + f" 1 report counts equal the generator's ground truth ({truth['lines']} lines)")
sys.exit(1 if bad else 0)
PY
