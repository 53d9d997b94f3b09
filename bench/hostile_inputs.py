#!/usr/bin/python3
"""Hostile inputs of at most 10 MB against every reader and command (issue 15's target).

Builds each input in a scratch folder, runs the command-line program on it under
`/usr/bin/time -v` with a wall-clock timeout, and prints one Markdown row per case:
the command, the input, the exit code, wall seconds, CPU seconds and peak RSS, and the
first line of what the program said. The target: every case answers or refuses within
10 s and 1 GB (valid waiting lists excepted: their cost is documented in the README).

    /usr/bin/python3 bench/hostile_inputs.py [--cli build/release/wegwijzer]
        [--shared ../shared/data] [--timeout 20] [--only SUBSTRING] [--keep DIR]

Inputs are generated with a fixed seed, so every run measures the same bytes. Real data
(the municipality file, the HSDS samples) is read from --shared in place, never copied
into the repository.
"""
import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile

MB = 10 * 1000 * 1000  # the target's "10 MB"
PROVIDERS_HEADER = "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n"
REQUESTS_HEADER = "id,lat,lon,topics,languages,modes,access,max_km,priority,municipality\n"


def fill(prefix, row, size=MB):
    """prefix + row(i) for i = 0, 1, ... while the text stays within `size` bytes."""
    parts, total, i = [prefix], len(prefix), 0
    while True:
        r = row(i)
        if total + len(r) > size:
            return "".join(parts)
        parts.append(r)
        total += len(r)
        i += 1


def provider_row(i, lat=52.0, lon=5.0, spread=1.0, capacity="5", rng=None):
    rng = rng or random.Random(i)
    return (f"p{i},Help point {i},ido,{lat + spread * rng.random():.5f},{lon + spread * rng.random():.5f},"
            f"digid;benefits,nl;en,in_person;phone,,wheelchair,{capacity},\n")


def request_row(i, lat=52.0, lon=5.0, spread=1.0, languages="nl", rng=None):
    rng = rng or random.Random(1_000_000 + i)
    return (f"r{i},{lat + spread * rng.random():.5f},{lon + spread * rng.random():.5f},"
            f"digid,{languages},,,10,1,\n")


class Cases:
    def __init__(self, work, repo, shared):
        self.work, self.repo, self.shared = work, repo, shared
        self.data = os.path.join(repo, "data")
        self.list = []

    def file(self, name, text):
        path = os.path.join(self.work, name)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        mode = "wb" if isinstance(text, bytes) else "w"
        with open(path, mode, **({} if mode == "wb" else {"newline": ""})) as f:
            f.write(text)
        return path

    def add(self, reader, what, args):
        self.list.append((reader, what, args))

    def out(self, name):
        return os.path.join(self.work, "out", name)

    def build(self):
        P, R = os.path.join(self.data, "providers.csv"), os.path.join(self.data, "requests.csv")
        route = lambda p, r, *extra: ["route", "--providers", p, "--requests", r, *extra,
                                      "--out", self.out("route.csv")]
        match = lambda p, r, *extra: ["match", "--providers", p, "--requests", r, *extra,
                                      "--out", self.out("plan.csv")]

        # --- providers.csv
        f = self.file("p_header.csv", "id," * (MB // 3))
        self.add("providers.csv", "one 10 MB header line", route(f, R))
        f = self.file("p_openquote.csv", PROVIDERS_HEADER + 'p1,"' + "x" * (MB - 200))
        self.add("providers.csv", "an unclosed quote, 10 MB", route(f, R))
        f = self.file("p_valid.csv", fill(PROVIDERS_HEADER, provider_row))
        self.add("providers.csv", "valid, 10 MB (103,253 providers)", route(f, R))
        f = self.file("p_codes.csv", PROVIDERS_HEADER + "p1,P,ido,52,5," + "digid;" * (MB // 6 - 20) + ",nl,in_person,,,1,\n")
        self.add("providers.csv", "one topics field of 1.6 million codes", route(f, R))
        f = self.file("p_random.bin", random.Random(7).randbytes(MB))
        self.add("providers.csv", "10 MB of random bytes", route(f, R))
        f = self.file("p_numbers.csv", fill(PROVIDERS_HEADER, lambda i: f"p{i},P,ido,52.{'1' * 400},5,digid,nl,in_person,,,{'9' * 400},\n"))
        self.add("providers.csv", "numbers of 400 digits in every row", route(f, R))
        f = self.file("p_blank.csv", PROVIDERS_HEADER + "\n" * (MB - 100))
        self.add("providers.csv", "10 million blank lines", route(f, R))
        f = self.file("p_bad.csv", fill(PROVIDERS_HEADER, lambda i: f"p{i},,,,,,,,,,,\n"))
        self.add("providers.csv", "10 MB of bad rows", route(f, R))
        f = self.file("p_columns.csv", ",".join(f"c{i}" for i in range(100_000)) + "\n")
        self.add("providers.csv", "a header of 100,000 unknown columns", route(f, R))

        # --- requests.csv
        f = self.file("r_header.csv", "id," * (MB // 3))
        self.add("requests.csv", "one 10 MB header line", route(P, f))
        f = self.file("r_lonecr.csv", REQUESTS_HEADER.replace("\n", "\r") + "r,52,5,digid,nl,,,10,1,\r" * (MB // 30))
        self.add("requests.csv", "lone-CR line ends, 10 MB", route(P, f))
        f = self.file("r_valid.csv", fill(REQUESTS_HEADER, request_row))
        self.add("requests.csv", "valid, 10 MB (240,739 requests): route", route(P, f))
        self.add("requests.csv", "valid, 10 MB (240,739 requests): match", match(P, f))
        f = self.file("r_bad.csv", fill(REQUESTS_HEADER, lambda i: f"r{i},x,y,nope,zz,,,-1,x,\n"))
        self.add("requests.csv", "10 MB of bad rows", route(P, f))
        # Both files at 5 MB: 51,774 providers, 121,691 requests.
        p5 = self.file("p_5mb.csv", fill(PROVIDERS_HEADER, provider_row, MB // 2))
        r5 = self.file("r_5mb.csv", fill(REQUESTS_HEADER, request_row, MB // 2))
        self.add("requests.csv", "5 MB + 5 MB with --k 2000000000", route(p5, r5, "--k", "2000000000"))
        r5none = self.file("r_5mb_none.csv", fill(REQUESTS_HEADER, lambda i: request_row(i, languages="ar"), MB // 2))
        self.add("requests.csv", "5 MB + 5 MB, nothing suits, --explain", route(p5, r5none, "--explain"))
        # The dense cluster: every pair suitable, capacity 1 (the valid waiting list
        # whose cost the README documents).
        pc = self.file("p_cluster.csv", fill(PROVIDERS_HEADER, lambda i: provider_row(i, spread=0.01, capacity="1"), MB // 40))
        rc = self.file("r_cluster.csv", fill(REQUESTS_HEADER, lambda i: request_row(i, spread=0.01), MB // 20))
        self.add("requests.csv", "dense cluster (0.25 MB + 0.5 MB: 2,654 providers of capacity 1, 12,464 requests): match", match(pc, rc))
        self.add("requests.csv", "dense cluster as above, --max-memory-mb 64", match(pc, rc, "--max-memory-mb", "64"))

        # --- demand.csv and candidates.csv (coverage)
        demand_header = REQUESTS_HEADER.rstrip("\n") + ",count\n"
        d = self.file("d_counts.csv", fill(demand_header, lambda i: request_row(i).rstrip("\n") + ",1000000000\n"))
        cov = lambda p, d, *extra: ["coverage", "--providers", p, "--demand", d, *extra,
                                    "--out-dir", self.out("coverage")]
        self.add("demand.csv", "every row's count 1,000,000,000", cov(P, d))
        d1 = self.file("d_valid.csv", fill(demand_header, lambda i: request_row(i).rstrip("\n") + ",1\n"))
        self.add("demand.csv", "valid, 10 MB (229,796 rows)", cov(P, d1))
        dsmall = self.file("d_small.csv", fill(demand_header, lambda i: request_row(i).rstrip("\n") + ",3\n", 100_000))
        c = self.file("c_valid.csv", fill(PROVIDERS_HEADER, provider_row))
        self.add("candidates.csv", "10 MB of candidates (103,253), --add 999999999", cov(P, dsmall, "--candidates", c, "--add", "999999999"))
        f = self.file("c_header.csv", "id," * (MB // 3))
        self.add("candidates.csv", "one 10 MB header line", cov(P, dsmall, "--candidates", f, "--add", "5"))

        # --- municipality GeoJSON and postcode CSV
        geo = lambda g, *extra: route(P, R, "--municipalities", g, *extra)
        f = self.file("g_deep.geojson", "[" * MB)
        self.add("municipality GeoJSON", "10 MB of '['", geo(f))
        pts = []
        n = MB // 50
        for i in range(n):  # a zigzag ring that crosses itself everywhere
            pts.append([5.0 + 0.5 * i / n, 52.0 + (0.1 if i % 2 else 0.0)])
        for i in range(n):
            pts.append([5.5 - 0.5 * i / n, 52.05 + (0.1 if i % 2 else -0.1)])
        pts.append(pts[0])
        feature = {"type": "Feature", "properties": {"gemeentecode": "GM0001"},
                   "geometry": {"type": "Polygon", "coordinates": [pts]}}
        f = self.file("g_zigzag.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]}))
        self.add("municipality GeoJSON", f"one self-crossing ring of {len(pts):,} vertices", geo(f))
        feats = []
        size = 0
        i = 0
        while size < MB - 300:
            lon, lat = 3.4 + (i % 1000) * 0.0035, 50.8 + (i // 1000) * 0.0035
            s = json.dumps({"type": "Feature", "properties": {"gemeentecode": f"GM{i:06d}"},
                            "geometry": {"type": "Polygon", "coordinates": [[[lon, lat], [lon + 0.003, lat], [lon + 0.003, lat + 0.003], [lon, lat + 0.003], [lon, lat]]]}})
            feats.append(s)
            size += len(s) + 1
            i += 1
        f = self.file("g_many.geojson", '{"type":"FeatureCollection","features":[' + ",".join(feats) + "]}")
        self.add("municipality GeoJSON", f"{len(feats):,} small municipalities", geo(f))
        f = self.file("g_keys.geojson", '{"type":"FeatureCollection","features":[],' + ",".join(f'"k{i}":0' for i in range(MB // 12)) + "}")
        self.add("municipality GeoJSON", "a top-level object of 830,000 keys", geo(f))
        f = self.file("g_string.geojson", '{"type":"FeatureCollection","name":"' + "x" * (MB - 100) + '","features":[]}')
        self.add("municipality GeoJSON", "a 10 MB string", geo(f))
        muni = os.path.join(self.shared, "municipalities", "gemeenten_2023_wgs84.geojson")
        if os.path.exists(muni):
            pc4 = lambda p: route(P, R, "--municipalities", muni, "--postcodes", p)
            f = self.file("pc_rows.csv", fill("pc4,lat,lon\n", lambda i: f"{1000 + i % 9000},52.1,5.1\n"))
            self.add("postcode CSV", "10 MB of rows (repeated codes)", pc4(f))
            f = self.file("pc_header.csv", "pc4," * (MB // 4))
            self.add("postcode CSV", "one 10 MB header line", pc4(f))
            f = self.file("pc_field.csv", 'pc4,lat,lon\n"' + "1" * (MB - 100) + '",52,5\n')
            self.add("postcode CSV", "one 10 MB field", pc4(f))

        # --- HSDS JSON
        hsds = lambda p: ["import-hsds", p, "--out", self.out("snapshot.pb")]
        f = self.file("hsds/service_deep.json", "[" * MB)
        self.add("HSDS JSON", "10 MB of '['", hsds(f))
        f = self.file("hsds/service_deep_obj.json", '{"a":' * (MB // 5))
        self.add("HSDS JSON", "2 million nested objects", hsds(f))
        f = self.file("hsds/service_array.json", '{"contents":[' + ",".join(["0"] * (MB // 2 - 20)) + "]}")
        self.add("HSDS JSON", "contents: 5 million numbers", hsds(f))
        f = self.file("hsds/service_keys.json", "{" + ",".join(f'"k{i}":0' for i in range(MB // 12)) + "}")
        self.add("HSDS JSON", "an object of 830,000 distinct keys", hsds(f))
        f = self.file("hsds/service_keys_nested.json", '{"contents":[{' + ",".join(f'"k{i}":0' for i in range(MB // 12)) + "}]}")
        self.add("HSDS JSON", "one service of 830,000 keys", hsds(f))
        f = self.file("hsds/service_string.json", '{"contents":[{"id":"' + "x" * (MB - 100) + '"}]}')
        self.add("HSDS JSON", "a 10 MB string", hsds(f))
        f = self.file("hsds/service_escapes.json", '{"contents":[{"id":"' + "\\u00e9" * (MB // 6 - 20) + '"}]}')
        self.add("HSDS JSON", "1.6 million \\u escapes", hsds(f))
        f = self.file("hsds/service_number.json", '{"contents":[{"latitude":1' + "0" * (MB - 100) + "}]}")
        self.add("HSDS JSON", "a number of 10 million digits", hsds(f))
        sample = os.path.join(self.shared, "hsds", "openreferral-hsds-3.0", "service_full.json")
        if os.path.exists(sample):
            with open(sample) as s:
                service = json.load(s)
            text = json.dumps(service)
            copies = MB // len(text)
            uuid = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
            # Every id renamed per copy, references with it, so the copies are distinct.
            services = [uuid.sub(lambda m, i=i: f"{m.group(0)}-{i}", text) for i in range(copies)]
            f = self.file("hsds/service_valid.json", '{"contents":[' + ",".join(services) + "]}")
            self.add("HSDS JSON", f"{copies} copies of the 3.0 sample service (ids renamed), --skip-bad-records", hsds(f) + ["--skip-bad-records"])
            f = self.file("hsds/service_dupe_ids.json", '{"contents":[' + ",".join([text] * copies) + "]}")
            self.add("HSDS JSON", f"{copies} copies of one service (same ids)", hsds(f))

        # --- HSDS CSV datapackage
        pkg = os.path.join(self.shared, "hsds", "openreferral-hsds-3.0", "csv")
        if os.path.isdir(pkg):
            def package(name, table, text):
                d = os.path.join(self.work, name)
                shutil.copytree(pkg, d, dirs_exist_ok=True)
                with open(os.path.join(d, table)) as t:
                    header = t.readline()
                with open(os.path.join(d, table), "w", newline="") as t:
                    t.write(text(header))
                return d
            ncols = lambda h: h.count(",")
            d = package("pkg_services", "services.csv",
                        lambda h: fill(h, lambda i: f"s{i},org{i % 7}" + "," * (ncols(h) - 1) + "\n"))
            self.add("HSDS CSV datapackage", "services.csv: 10 MB of rows", hsds(d))
            d = package("pkg_field", "locations.csv", lambda h: h + '"' + "x" * (MB - 100) + '"\n')
            self.add("HSDS CSV datapackage", "locations.csv: one 10 MB field", hsds(d))
            d = package("pkg_sal", "service_at_location.csv",
                        lambda h: fill(h, lambda i: f"sal{i},s{i},l{i}" + "," * (ncols(h) - 2) + "\n"))
            self.add("HSDS CSV datapackage", "service_at_location.csv: 10 MB of dangling links", hsds(d))
            d = package("pkg_columns", "organizations.csv",
                        lambda h: "id," + ",".join(f"c{i}" for i in range(MB // 9)) + "\n")
            self.add("HSDS CSV datapackage", "organizations.csv: a header of 1.1 million distinct columns", hsds(d))
            d = package("pkg_header", "organizations.csv", lambda h: "id," * (MB // 3))
            self.add("HSDS CSV datapackage", "organizations.csv: one 10 MB header", hsds(d))

        # --- snapshot
        snap = lambda s: ["route", "--snapshot", s, "--requests", R, "--out", self.out("route.csv")]
        f = self.file("s_random.pb", random.Random(11).randbytes(MB))
        self.add("snapshot", "10 MB of random bytes", snap(f))
        f = self.file("s_length.pb", b"\x0a\xff\xff\xff\xff\x07" + b"\x00" * (MB - 10))
        self.add("snapshot", "a field claiming 2 GB, then zeros", snap(f))
        f = self.file("s_nested.pb", b"\x0a\x80\x80\x80\x05" * (MB // 5))
        self.add("snapshot", "2 million nested length prefixes", snap(f))
        if os.path.exists(sample):
            self.list.append(("snapshot", "the import of the copies above (valid)", ["@chain", hsds(os.path.join(self.work, "hsds/service_valid.json")) + ["--skip-bad-records"], snap(self.out("snapshot.pb"))]))

        # --- generate
        self.add("generate", "--provider-count 2147483647", ["generate", "--provider-count", "2147483647", "--out", self.out("gen")])


def run(cli, args, timeout):
    cmd = ["/usr/bin/time", "-v", "timeout", "-s", "KILL", str(timeout), cli, *args]
    p = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    err = p.stderr
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", err)
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", err)
    user = re.search(r"User time \(seconds\): (\S+)", err)
    sys_ = re.search(r"System time \(seconds\): (\S+)", err)
    seconds = 0.0
    if wall:
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    said = [l for l in err.splitlines() if l.strip() and not l.startswith("\t") and
            not l.startswith("Command exited") and not l.startswith("Command terminated")]
    first = said[0] if said else (p.stdout.splitlines() or [""])[0]
    code = p.returncode
    if code == 137 or "signal 9" in err:
        code = "killed (timeout)"
    return code, seconds, float(user.group(1)) + float(sys_.group(1)) if user else 0.0, \
        int(rss.group(1)) / 1024 if rss else 0.0, first


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    ap = argparse.ArgumentParser()
    ap.add_argument("--cli", default=os.path.join(repo, "build", "release", "wegwijzer"))
    ap.add_argument("--shared", default=os.path.join(repo, "..", "shared", "data"))
    ap.add_argument("--timeout", type=int, default=20)
    ap.add_argument("--only", default="")
    ap.add_argument("--keep", default="")
    a = ap.parse_args()
    work = a.keep or tempfile.mkdtemp(prefix="wegwijzer_hostile_inputs.")
    os.makedirs(os.path.join(work, "out"), exist_ok=True)
    cases = Cases(work, repo, a.shared)
    cases.build()
    print(f"load average before: {os.getloadavg()[0]:.2f}; {os.cpu_count()} cores", file=sys.stderr)
    print("| reader | input | exit | wall s | CPU s | peak RSS MB | first line on stderr |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    failed = 0
    for reader, what, args in cases.list:
        if a.only and a.only not in reader + " " + what:
            continue
        shutil.rmtree(os.path.join(work, "out"), ignore_errors=True)
        os.makedirs(os.path.join(work, "out"))
        if args and args[0] == "@chain":  # a first command makes the input
            run(a.cli, args[1], a.timeout)
            args = args[2]
        code, wall, cpu, rss, first = run(a.cli, args, a.timeout)
        first = first.replace(work, "…").replace("|", "\\|")
        if len(first) > 110:
            first = first[:107] + "..."
        over = wall > 10 or rss > 1024 or not isinstance(code, int)
        failed += over
        mark = " **over**" if over else ""
        print(f"| {reader} | {what} | {code} | {wall:.2f}{mark} | {cpu:.2f} | {rss:.0f} | {first} |", flush=True)
    print(f"load average after: {os.getloadavg()[0]:.2f}; {failed} case(s) over 10 s or 1 GB", file=sys.stderr)
    if not a.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
