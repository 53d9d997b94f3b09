#!/usr/bin/env python3
"""Writes the seeds of this folder from the real municipality file (CC BY 4.0, CBS /
Kadaster). Run from this folder: /usr/bin/python3 extract.py [path to the geojson]."""
import json
import sys

path = sys.argv[1] if len(sys.argv) > 1 else \
    "../../../../../shared/data/municipalities/gemeenten_2023_wgs84.geojson"
data = json.load(open(path))
by_code = {f["properties"]["gemeentecode"]: f for f in data["features"]}


def slim(f):
    p = f["properties"]
    return {"type": "Feature",
            "properties": {"gemeentecode": p["gemeentecode"], "gemeentenaam": p["gemeentenaam"]},
            "geometry": f["geometry"]}


def write(name, codes, extra=None):
    collection = {"type": "FeatureCollection"}
    collection.update(extra or {})
    collection["features"] = [slim(by_code[c]) for c in codes]
    text = json.dumps(collection, separators=(",", ":"))
    assert len(text) < 50_000, name
    open(name, "w").write(text)


def vertices(f):
    g = f["geometry"]
    polygons = [g["coordinates"]] if g["type"] == "Polygon" else g["coordinates"]
    return sum(len(ring) for polygon in polygons for ring in polygon)


for code in ["GM0303", "GM0716", "GM1924", "GM0852", "GM1895"]:
    write(code.lower() + "_invalid.geojson", [code])
write("six_small_municipalities.geojson",
      [f["properties"]["gemeentecode"] for f in sorted(data["features"], key=vertices)[:6]])
write("baarle_with_crs.geojson", ["GM0784", "GM0998"],
      {"crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}})
