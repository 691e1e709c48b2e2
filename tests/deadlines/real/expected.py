#!/usr/bin/env python3
"""Compute expected occurrences for a real-phrase corpus.

Reads sources.tsv and phrases.yaml (in the corpus directory: this script's, or the one given)
and writes
expected.yaml: one entry per phrase, in the same order, with the
occurrences that the phrase's `meaning` has inside its source's period,
by the binding semantics of docs/format.md section 3.3 (plus the forms
being added: year ranges, yearly «following» reports, yearly month
windows, staged «далее – ежегодно» deadlines, relative spans).

This is an independent implementation: it never calls karta.

Usage:  python3 tests/deadlines/real/expected.py [CORPUS_DIR]
        python3 tests/deadlines/real/expected.py tests/deadlines/heldout
"""

import calendar
import csv
import datetime as dt
import os
import sys

import yaml

HERE = os.path.dirname(os.path.abspath(__file__))
D = dt.date
ONE = dt.timedelta(days=1)
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
NTH = {"first": 1, "second": 2, "third": 3, "fourth": 4, "last": -1}


def parse_date(v):
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v))


def parse_period(s):
    a, b = s.split("..")
    return parse_date(a), parse_date(b)


def last_day(y, m):
    return calendar.monthrange(y, m)[1]


def add_months(y, m, k):
    t = y * 12 + (m - 1) + k
    return t // 12, t % 12 + 1


def month_starts(s, e):
    """First days of the calendar months overlapping [s, e]."""
    y, m = s.year, s.month
    while D(y, m, 1) <= e:
        yield y, m
        y, m = add_months(y, m, 1)


def clip(a, b, s, e):
    a2, b2 = max(a, s), min(b, e)
    return (a2, b2) if a2 <= b2 else None


def day_in_month(y, m, day):
    return D(y, m, min(day, last_day(y, m)))


def recurring(r, period):
    """Occurrences of a recurring deadline; list of (opens, due)."""
    every = r["every"]
    if r.get("within"):
        ws = [(parse_date(w["from"]), parse_date(w["to"])) for w in r["within"]]
    else:
        ws = [period]
    out = []
    for s, e in ws:
        if every == "week":
            if "weekday" in r:
                wd = WEEKDAYS.index(r["weekday"])
                d = s + dt.timedelta(days=(wd - s.weekday()) % 7)
                while d <= e:
                    out.append((d, d))
                    d += dt.timedelta(days=7)
            else:
                mon = s - dt.timedelta(days=s.weekday())
                while mon <= e:
                    out.append((max(mon, s), min(mon + dt.timedelta(days=6), e)))
                    mon += dt.timedelta(days=7)
        elif every == "month":
            for y, m in month_starts(s, e):
                first, last = D(y, m, 1), D(y, m, last_day(y, m))
                if "weekday" in r:
                    wd = WEEKDAYS.index(r["weekday"])
                    days = [D(y, m, k) for k in range(1, last.day + 1) if D(y, m, k).weekday() == wd]
                    n = NTH[r["nth"]]
                    d = days[-1] if n == -1 else days[n - 1]
                    if s <= d <= e:
                        out.append((d, d))
                elif "week" in r:
                    n = NTH[r["week"]]
                    if n == -1:
                        a, b = last - dt.timedelta(days=6), last
                    else:
                        a, b = D(y, m, 7 * n - 6), D(y, m, 7 * n)
                    c = clip(a, b, s, e)
                    if c:
                        out.append(c)
                elif "day" in r:
                    if r.get("following"):
                        ny, nm = add_months(y, m, 1)
                        out.append((D(ny, nm, 1), day_in_month(ny, nm, r["day"])))
                    else:
                        due = day_in_month(y, m, r["day"])
                        if s <= due <= e:
                            out.append((max(first, s), due))
                else:
                    out.append(clip(first, last, s, e))
        elif every == "quarter":
            y, q = s.year, (s.month - 1) // 3
            while D(y, 3 * q + 1, 1) <= e:
                qs = D(y, 3 * q + 1, 1)
                qe = D(y, 3 * q + 3, last_day(y, 3 * q + 3))
                if "day" in r:
                    if r.get("following"):
                        ny, nm = add_months(y, 3 * q + 3, 1)
                        out.append((D(ny, nm, 1), day_in_month(ny, nm, r["day"])))
                    else:
                        due = day_in_month(y, 3 * q + 3, r["day"])
                        if s <= due <= e:
                            out.append((max(qs, s), due))
                else:
                    out.append(clip(qs, qe, s, e))
                q += 1
                if q == 4:
                    y, q = y + 1, 0
        elif every == "year":
            for y in range(s.year, e.year + 1):
                ys, ye = D(y, 1, 1), D(y, 12, 31)
                if "day" in r and r.get("following"):
                    m = r.get("month", 1)
                    out.append((D(y + 1, 1, 1), day_in_month(y + 1, m, r["day"])))
                elif "day" in r:
                    due = day_in_month(y, r["month"], r["day"])
                    if s <= due <= e:
                        out.append((max(ys, s), due))
                elif "month" in r:
                    m = r["month"]
                    c = clip(D(y, m, 1), D(y, m, last_day(y, m)), s, e)
                    if c:
                        out.append(c)
                else:
                    out.append(clip(ys, ye, s, e))
        else:
            raise ValueError("unknown every: %r" % every)
    return out


def occurrences(m, period):
    kind = m["kind"]
    if kind == "once":
        d = parse_date(m["date"])
        return [(min(period[0], d), d)]
    if kind == "window":
        return [(parse_date(m["from"]), parse_date(m["to"]))]
    if kind == "multiple":
        out = []
        for it in m["items"]:
            out.extend(occurrences(it, period))
        return out
    if kind == "recurring":
        return recurring(m, period)
    if kind in ("continuous", "on_demand", "relative"):
        return []
    raise ValueError("unknown kind: %r" % kind)


def times(m):
    """The time and zone of a meaning (from itself or its items)."""
    t, z = m.get("time"), m.get("zone")
    for it in m.get("items", []):
        t = t or it.get("time")
        z = z or it.get("zone")
    return t, z


def q(s):
    return '"' + str(s).replace("\\", "\\\\").replace('"', '\\"') + '"'


def fmt_range(a, b):
    return "%s..%s" % (a.isoformat(), b.isoformat())


def main():
    global HERE
    if len(sys.argv) > 1:
        HERE = os.path.abspath(sys.argv[1])
    periods = {}
    with open(os.path.join(HERE, "sources.tsv"), encoding="utf-8") as f:
        for row in csv.DictReader(f, delimiter="\t"):
            periods[row["id"]] = parse_period(row["period"])
    with open(os.path.join(HERE, "phrases.yaml"), encoding="utf-8") as f:
        phrases = yaml.safe_load(f)

    seen = set()
    lines = []
    for p in phrases:
        src, phrase, m = p["source"], p["phrase"], p["meaning"]
        if src not in periods:
            sys.exit("unknown source %s for %r" % (src, phrase))
        if (src, phrase) in seen:
            sys.exit("duplicate phrase %r in %s" % (phrase, src))
        seen.add((src, phrase))
        period = periods[src]
        lines.append("- phrase: %s" % q(phrase))
        lines.append("  source: %s" % src)
        lines.append("  period: %s" % fmt_range(*period))
        if "error" in m:
            lines.append("  error: true")
            lines.append("  why: %s" % q(m["error"]))
            continue
        lines.append("  kind: %s" % m["kind"])
        occ = occurrences(m, period)
        lines.append("  occurrences: [%s]" % ", ".join(fmt_range(a, b) for a, b in occ))
        t, z = times(m)
        if t:
            lines.append("  time: %s" % q(t))
        if z:
            lines.append("  zone: %s" % z)
        if m["kind"] == "relative":
            rel = "days: %d, months: %d, working: %s, before: %s" % (
                m.get("days", 0), m.get("months", 0),
                str(m.get("working", False)).lower(), str(m.get("before", False)).lower())
            if "after" in m:
                rel += ", after: %s" % m["after"]
            if "event" in m:
                rel += ", event: %s" % q(m["event"])
            lines.append("  relative: {%s}" % rel)

    with open(os.path.join(HERE, "expected.yaml"), "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    # Round-trip check: the output must be valid YAML with one entry per phrase.
    with open(os.path.join(HERE, "expected.yaml"), encoding="utf-8") as f:
        back = yaml.safe_load(f)
    assert len(back) == len(phrases)
    print("expected.yaml: %d phrases, %d sources" % (len(phrases), len(periods)))


if __name__ == "__main__":
    main()
