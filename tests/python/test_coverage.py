"""Coverage and gap analysis from Python: records for pandas, the greedy choice of sites
against an exact optimum (scipy.optimize.milp) computed from an independent reach rule,
agreement with the command line, and the report rendered in headless Chromium."""
from __future__ import annotations

import math
import os
import pathlib
import random
import re
import shutil
import subprocess
import tempfile
import time

import numpy as np
import pandas as pd
import pytest

import wegwijzer
from conftest import SOURCE_DIR, read_rows, run_cli

SHARED = pathlib.Path(os.environ.get("WEGWIJZER_SHARED_DATA", SOURCE_DIR.parent / "shared" / "data"))
MUNICIPALITIES = SHARED / "municipalities" / "gemeenten_2023_wgs84.geojson"
POSTCODES = SHARED / "pc4" / "pc4_centroids.csv"
R = 6_371_008.8


def haversine(lat1, lon1, lat2, lon2):
    """The contract's formula, written out with NumPy."""
    p = math.pi / 180
    a = (np.sin((lat2 - lat1) * p / 2) ** 2
         + np.cos(lat1 * p) * np.cos(lat2 * p) * np.sin((lon2 - lon1) * p / 2) ** 2)
    return 2 * R * np.arcsin(np.sqrt(np.minimum(1, a)))


def write(path: pathlib.Path, header: str, rows) -> None:
    path.write_text(header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows))


def make_instance(tmp_path: pathlib.Path, seed: int, rows: int, candidates: int):
    """Demand within a 30 km square that only a phone line serves; candidates offer
    every topic in person only, so a candidate reaches a row exactly when it lies
    within the row's max_km (no remote mode of the candidate can be cheaper)."""
    rng = random.Random(seed)
    lat0, lon0 = 52.0, 5.0
    demand = []
    for i in range(rows):
        demand.append((f"d{i:03d}", round(lat0 + rng.uniform(0, 0.27), 6),
                       round(lon0 + rng.uniform(0, 0.44), 6), rng.choice(["digid", "benefits"]),
                       rng.choice([2, 3, 5]), rng.randint(0, 9)))
    cands = []
    for c in range(candidates):
        cands.append((f"c{rng.randint(0, 99):02d}x{c}", round(lat0 + rng.uniform(0, 0.27), 6),
                      round(lon0 + rng.uniform(0, 0.44), 6)))
    write(tmp_path / "providers.csv", "id,kind,topics,modes", [("line", "phone", "digid;benefits", "phone")])
    write(tmp_path / "demand.csv", "id,lat,lon,topics,max_km,count", demand)
    write(tmp_path / "candidates.csv", "id,kind,lat,lon,topics,modes,capacity",
          [(cid, "ido", la, lo, "digid;benefits", "in_person", 10) for cid, la, lo in cands])
    d = np.array([[r[1], r[2]] for r in demand])
    c = np.array([[x[1], x[2]] for x in cands])
    dist = haversine(d[:, None, 0], d[:, None, 1], c[None, :, 0], c[None, :, 1])
    max_m = np.array([r[4] for r in demand])[:, None] * 1000.0
    reach = dist <= max_m                      # rows x candidates
    weights = np.array([r[5] for r in demand])
    return [x[0] for x in cands], reach, weights


def exact_best(reach: np.ndarray, weights: np.ndarray, n: int) -> int:
    """Maximal covering as a MILP: max w.y, y_j <= sum_c reach[j,c] x_c, sum x <= n."""
    from scipy.optimize import Bounds, LinearConstraint, milp
    rows, cands = reach.shape
    cost = np.concatenate([np.zeros(cands), -weights.astype(float)])
    cover = np.hstack([-reach.astype(float), np.eye(rows)])           # y_j - sum x <= 0
    budget = np.concatenate([np.ones(cands), np.zeros(rows)])[None, :]
    res = milp(cost, constraints=[LinearConstraint(cover, -np.inf, 0),
                                  LinearConstraint(budget, 0, n)],
               integrality=np.ones(cands + rows), bounds=Bounds(0, 1))
    assert res.success, res.message
    return int(round(-res.fun))


def plain_greedy(ids, reach, weights, n):
    """The rule of issue 11 written out: largest gain, ties by id in byte order, stop at 0."""
    reached = np.zeros(len(weights), dtype=bool)
    picks = []
    for _ in range(n):
        gains = [(int(weights[reach[:, c] & ~reached].sum()), ids[c].encode(), c)
                 for c in range(len(ids))]
        top = max(g[0] for g in gains)
        best = min((g for g in gains if g[0] == top), key=lambda g: g[1])  # smallest id
        if best[0] == 0:
            break
        reached |= reach[:, best[2]]
        picks.append((ids[best[2]], best[0]))
    return picks


@pytest.mark.parametrize("seed", range(1, 13))
def test_greedy_against_milp_optimum(tmp_path, seed):
    pytest.importorskip("scipy")
    ids, reach, weights = make_instance(tmp_path, seed, rows=60, candidates=14)
    n = 1 + seed % 4
    result = wegwijzer.analyze_coverage(str(tmp_path / "providers.csv"), str(tmp_path / "demand.csv"),
                                        candidates=str(tmp_path / "candidates.csv"), add=n)
    assert all(r["class"] == "remote" for r in result.coverage)
    picks = [(s["candidate_id"], s["gain"]) for s in result.sites]
    assert picks == plain_greedy(ids, reach, weights, n)
    best = exact_best(reach, weights, n)
    gain = result.summary["sites_gain"]
    assert gain >= (1 - 1 / math.e) * best
    assert result.sites_bound >= best
    assert result.sites_bound <= result.summary["sites_simple_bound"]
    assert result.sites_guarantee == pytest.approx(gain / result.sites_bound if result.sites_bound else 1)
    # covered_after counts from 0 (nothing is served physically before)
    assert [s["covered_after"] for s in result.sites] == list(np.cumsum([g for _, g in picks]))


def test_choose_sites_from_sets_against_milp():
    pytest.importorskip("scipy")
    rng = np.random.default_rng(5)
    for trial in range(20):
        rows, cands, n = int(rng.integers(5, 40)), int(rng.integers(2, 15)), int(rng.integers(1, 5))
        reach = rng.random((rows, cands)) < 0.2
        weights = rng.integers(0, 10, rows)
        sets = [list(np.flatnonzero(reach[:, c])) for c in range(cands)]
        out = wegwijzer.choose_sites_from_sets(sets, weights.tolist(), add=n)
        best = exact_best(reach, weights, n)
        assert out["bound"] >= best
        assert out["gain"] >= (1 - 1 / math.e) * best
    with pytest.raises(ValueError, match="permutation"):
        wegwijzer.choose_sites_from_sets([[0], [0]], [1], id_order=[0, 0])
    with pytest.raises(ValueError, match="out of range"):
        wegwijzer.choose_sites_from_sets([[3]], [1])


def test_records_for_pandas_and_cli_agreement(tmp_path, cli):
    make_instance(tmp_path, 3, rows=40, candidates=8)
    result = wegwijzer.analyze_coverage(str(tmp_path / "providers.csv"), str(tmp_path / "demand.csv"),
                                        candidates=str(tmp_path / "candidates.csv"), add=3)
    frames = {name: pd.DataFrame(getattr(result, name)) for name in ("coverage", "matched", "areas", "sites")}
    assert list(frames["coverage"].columns) == ["demand_id", "count", "class", "provider_id",
                                                "location_id", "distance_m"]
    assert list(frames["matched"].columns)[:2] == ["demand_id", "count"]
    m = frames["matched"]
    assert (m[["in_person", "home_visit", "remote", "capacity_exhausted", "no_suitable_provider"]]
            .sum(axis=1) == m["count"]).all()
    assert set(frames["areas"]["level"]) == {"municipality", "topic", "language"}
    done = run_cli(cli, "coverage", "--providers", str(tmp_path / "providers.csv"), "--demand",
                   str(tmp_path / "demand.csv"), "--candidates", str(tmp_path / "candidates.csv"),
                   "--add", "3", "--out-dir", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split("objective:")[1].split()[0]) == result.objective
    files = result.files("en")
    for name in ("coverage.csv", "matched.csv", "areas.csv", "sites.csv", "coverage.geojson"):
        assert (tmp_path / "out" / name).read_text() == files[name], name
    rows = read_rows(tmp_path / "out" / "coverage.csv")
    assert [r["demand_id"] for r in rows] == list(frames["coverage"]["demand_id"])
    with pytest.raises(FileNotFoundError):
        wegwijzer.analyze_coverage(str(tmp_path / "nope.csv"), str(tmp_path / "demand.csv"))
    (tmp_path / "bad.csv").write_text("id,lat,lon,topics,count\nx,52,5,digid,-1\n")
    with pytest.raises(ValueError, match=r"bad.csv:2: bad row: count: '-1' is negative"):
        wegwijzer.analyze_coverage(str(tmp_path / "providers.csv"), str(tmp_path / "bad.csv"))
    with pytest.raises(ValueError, match="add needs candidates"):
        wegwijzer.analyze_coverage(str(tmp_path / "providers.csv"), str(tmp_path / "demand.csv"), add=2)


# --- the report on the real map, in headless Chromium.

def national_files(folder: pathlib.Path) -> None:
    """Providers, demand and candidates on the real map from the PC4 table: a desk and a
    library at each municipality's most populous PC4, home-visiting volunteers in one
    PC4 of 12, demand per PC4 x 4 topics by residents, 500 candidate sites."""
    table = pd.read_csv(POSTCODES)
    table = table[table["gm_code_2023"].notna() & table["inwoners_2021"].notna()]
    rng = random.Random(11)
    providers = []
    for gm, group in table.groupby("gm_code_2023"):
        top = group.sort_values("inwoners_2021", ascending=False).iloc[0]
        providers.append((f"desk-{gm}", "municipal", top.lat, top.lon, "digid;permits;benefits",
                          "in_person", "", 200, gm))
        providers.append((f"lib-{gm}", "library", top.lat, top.lon, "digid;basics;banking;health",
                          "in_person", "", 300, ""))
    for _, row in table.iterrows():
        if rng.random() < 1 / 12:
            providers.append((f"vol-{row.pc4}", "volunteer", row.lat, row.lon, "digid;banking;basics",
                              "home_visit", 5, 10, ""))
    providers.append(("digihulplijn", "phone", "", "", "digid;benefits;taxes;banking;health;basics",
                      "phone;video", "", "", ""))
    write(folder / "providers.csv", "id,kind,lat,lon,topics,modes,radius_km,capacity,municipality",
          providers)
    demand = []
    for _, row in table.iterrows():
        for topic, rate in (("digid", 2.0), ("benefits", 1.5), ("banking", 1.2), ("taxes", 0.8)):
            demand.append((f"{row.pc4}-{topic}", row.pc4, topic, 5, int(round(row.inwoners_2021 / 1000 * rate))))
    write(folder / "demand.csv", "id,postcode,topics,max_km,count", demand)
    picks = table.sample(500, random_state=3)
    write(folder / "candidates.csv", "id,kind,lat,lon,topics,modes,capacity",
          [(f"ido-{r.pc4}", "ido", r.lat, r.lon, "digid;benefits;banking;taxes", "in_person", 100)
           for _, r in picks.iterrows()])


def chromium(*args: str, profile: str):
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
    start = time.monotonic()
    done = subprocess.run([exe, *flags, *args], capture_output=True, text=True, timeout=120)
    return done, time.monotonic() - start


@pytest.mark.skipif(not (MUNICIPALITIES.exists() and POSTCODES.exists()), reason="no real data")
@pytest.mark.skipif(not (shutil.which("chromium") or shutil.which("chromium-browser")),
                    reason="chromium is not installed (apt-get install chromium)")
def test_report_renders_in_chromium(tmp_path, cli):
    national_files(tmp_path)
    out = tmp_path / "out"
    done = run_cli(cli, "coverage", "--providers", str(tmp_path / "providers.csv"), "--demand",
                   str(tmp_path / "demand.csv"), "--candidates", str(tmp_path / "candidates.csv"),
                   "--add", "25", "--municipalities", str(MUNICIPALITIES), "--postcodes",
                   str(POSTCODES), "--lang", "nl", "--out-dir", str(out))
    assert done.returncode == 0, done.stderr
    report = out / "report.html"
    size = report.stat().st_size
    assert size < 5 * 1024 * 1024, size
    profile = tempfile.mkdtemp(prefix="wegwijzer-chromium-")
    try:
        (tmp_path / "blank.html").write_text("<!DOCTYPE html><title>blank</title>")
        blank, blank_s = chromium("--dump-dom", (tmp_path / "blank.html").as_uri(), profile=profile)
        dom, dom_s = chromium("--dump-dom", report.as_uri(), profile=profile)
        shot, _ = chromium("--window-size=1300,2000", f"--screenshot={tmp_path / 'report.png'}",
                           report.as_uri(), profile=profile)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line or "Uncaught" in line]
    assert not console, console
    # The map is not empty: one shaded path per municipality, help points, sites.
    shaded = re.findall(r'<path class="m" fill-rule="evenodd" fill="(#[0-9a-f]{6})"', dom.stdout)
    assert len(shaded) == 342
    assert len(set(shaded)) >= 2  # more than one shade
    assert 'id="providers" d="M' in dom.stdout
    assert dom.stdout.count("<circle") > 25
    assert "Digitale hulp binnen bereik" in dom.stdout
    assert (tmp_path / "report.png").stat().st_size > 50_000
    # Opening and rendering the report, beyond starting Chromium on a blank page.
    print(f"report {size} bytes; chromium --dump-dom {dom_s:.2f} s, blank page {blank_s:.2f} s")
    assert dom_s - blank_s < 2.0
    keep = os.environ.get("WEGWIJZER_COVERAGE_SCREENSHOT")
    if keep:
        shutil.copy(tmp_path / "report.png", keep)
        shutil.copy(report, pathlib.Path(keep).with_suffix(".html"))
