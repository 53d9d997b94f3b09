#!/usr/bin/env python3
"""Median time per request and the Router's speed-up over each baseline.

Reads the JSON that wegwijzer_router_benchmark writes with
--benchmark_out=FILE --benchmark_out_format=json (or --benchmark_format=json on
standard output) and prints one Markdown table row per benchmark and instance size.

    build/release/bench/wegwijzer_router_benchmark --benchmark_out=route.json \
        --benchmark_out_format=json
    bench/route_ratios.py route.json
"""
import json
import re
import sys


ORDER = ["BM_Route_Router", "BM_Route_RouterExplain", "BM_Route_BruteForce",
         "BM_Route_BoostRtree", "BM_Route_BoostRtreeAll", "BM_RouteBatch_Router"]


def main(path):
    with open(path) as f:
        report = json.load(f)
    medians = {}  # (benchmark, providers, threads) -> median run
    for b in report["benchmarks"]:
        if b.get("aggregate_name") != "median":
            continue
        m = re.match(r"(BM_\w+)/(\d+)(?:/threads:(\d+))?", b["run_name"])
        if m:
            medians[(m.group(1), int(m.group(2)), int(m.group(3) or 0))] = b

    def order(key):
        name, providers, threads = key
        return (providers, ORDER.index(name) if name in ORDER else len(ORDER), name, threads)

    print("| benchmark | providers | median per request | Router is faster by | CPU / wall |")
    print("| --- | --- | --- | --- | --- |")
    for key in sorted(medians, key=order):
        name, providers, threads = key
        run = medians[key]
        seconds = run["per_request"]
        router = medians.get(("BM_Route_Router", providers, 0))
        label = name + (f"/threads:{threads}" if threads else "")
        ratio = ""
        if router and name.startswith("BM_Route_") and name != "BM_Route_Router":
            ratio = f"{seconds / router['per_request']:.1f}x"
        # Batch runs measure the whole process's CPU time: about 2 when both cores work.
        cores = f"{run['cpu_time'] / run['real_time']:.2f}" if threads else ""
        print(f"| {label} | {providers:,} | {seconds * 1e9:,.0f} ns | {ratio} | {cores} |")
    if report.get("context"):
        c = report["context"]
        print(f"\n{c.get('num_cpus')} CPUs at {c.get('mhz_per_cpu')} MHz, "
              f"load average {c.get('load_avg')}, {c.get('date')}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
