#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads every `linesight export` format back with readers linesight did not
write (networkx for GraphML and GEXF, openpyxl for xlsx, GDAL's ogrinfo for
GeoJSON and KML, the csv module for i2) and checks each against what it must
hold, derived here independently from the analysis JSON and the world's CSVs
(docs/exports.md is the specification).

usage: export_check.py --result R.json --world DIR --out DIR/PREFIX [--line ID]
                       [--hostile SPEC.json]
"""
import argparse
import csv
import datetime
import json
import os
import re
import subprocess
import sys
from collections import Counter, defaultdict

import networkx as nx
import openpyxl

RANK = {"deal": 0, "holder": 1, "runner": 2, "customer": 3}
TRIP_GAP_S = 6 * 3600
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


def ts(s):
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())


def expected_model(result, world, line):
    lines = [l for l in result["lines"] if line is None or l["id"] == line]
    chosen = {l["id"] for l in lines}
    role = {}
    roles = set()

    def add(number, lid, r):
        rk = RANK.get(r, 4)
        if number not in role or rk < role[number]:
            role[number] = rk
        roles.add((number, lid))

    for l in lines:
        for key, r in (("numbers", "deal"), ("holders", "holder"), ("runners", "runner")):
            for n in l.get(key, []):
                add(n, l["id"], r)
    for e in result.get("numbers", []):
        if e.get("line") in chosen:
            add(e["number"], e["line"], e.get("role"))
    cuckoo = [c for c in result.get("cuckoo_addresses", []) if c.get("line") in chosen]
    addresses = {c["address"] for c in cuckoo}
    core = {n for n, r in role.items() if r <= 2}

    places = {}
    with open(os.path.join(world, "cells.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            try:
                places[row["cell_id"]] = (float(row["lat"]), float(row["lon"]))
            except ValueError:
                pass
    w = result.get("window") or {}
    lo = ts(w["from"]) if w.get("from") else -(2**63)
    hi = ts(w["to"]) if w.get("to") else 2**63
    contacts, handsets, used_in = set(), set(), set()
    cell_index, sightings = {}, defaultdict(list)
    with open(os.path.join(world, "events.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            t = ts(row["start"])
            if not lo <= t <= hi:
                continue
            a, b = row["caller"], row["callee"]
            sides = [(a, row["caller_cell"], row["caller_imei"])]
            if b != a:
                sides.append((b, row["callee_cell"], row["callee_imei"]))
            for n, cell, imei in sides:
                if n not in core:
                    continue
                if imei:
                    handsets.add(imei)
                    used_in.add((imei, n))
                if cell:
                    cell_index.setdefault(cell, len(cell_index))
                    sightings[n].append((t, cell_index[cell], cell))
            if a in role and b in role and a != b and (a in core or b in core):
                contacts.add(frozenset((a, b)))
    trips = 0
    for n, seen in sightings.items():
        seen.sort()
        trip, prev = [], None
        for t, _, cell in seen:
            if cell not in places:
                continue
            if prev is not None and t - prev > TRIP_GAP_S:
                trips += len(trip) >= 2
                trip = []
            prev = t
            if not trip or trip[-1] != cell:
                trip.append(cell)
        trips += len(trip) >= 2
    persons, uses = set(), 0
    with open(os.path.join(world, "attributions.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["number"] in role:
                persons.add(row["person_id"])
                uses += 1
    placed_addresses = set()
    with open(os.path.join(world, "addresses.csv"), newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["address_id"] in addresses and row["lat"] and row["lon"]:
                placed_addresses.add(row["address_id"])
    names = ("deal", "holder", "runner", "customer", "other")
    return {
        "nodes": Counter({"line": len(lines), "number": len(role), "handset": len(handsets),
                          "person": len(persons), "address": len(addresses)}),
        "edges": Counter({"role": len(roles), "contact": len(contacts), "used_in": len(used_in),
                          "uses": uses, "cuckoo": len(cuckoo)}),
        "role": {n: names[r] for n, r in role.items()},
        "geo": Counter({"cell": sum(1 for c in cell_index if c in places), "movement": trips,
                        "cuckoo_address": len(placed_addresses)}),
        "lines": lines, "numbers": [e for e in result.get("numbers", []) if e.get("line") in chosen],
        "cuckoo": cuckoo, "safeguarding": result.get("safeguarding", []), "chosen": chosen,
    }


def positive(counter):
    return Counter({k: v for k, v in counter.items() if v})


I2_ENTITY = {"Deal Line": "line", "Telephone": "number", "Handset": "handset", "Person": "person",
             "Address": "address"}
I2_LINK = {"Role": "role", "Contact": "contact", "Handset Use": "used_in", "Attribution": "uses",
           "Cuckooed Address": "cuckoo"}


def check_i2(prefix, exp):
    with open(prefix + "-entities.csv", newline="", encoding="utf-8-sig") as f:
        ents = list(csv.DictReader(f))
    with open(prefix + "-links.csv", newline="", encoding="utf-8-sig") as f:
        links = list(csv.DictReader(f))
    kinds = Counter(I2_ENTITY.get(e["entity_type"], "?") for e in ents)
    check(positive(kinds) == positive(exp["nodes"]), f"i2 entities {dict(kinds)} != {dict(exp['nodes'])}")
    ids = {e["entity_id"] for e in ents}
    check(len(ids) == len(ents), "i2 entity ids are not unique")
    lk = Counter(I2_LINK.get(l["link_type"], "?") for l in links)
    check(positive(lk) == positive(exp["edges"]), f"i2 links {dict(lk)} != {dict(exp['edges'])}")
    for l in links:
        check(l["from_id"] in ids and l["to_id"] in ids, f"i2 link {l['link_id']} has an unknown end")
    for row in ents + links:
        check(row["source_evaluation"] in "123" and row["intelligence_assessment"] in "ABCDE"
              and row["handling_code"] in ("P", "C"), "i2 row without 3x5x2 grading")
        for k in ("first_date", "last_date"):
            check(row[k] == "" or re.fullmatch(r"\d{4}-\d\d-\d\d", row[k]), f"i2 {k} {row[k]!r}")
    for e in ents:
        if e["entity_type"] == "Telephone":
            check(e["role"] == exp["role"].get(e["label"]), f"i2 role of {e['label']}")
    return ents, links


def check_graph(G, fmt, exp):
    kinds = Counter(d.get("kind") for _, d in G.nodes(data=True))
    check(positive(kinds) == positive(exp["nodes"]), f"{fmt} nodes {dict(kinds)} != {dict(exp['nodes'])}")
    ek = Counter(d.get("kind") for _, _, d in G.edges(data=True))
    check(positive(ek) == positive(exp["edges"]), f"{fmt} edges {dict(ek)} != {dict(exp['edges'])}")
    check(G.number_of_nodes() == sum(exp["nodes"].values()), f"{fmt} node count")
    check(G.number_of_edges() == sum(exp["edges"].values()), f"{fmt} edge count")
    for n, d in G.nodes(data=True):
        if d.get("kind") == "number":
            num = n.split(":", 1)[1]
            check(d.get("role") == exp["role"][num], f"{fmt} role of {num}: {d.get('role')}")
    if not ARGS.line:
        first = {}
        for c in exp["safeguarding"]:
            first.setdefault(c["subject"], c.get("priority"))
        for subject, priority in first.items():
            for key in ("person:" + subject, "number:" + subject):
                if key in G.nodes:
                    check(G.nodes[key].get("safeguarding") == priority, f"{fmt} safeguarding of {key}")
    scores = {(e["number"]): e["score"] for e in exp["numbers"] if e.get("role") == "deal"}
    for num, s in scores.items():
        d = G.nodes.get("number:" + num)
        check(d is not None and abs(float(d.get("score", -1)) - s) < 1e-12, f"{fmt} score of {num}")


def ogr_counts(path, where=None):
    cmd = ["ogrinfo", "-ro", "-so", "-al", path]
    if where:
        cmd[1:1] = ["-where", where]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    layers, name = {}, None
    for line in out.splitlines():
        if line.startswith("Layer name: "):
            name = line[len("Layer name: "):]
        elif line.startswith("Feature Count: "):
            layers[name] = int(line[len("Feature Count: "):])
    return layers


def check_geo(prefix, exp):
    want = positive(exp["geo"])
    # GeoJSON: GDAL counts by kind; the geometry read with the json module
    got = Counter()
    for kind in ("cell", "movement", "cuckoo_address"):
        got[kind] = sum(ogr_counts(prefix + ".geojson", f"kind = '{kind}'").values())
    check(positive(got) == want, f"geojson (ogrinfo) {dict(got)} != {dict(want)}")
    with open(prefix + ".geojson", encoding="utf-8") as f:
        doc = json.load(f)
    check(doc["type"] == "FeatureCollection", "geojson is not a FeatureCollection")
    for ft in doc["features"]:
        g, p = ft["geometry"], ft["properties"]
        if p["kind"] == "movement":
            check(g["type"] == "LineString" and len(g["coordinates"]) >= 2, "movement is no LineString")
            check(all(a != b for a, b in zip(g["coordinates"], g["coordinates"][1:])),
                  "movement repeats a place")
            check(ts(p["start"]) <= ts(p["end"]) and p["places"] == len(g["coordinates"]),
                  "movement times or places")
        else:
            check(g["type"] == "Point", f"{p['kind']} is no Point")
        lon, lat = (g["coordinates"][0] if g["type"] == "LineString" else g["coordinates"])
        check(-180 <= lon <= 180 and -90 <= lat <= 90, "coordinates out of range")
    # KML: one folder (layer) per kind
    layers = ogr_counts(prefix + ".kml")
    got = Counter({"cell": layers.get("Cells", 0), "movement": layers.get("Movements", 0),
                   "cuckoo_address": layers.get("Cuckooed addresses", 0)})
    check(positive(got) == want, f"kml (ogrinfo) {dict(got)} != {dict(want)}")
    return doc


def check_xlsx(path, exp):
    wb = openpyxl.load_workbook(path, read_only=True)
    rows = {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb.worksheets}
    want = {"Lines": len(exp["lines"]), "Numbers": len(exp["numbers"]),
            "Evidence": sum(len(l.get("explain", [])) for l in exp["lines"]),
            "Cuckooed addresses": len(exp["cuckoo"])}
    if len(exp["chosen"]) == len(exp["lines"]) and not ARGS.line:
        want["Safeguarding"] = len(exp["safeguarding"])
    for sheet, n in want.items():
        check(sheet in rows and len(rows[sheet]) - 1 == n,
              f"xlsx {sheet}: {len(rows.get(sheet, [])) - 1} rows, want {n}")
    for row, l in zip(rows["Lines"][1:], exp["lines"]):
        check(row[0] == l["id"] and abs(row[2] - l["score"]) < 1e-12, f"xlsx line {l['id']}")
    return rows


def check_hostile(spec, prefix, ents, gml, gexf, geo, rows):
    """The hostile strings come back exactly, in every format: cell names
    (cell id + spec["cell_suffix"]), line origins and attribution sources."""
    origin, suffix, source = spec["origin"], spec["cell_suffix"], spec["source"]
    check(any(e["entity_type"] == "Deal Line" and e["origin"] == origin for e in ents),
          "i2: hostile origin not read back")
    with open(prefix + "-links.csv", newline="", encoding="utf-8-sig") as f:
        check(any(source in l["description"] for l in csv.DictReader(f)), "i2: hostile source")
    for G, fmt in ((gml, "graphml"), (gexf, "gexf")):
        check(any(d.get("origin") == origin for _, d in G.nodes(data=True)), f"{fmt}: hostile origin")
        check(any(d.get("attribution_source") == source for _, _, d in G.edges(data=True)),
              f"{fmt}: hostile attribution source")
    cells = [f["properties"] for f in geo["features"] if f["properties"]["kind"] == "cell"]
    check(cells and all(p["cell_name"] == p["cell"] + suffix and p["name"] == p["cell_name"]
                        for p in cells), "geojson: hostile cell names not read back")
    import xml.etree.ElementTree as ET
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    placemarks = [p for p in ET.parse(prefix + ".kml").iterfind(".//k:Placemark", ns)
                  if p.find("k:Point", ns) is not None]
    ok = bool(placemarks)
    for p in placemarks:
        data = {d.get("name"): d.findtext("k:value", namespaces=ns) for d in p.iterfind(".//k:Data", ns)}
        if data.get("kind") == "cell":
            ok = ok and p.findtext("k:name", namespaces=ns) == data["cell"] + suffix == data["cell_name"]
    check(ok, "kml: hostile cell names not read back")
    check(any(r[3] == origin for r in rows["Lines"][1:]), "xlsx: hostile origin")


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--result", required=True)
    ap.add_argument("--world", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--line")
    ap.add_argument("--hostile")
    ARGS = ap.parse_args()
    with open(ARGS.result, encoding="utf-8") as f:
        result = json.load(f)
    exp = expected_model(result, ARGS.world, ARGS.line)
    p = ARGS.out
    ents, _ = check_i2(p, exp)
    gml = nx.read_graphml(p + ".graphml")
    check_graph(gml, "graphml", exp)
    gexf = nx.read_gexf(p + ".gexf")
    check_graph(gexf, "gexf", exp)
    check(gexf.graph.get("mode") == "dynamic", "gexf is not dynamic")
    for n, d in gexf.nodes(data=True):
        if d.get("first_seen"):
            check(d.get("spells") == [(d["first_seen"][:10], d["last_seen"][:10])], f"gexf spell of {n}")
    geo = check_geo(p, exp)
    rows = check_xlsx(p + ".xlsx", exp)
    if ARGS.hostile:
        with open(ARGS.hostile, encoding="utf-8") as f:
            check_hostile(json.load(f), p, ents, gml, gexf, geo, rows)
    print("export_check: nodes %s; edges %s; map %s" % (dict(exp["nodes"]), dict(exp["edges"]),
                                                         dict(exp["geo"])))
    for f in failures[:20]:
        print("FAIL:", f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
