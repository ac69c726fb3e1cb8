#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Writes the small synthetic sample bundled for `linesight demo` and tests.

All numbers are in Ofcom's drama range 07700 900000-900999 (never assigned to
a real line); persons, addresses and handsets are invented. Run from this
directory: python3 make_sample.py (deterministic, seed 7)."""
import random

rnd = random.Random(7)
deal = "07700 900001"          # a deal line, written in national form
holder = "+447700900101"
runners = ["447700900201", "+44 (0)7700 900202"]
customers = ["07700900%03d" % (300 + i) for i in range(30)]
others = ["+44 7700 900%03d" % (600 + i) for i in range(10)]
cells = ["C%03d" % i for i in range(1, 13)]
t0 = 1727740800  # 2024-10-01T00:00:00Z


def iso(t, z=True):
    import datetime
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%SZ") if z else d.strftime("%Y-%m-%d %H:%M:%S")


rows = []
t = t0 + 9 * 3600
for day in range(7):
    base = t0 + day * 86400
    # bulk texts from the deal line, twice a day
    for hour in (10, 17):
        for c in customers:
            rows.append((base + hour * 3600 + rnd.randint(0, 300), "sms", deal, c, 0, "C001", "", "356938035643809", ""))
    # customers ringing the line
    for _ in range(12):
        c = rnd.choice(customers)
        rows.append((base + rnd.randint(9, 23) * 3600 + rnd.randint(0, 3599), "call", c, deal, rnd.randint(15, 90), rnd.choice(cells), "C001", "", "356938035643809"))
    # holder to runners
    for r in runners:
        rows.append((base + 8 * 3600 + rnd.randint(0, 1800), "call", holder, r, rnd.randint(30, 300), "C010", rnd.choice(cells[:4]), "", ""))
    # background traffic
    for _ in range(6):
        a, b = rnd.sample(others, 2)
        rows.append((base + rnd.randint(0, 86399), "call", a, b, rnd.randint(5, 600), rnd.choice(cells), rnd.choice(cells), "", ""))
rows.sort()
out = ["start,type,caller,callee,duration_s,caller_cell,callee_cell,caller_imei,callee_imei"]
for i, r in enumerate(rows):
    out.append("%s,%s,%s,%s,%d,%s,%s,%s,%s" % ((iso(r[0], i % 5 != 0),) + r[1:]))
# the same call as both parties' returns: stored once
out.append(out[40])
# rows a real return holds and the reader must quarantine
out.append("2024-10-03T12:00:00Z,fax,07700 900301,07700 900001,0,,,,")
out.append("2024-10-03 25:61:00,call,07700 900302,07700 900001,30,,,,")
out.append("2024-10-03T12:05:00Z,call,not-a-number,07700 900001,30,,,,")
out.append("2024-10-03T12:06:00Z,call,07700 900303,07700 900001,-5,,,,")
open("sample_events.csv", "w").write("\n".join(out) + "\n")

open("sample_cells.csv", "w").write("cell_id,lat,lon,azimuth,name,area\n" + "".join(
    "%s,%.5f,%.5f,%d,Mast %d,%s\n" % (c, 51.26 + 0.01 * i, -1.09 - 0.01 * i, (i * 45) % 360, i + 1,
                                      "Basingstoke" if i < 9 else "London")
    for i, c in enumerate(cells)))

open("sample_persons.csv", "w").write(
    "person_id,dob,sex,flags\n"
    "P001,1990-04-02,M,\n"
    "P002,2008-11-19,M,missing_episodes;excluded_from_school\n"
    "P003,2007-06-30,F,looked_after\n"
    "P004,1961-01-15,M,vulnerable_adult;drug_dependency\n")

open("sample_attributions.csv", "w").write(
    "number,person_id,from,to,source\n"
    "+447700900101,P001,2024-09-01T00:00:00Z,,intelligence\n"
    "447700900201,P002,,,subscriber check\n"
    "07700 900202,P003,2024-10-01T00:00:00Z,2024-10-31T23:59:59Z,arrest record\n")

open("sample_addresses.csv", "w").write(
    "address_id,lat,lon,cell_id,occupant,flags\n"
    "A0042,51.26610,-1.08720,C001,P004,vulnerable_adult;drug_dependency\n"
    "A0043,51.27000,-1.10000,C002,,\n")
