#!/usr/bin/python3
"""Checks a mailtrail report directory:
1. the XLSX workbook, read back with openpyxl, holds every CSV table cell for cell;
2. the numbers add up: every recipient is counted in exactly one outcome, and the per-step,
   per-domain, per-provider, per-campaign and per-day totals equal the Summary's.
Usage: check-report.py REPORT-DIR   (exit 0 when all checks pass)"""

import csv
import datetime
import glob
import os
import re
import sys

import openpyxl

failures = []


def fail(msg):
    failures.append(msg)
    print("# FAIL: " + msg)


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


EPOCH = datetime.datetime(1899, 12, 30)
OOXML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def ooxml_text(s):
    """Text as Excel shows it. openpyxl leaves OOXML's _xHHHH_ escapes as they are in the file:
    control characters, and _x005F_ for the '_' of a literal "_xHHHH_"."""
    return OOXML_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), s)


def same(csv_value, cell):
    """Does a CSV field equal an XLSX cell value?"""
    if cell is None:
        return csv_value == ""
    if isinstance(cell, datetime.datetime):
        return csv_value == cell.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(cell, datetime.timedelta):
        return abs(float(csv_value) - cell.total_seconds()) < 1.0
    if isinstance(cell, datetime.time):
        secs = cell.hour * 3600 + cell.minute * 60 + cell.second
        return abs(float(csv_value) - secs) < 1.0
    if isinstance(cell, (int, float)):
        try:
            v = float(csv_value)
        except ValueError:
            return False
        if abs(v - cell) < 1e-4 * max(1.0, abs(v)):
            return True
        # durations: seconds in CSV, days in XLSX
        return abs(v - cell * 86400.0) < 1.0
    text = ooxml_text(str(cell))
    if csv_value.startswith("'") and csv_value[1:] == text:
        return True  # formula guard in CSV only
    if text.endswith(" [cut]"):
        return csv_value.startswith(text[: -len(" [cut]")])
    return csv_value == text


def sheet_rows(ws):
    return [list(r) for r in ws.iter_rows(values_only=True)]


def check_xlsx(report_dir):
    wb = openpyxl.load_workbook(os.path.join(report_dir, "mailtrail-report.xlsx"), read_only=True)
    sheets = {name: sheet_rows(wb[name]) for name in wb.sheetnames}
    print("# sheets: " + ", ".join(wb.sheetnames))
    for path in sorted(glob.glob(os.path.join(report_dir, "*.csv"))):
        table = os.path.basename(path)[:-4]
        header, rows = read_csv(path)
        found = False
        for name, srows in sheets.items():
            for i, r in enumerate(srows):
                cells = [c for c in r[: len(header)]]
                if [str(c) if c is not None else "" for c in cells] != header:
                    continue
                # collect the rows, following continuation sheets ("Name (2)")
                data = [row[: len(header)] for row in srows[i + 1 : i + 1 + len(rows)]]
                part = 2
                while len(data) < len(rows) and f"{name} ({part})" in sheets:
                    more = sheets[f"{name} ({part})"][1:]
                    data += [row[: len(header)] for row in more[: len(rows) - len(data)]]
                    part += 1
                if len(data) < len(rows):
                    continue
                bad = [
                    (n + 1, header[k], rows[n][k], data[n][k] if k < len(data[n]) else None)
                    for n in range(len(rows))
                    for k in range(len(header))
                    if not same(rows[n][k], data[n][k] if k < len(data[n]) else None)
                ]
                if bad:
                    n, col, want, got = bad[0]
                    print(f"# {table}.csv vs sheet '{name}': row {n} column '{col}': "
                          f"CSV {want!r}, XLSX {got!r} ({len(bad)} cells differ)")
                    continue
                found = True
                print(f"# {table}.csv = sheet '{name}' ({len(rows)} rows)")
                break
            if found:
                break
        if not found:
            fail(f"{table}.csv: no sheet holds the same header and {len(rows)} rows")


def as_int(s):
    return int(s) if s not in ("", None) else 0


def check_numbers(report_dir):
    def table(name):
        p = os.path.join(report_dir, name + ".csv")
        if not os.path.exists(p):
            return None, None
        return read_csv(p)

    _, summary = table("summary")
    if summary is None:
        return
    kv = {r[0]: r[1] for r in summary}
    total = as_int(kv["Recipients (message × recipient)"])
    outcome_keys = {
        "delivered": "Delivered",
        "failed": "Failed while compiling or sending",
        "expired": "Expired",
        "bounced-after-acceptance": "Bounced after acceptance",
        "pending": "Pending",
        "suppressed": "Suppressed (not sent)",
        "no-result": "No result seen",
    }
    s = sum(as_int(kv[v]) for v in outcome_keys.values())
    if s != total:
        fail(f"outcomes add up to {s}, not {total} recipients")
    h, msgs = table("messages")
    if msgs is not None:
        if len(msgs) != total:
            fail(f"messages.csv has {len(msgs)} rows, summary says {total} recipients")
        col = h.index("Outcome")
        for o, label in outcome_keys.items():
            n = sum(1 for r in msgs if r[col] == o)
            if n != as_int(kv[label]):
                fail(f"messages.csv: {n} rows {o}, summary says {kv[label]}")
        keys = [(r[h.index("Queue id")], r[h.index("MTA")], r[h.index("Message-ID")],
                 r[h.index("Recipient")]) for r in msgs]
        if len(set(keys)) != len(keys):
            fail("messages.csv: a message and recipient appears twice")
    for name in ("domains", "providers", "campaigns"):
        h, rows = table(name)
        if rows is None:
            continue
        for col, label in (("Recipients", None), ("Delivered", "Delivered"),
                           ("Failed", "Failed while compiling or sending"), ("Expired", "Expired"),
                           ("Bounced after acceptance", "Bounced after acceptance"),
                           ("Pending", "Pending")):
            n = sum(as_int(r[h.index(col)]) for r in rows)
            want = total if label is None else as_int(kv[label])
            if n != want:
                fail(f"{name}.csv: {col} adds up to {n}, summary says {want}")
    h, steps = table("summary-steps")
    if steps is not None:
        for col, label in (("Failed", "Failed while compiling or sending"), ("Expired", "Expired"),
                           ("Bounced after acceptance", "Bounced after acceptance"),
                           ("Pending", "Pending")):
            n = sum(as_int(r[h.index(col)]) for r in steps)
            if n != as_int(kv[label]):
                fail(f"summary-steps.csv: {col} adds up to {n}, summary says {kv[label]}")
    h, sc = table("steps-causes")
    if sc is not None:
        for col, label in (("Failed", "Failed while compiling or sending"), ("Expired", "Expired"),
                           ("Bounced after acceptance", "Bounced after acceptance"),
                           ("Pending", "Pending"), ("Suppressed", "Suppressed (not sent)")):
            n = sum(as_int(r[h.index(col)]) for r in sc)
            if n != as_int(kv[label]):
                fail(f"steps-causes.csv: {col} adds up to {n}, summary says {kv[label]}")
    h, days = table("daily")
    if days is not None:
        n = sum(as_int(r[h.index("Recipients")]) for r in days)
        if n != total:
            fail(f"daily.csv: recipients add up to {n}, not {total}")


def main():
    report_dir = sys.argv[1]
    check_xlsx(report_dir)
    check_numbers(report_dir)
    if failures:
        print(f"# {len(failures)} problem(s)")
        return 1
    print("# all checks passed")
    return 0


sys.exit(main())
