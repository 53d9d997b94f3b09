#!/usr/bin/env python3
"""Directory.route_many against the C++ batch and against scikit-learn, on one instance.

Same work everywhere: the k best referrals (default 5) of every request of a
generated Dutch-like scenario (GenerateScenario, seed 1: 50,000 providers,
1,000,000 requests), as interchange.md v1.1 defines them.

  cpp         Router::RouteBatch over the prebuilt std::vector<Request>, timed in C++
              (Directory.time_route_batch, GIL released; answers freed after the clock)
  numpy       Directory.route_many(lat, lon, topics=..., ...) from NumPy columns: float64
              positions and max_km, uint32 bit masks for topics/modes/access, object
              arrays of str for languages, municipality and id. Includes converting the
              columns to C++ requests and the (n, k) NumPy answer arrays.
  dataframe   Directory.route_many(df) from a pandas DataFrame as pandas reads
              requests.csv (";"-separated code strings); includes parsing them.
  batch       Directory.route_many(RequestBatch): routing and the answer arrays only.
  sklearn     sklearn.neighbors.BallTree(metric="haversine") over the provider
              locations: one query_radius call for all requests (radius: the farthest a
              physical referral can be, max(max_km, largest home-visit radius)), then
              per request NumPy filtering of the candidates by the contract's
              suitability rules, the cheapest mode, the remote class (providers with
              phone/video, scanned in id order only when fewer than k physical
              referrals), and sorting by (class, cost, id). Measured on a seeded random
              subset (--sklearn-requests) and extrapolated per request; its answers are
              checked against route_many's on that subset.

Timings interleave the variants, --repeats times each; the table quotes medians.
Run from the build tree:
    PYTHONPATH=build/release/python /usr/bin/python3 bench/python/route_many_benchmark.py
    ... --providers 5000 --requests 100000 --sklearn-requests 2000 --json out.json
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time

import numpy as np

import wegwijzer

R_EARTH_M = 6_371_008.8


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--providers", type=int, default=50_000)
    p.add_argument("--requests", type=int, default=1_000_000)
    p.add_argument("--k", type=int, default=5)
    p.add_argument("--threads", type=int, default=0, help="0 = every core")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--sklearn-requests", type=int, default=5_000,
                   help="size of the subset the scikit-learn baseline runs on")
    p.add_argument("--skip-sklearn", action="store_true")
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args()


def clock(f):
    start = time.perf_counter()
    result = f()
    return time.perf_counter() - start, result


# --- the scikit-learn baseline -------------------------------------------------------

class SklearnRouter:
    """BallTree(haversine) candidates + NumPy filtering by the contract's rules.

    Covers what generated scenarios use: one location per provider, no service
    areas (the scenario has none)."""

    PLACE = wegwijzer.access_mask(["wheelchair", "hearing_loop", "quiet_room"])
    SERVICE = wegwijzer.access_mask(["easy_language", "visual_aid"])
    IN_PERSON, HOME_VISIT, PHONE, VIDEO = (1 << i for i in range(4))

    def __init__(self, directory: wegwijzer.Directory) -> None:
        from sklearn.neighbors import BallTree
        providers = list(directory)
        n = len(providers)
        self.ids = np.array([p.id for p in providers], dtype=object)
        # byte order of ids: the contract's tie-break
        order = sorted(range(n), key=lambda i: providers[i].id.encode())
        self.id_rank = np.empty(n, dtype=np.int64)
        self.id_rank[order] = np.arange(n)
        languages = sorted({code for p in providers for code in p.languages})
        self.language_bit = {code: 1 << i for i, code in enumerate(languages)}
        assert len(languages) <= 63
        self.topics = np.array([wegwijzer.topic_mask(p.topics) for p in providers], np.uint32)
        self.languages = np.array([sum(self.language_bit[c] for c in p.languages)
                                   for p in providers], np.uint64)
        self.modes = np.array([wegwijzer.mode_mask(p.modes) for p in providers], np.uint32)
        self.access = np.array([wegwijzer.access_mask(p.access) for p in providers], np.uint32)
        self.radius_m = np.array([p.radius_km * 1000 for p in providers])
        self.open = np.array([p.capacity is None or p.capacity > 0 for p in providers])
        self.restricted = np.array([bool(p.municipalities) for p in providers])
        self.serves: dict = {}
        for i, p in enumerate(providers):
            for m in p.municipalities:
                self.serves.setdefault(m, []).append(i)
        self.serves = {m: np.array(v) for m, v in self.serves.items()}
        located = np.array([bool(p.locations) for p in providers])
        self.located_index = np.flatnonzero(located)
        self.lat = np.array([p.locations[0].lat if p.locations else np.nan for p in providers])
        self.lon = np.array([p.locations[0].lon if p.locations else np.nan for p in providers])
        self.max_radius_m = float(self.radius_m.max(initial=0))
        # Remote-capable providers in id order: the remote class is ordered by id alone.
        remote = np.flatnonzero(self.modes & (self.PHONE | self.VIDEO))
        self.remote_by_id = remote[np.argsort(self.id_rank[remote], kind="stable")]
        self.tree_seconds, self.tree = clock(lambda: BallTree(
            np.radians(np.column_stack([self.lat[located], self.lon[located]])),
            metric="haversine"))

    def _common(self, c, r):
        """Suitability that does not depend on mode or distance, for candidates c."""
        ok = (self.topics[c] & r["topics"]) == r["topics"]
        ok &= (self.languages[c] & r["languages"]) != 0
        service = r["access"] & self.SERVICE
        ok &= (self.access[c] & service) == service
        ok &= self.open[c]
        restricted = self.restricted[c]
        if restricted.any():
            serving = self.serves.get(r["municipality"]) if r["municipality"] else None
            allowed = ~restricted
            if serving is not None:
                allowed |= np.isin(c, serving)
            ok &= allowed
        return ok

    def route(self, requests: dict, rows: np.ndarray, k: int):
        """(provider, mode, cost) arrays of shape (len(rows), k), -1 = none."""
        radius_m = np.maximum(requests["max_km"][rows] * 1000, self.max_radius_m)
        points = np.radians(np.column_stack([requests["lat"][rows], requests["lon"][rows]]))
        # A hair wider than the contract's limits: the exact test is done below.
        neighbours = self.tree.query_radius(points, r=radius_m * (1 + 1e-9) / R_EARTH_M + 1e-12)
        out_p = np.full((len(rows), k), -1, np.int64)
        out_m = np.full((len(rows), k), -1, np.int64)
        out_c = np.zeros((len(rows), k), np.int64)
        for i, row in enumerate(rows):
            r = {name: requests[name][row] for name in
                 ("topics", "languages", "modes", "access", "max_km", "municipality", "lat", "lon")}
            c = self.located_index[neighbours[i]]
            c = c[self._common(c, r)]
            lat1, lon1 = math.radians(r["lat"]), math.radians(r["lon"])
            lat2, lon2 = np.radians(self.lat[c]), np.radians(self.lon[c])
            a = (np.sin((lat2 - lat1) / 2) ** 2
                 + math.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
            d = 2 * R_EARTH_M * np.arcsin(np.sqrt(np.minimum(1.0, a)))
            modes = self.modes[c] & r["modes"]
            place = r["access"] & self.PLACE
            in_person = ((modes & self.IN_PERSON) != 0) & (d <= r["max_km"] * 1000) & (
                (self.access[c] & place) == place)
            home = ((modes & self.HOME_VISIT) != 0) & (d <= self.radius_m[c])
            cost = np.floor(d + 0.5).astype(np.int64)  # llround for d >= 0
            remote_ok = (modes & (self.PHONE | self.VIDEO)) != 0
            # The cheapest suitable mode; ties go to the physical ones.
            physical = (in_person | home) & ~(remote_ok & (cost > wegwijzer.REMOTE_COST_M))
            pc, pcost = c[physical], cost[physical]
            pmode = np.where(in_person[physical], 0, 1)
            order = np.lexsort((self.id_rank[pc], pcost))[:k]
            n = len(order)
            out_p[i, :n], out_m[i, :n], out_c[i, :n] = pc[order], pmode[order], pcost[order]
            if n < k:  # the remote class, in id order
                candidates = self.remote_by_id
                candidates = candidates[~np.isin(candidates, pc)]
                modes = self.modes[candidates] & r["modes"] & (self.PHONE | self.VIDEO)
                ok = (modes != 0) & self._common(candidates, r)
                chosen = candidates[ok][:k - n]
                m = np.where(modes[ok][:k - n] & self.PHONE, 2, 3)
                out_p[i, n:n + len(chosen)] = chosen
                out_m[i, n:n + len(chosen)] = m
                out_c[i, n:n + len(chosen)] = wegwijzer.REMOTE_COST_M
        return out_p, out_m, out_c


def sklearn_columns(batch: wegwijzer.RequestBatch, router: SklearnRouter) -> dict:
    cols = batch.columns(codes=False)
    bits = router.language_bit
    cache: dict = {}
    languages = np.array([cache.setdefault(s, sum(bits.get(c, 0) for c in s.split(";")))
                          for s in cols["languages"]], dtype=np.uint64)
    return {"topics": cols["topics"], "languages": languages, "modes": cols["modes"],
            "access": cols["access"], "max_km": cols["max_km"], "lat": cols["lat"],
            "lon": cols["lon"], "municipality": np.array(cols["municipality"], dtype=object)}


# --- main ------------------------------------------------------------------------------

def main() -> int:
    args = parse_args()
    print(f"wegwijzer {wegwijzer.__version__}, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, {os.cpu_count()} cores, load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    seconds, (directory, batch) = clock(lambda: wegwijzer.generate_scenario(
        args.seed, args.providers, args.requests))
    n = len(batch)
    print(f"instance: {len(directory):,} providers, {n:,} requests, k = {args.k}, seed "
          f"{args.seed} (generated and compiled in {seconds:.1f} s)")
    masks = batch.columns(codes=False)
    numpy_columns = dict(  # besides lat and lon
        topics=masks["topics"], modes=masks["modes"],
        access=masks["access"], max_km=masks["max_km"],
        languages=np.array(masks["languages"], dtype=object),
        municipality=np.array(masks["municipality"], dtype=object),
        id=np.array(masks["id"], dtype=object))
    try:
        import pandas as pd
        frame = batch.to_pandas()
        # As pandas reads requests.csv: empty cells are NaN.
        frame["municipality"] = frame["municipality"].replace("", np.nan)
    except ImportError:
        frame = None

    # Each variant is one call doing the whole work; `cpp` returns RouteBatch's own
    # wall time (measured in C++), the others are timed around the Python call.
    variants = {
        "cpp": lambda: directory._core.time_route_batch(batch._batch, args.k, args.threads, False),
        "numpy": lambda: directory.route_many(masks["lat"], masks["lon"], **numpy_columns,
                                              k=args.k, threads=args.threads),
        "batch": lambda: directory.route_many(batch, k=args.k, threads=args.threads),
    }
    if frame is not None:
        variants["dataframe"] = lambda: directory.route_many(frame, k=args.k, threads=args.threads)
    # Same answers first (not timed).
    reference = directory.route_many(batch, k=args.k, threads=args.threads)
    for name, table in (("numpy", directory.route_many(
            masks["lat"], masks["lon"], **numpy_columns, k=args.k)),
                        ("dataframe", directory.route_many(frame, k=args.k) if frame is not None
                         else None)):
        if table is not None:
            assert (table.provider == reference.provider).all(), name
            assert (table.cost_m == reference.cost_m).all(), name

    # Other processes share the cores (the figures print the load average): interleave
    # the variants, repeat, and quote both the median and the minimum, of wall time
    # and of CPU time (all threads of this process: insensitive to waiting for a core).
    wall = {name: [] for name in variants}
    cpu = {name: [] for name in variants}
    for _ in range(args.repeats):
        for name, run in variants.items():
            cpu_start, wall_start = time.process_time(), time.perf_counter()
            returned = run()
            wall[name].append(time.perf_counter() - wall_start)
            cpu[name].append(time.process_time() - cpu_start)
            if name == "cpp":  # RouteBatch's own clock: without freeing its answers
                wall[name][-1] = returned
    median = {name: statistics.median(t) for name, t in wall.items()}
    best = {name: min(t) for name, t in wall.items()}
    median_cpu = {name: statistics.median(t) for name, t in cpu.items()}

    figures = {"providers": len(directory), "requests": n, "k": args.k,
               "threads": args.threads or os.cpu_count(), "cores": os.cpu_count(),
               "load_average_before": os.getloadavg(), "wall_s": wall, "cpu_s": cpu}
    print(f"\n{'variant':<10} {'wall median':>12} {'wall min':>9} {'CPU median':>11}"
          f" {'per request':>12}   vs C++: {'median':>6} {'min':>6} {'CPU':>6}")
    for name in variants:
        print(f"{name:<10} {median[name]:>11.3f}s {best[name]:>8.3f}s {median_cpu[name]:>10.3f}s"
              f" {median[name] / n * 1e9:>9,.0f} ns   {'':>7} {median[name] / median['cpp']:>5.2f}x"
              f" {best[name] / best['cpp']:>5.2f}x {median_cpu[name] / median_cpu['cpp']:>5.2f}x")

    if not args.skip_sklearn:
        try:
            router = SklearnRouter(directory)
        except ImportError:
            print("\nscikit-learn is not installed (apt install python3-sklearn): baseline skipped")
            router = None
        if router is not None:
            m = min(args.sklearn_requests, n)
            rows = np.sort(np.random.default_rng(args.seed).choice(n, size=m, replace=False))
            cols = sklearn_columns(batch, router)
            cpu_start = time.process_time()
            seconds, (p, mode, cost) = clock(lambda: router.route(cols, rows, args.k))
            cpu_seconds = time.process_time() - cpu_start
            expected = reference.provider[rows]
            width = min(args.k, expected.shape[1])
            same = ((p[:, :width] == expected) & (cost[:, :width] == reference.cost_m[rows])
                    & (mode[:, :width] == reference.mode[rows])).all(axis=1)
            per_request = seconds / m
            extrapolated = per_request * n
            figures["sklearn"] = {"requests": m, "seconds": seconds, "cpu_seconds": cpu_seconds,
                                  "per_request_s": per_request,
                                  "extrapolated_s": extrapolated,
                                  "tree_build_s": router.tree_seconds,
                                  "agree": int(same.sum())}
            print(f"\nsklearn BallTree(haversine) + NumPy filtering on {m:,} requests "
                  f"(seeded random subset): {seconds:.2f} s = {per_request * 1e6:,.0f} us per "
                  f"request (tree built in {router.tree_seconds:.2f} s, not counted)")
            print(f"  answers equal to route_many's on {same.sum():,} of {m:,} requests")
            print(f"  extrapolated to {n:,} requests: {extrapolated:,.0f} s; route_many "
                  f"(numpy) is {extrapolated / median['numpy']:,.0f}x faster, "
                  f"(dataframe) {extrapolated / median.get('dataframe', math.nan):,.0f}x "
                  f"(wall, medians)")
            cpu_extrapolated = cpu_seconds / m * n
            print(f"  per CPU-second (all threads counted): {cpu_seconds / m * 1e6:,.0f} us vs "
                  f"{median_cpu['numpy'] / n * 1e6:,.2f} us per request, "
                  f"{cpu_extrapolated / median_cpu['numpy']:,.0f}x")
            if not same.all():
                bad = rows[~same][0]
                print(f"  first difference: request row {bad}: sklearn "
                      f"{p[~same][0].tolist()} vs route_many {reference.provider[bad].tolist()}")

    print(f"\nroute_many (NumPy columns) / RouteBatch: {median['numpy'] / median['cpp']:.2f}x "
          f"(wall, median), {best['numpy'] / best['cpp']:.2f}x (wall, min), "
          f"{median_cpu['numpy'] / median_cpu['cpp']:.2f}x (CPU); target <= 1.3x")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
