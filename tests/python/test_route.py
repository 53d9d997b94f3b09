"""Routing from Python equals the command-line program on the same CSV files."""
from __future__ import annotations

import pathlib
from typing import Dict, List

import numpy as np
import pytest

import wegwijzer
from conftest import read_rows, run_cli


def cli_route(cli: pathlib.Path, providers: pathlib.Path, requests: pathlib.Path,
              out: pathlib.Path, k: int) -> List[Dict[str, str]]:
    done = run_cli(cli, "route", "--providers", str(providers), "--requests", str(requests),
                   "--k", str(k), "--out", str(out))
    assert done.returncode == 0, done.stderr
    return read_rows(out)


def as_route_rows(table: wegwijzer.ReferralTable) -> List[Dict[str, str]]:
    """The long form of a ReferralTable written as route.csv's fields."""
    rows = []
    for r in table.to_records():
        physical = r["mode"] in wegwijzer.PHYSICAL_MODES
        rows.append({"request_id": r["request_id"], "rank": str(r["rank"]),
                     "provider_id": r["provider_id"] or "", "mode": r["mode"],
                     "distance_m": str(r["cost_m"]) if physical else ""})
    return rows


@pytest.mark.parametrize("k", [1, 5, 50])
def test_route_many_equals_cli(cli, csv_case, tmp_path, k):
    providers, requests = csv_case
    expected = cli_route(cli, providers, requests, tmp_path / "route.csv", k)
    directory = wegwijzer.Directory.from_csv(providers)
    batch = wegwijzer.RequestBatch.from_csv(requests)
    table = directory.route_many(batch, k=k)
    assert as_route_rows(table) == expected
    # route.csv written by the binding is the CLI's, byte for byte.
    table.to_csv(tmp_path / "python_route.csv")
    assert (tmp_path / "python_route.csv").read_bytes() == (tmp_path / "route.csv").read_bytes()


def test_route_one_by_one_equals_cli(cli, csv_case, tmp_path):
    providers, requests = csv_case
    expected = cli_route(cli, providers, requests, tmp_path / "route.csv", 5)
    directory = wegwijzer.Directory.from_csv(providers)
    got = []
    for request in list(wegwijzer.RequestBatch.from_csv(requests))[:400]:
        result = directory.route(request, k=5)
        if not result:
            got.append({"request_id": request.id, "rank": "0", "provider_id": "",
                        "mode": "no_suitable_provider", "distance_m": ""})
            assert result.no_suitable_provider  # explained by default
        for r in result:
            got.append({"request_id": request.id, "rank": str(r.rank), "provider_id": r.provider_id,
                        "mode": r.mode, "distance_m": "" if r.is_remote else str(r.cost_m)})
    ids = {row["request_id"] for row in got}
    assert got == [row for row in expected if row["request_id"] in ids]


def test_route_many_from_columns_equals_batch(scenario_csv):
    """The NumPy column path (strings per row, and bit masks) gives the batch's answer."""
    providers, requests = scenario_csv
    directory = wegwijzer.Directory.from_csv(providers)
    batch = wegwijzer.RequestBatch.from_csv(requests)
    expected = directory.route_many(batch)
    text = batch.columns(codes=True)
    by_text = directory.route_many(
        np.asarray(text["lat"]), np.asarray(text["lon"]), topics=np.array(text["topics"], dtype=object),
        languages=np.array(text["languages"], dtype=object), modes=text["modes"],
        access=text["access"], max_km=text["max_km"], municipality=text["municipality"],
        id=text["id"])
    masks = batch.columns(codes=False)
    by_masks = directory.route_many(
        masks["lat"], masks["lon"], topics=masks["topics"], languages=masks["languages"],
        modes=masks["modes"], access=masks["access"], max_km=masks["max_km"],
        municipality=masks["municipality"], id=masks["id"])
    for table in (by_text, by_masks):
        for name in ("provider", "location", "mode", "cost_m"):
            np.testing.assert_array_equal(getattr(table, name), getattr(expected, name))
        np.testing.assert_array_equal(table.distance_m, expected.distance_m)


def test_route_many_does_not_depend_on_threads():
    directory, batch = wegwijzer.generate_scenario(seed=11, providers=3000, requests=20000)
    one = directory.route_many(batch, threads=1, k=7)
    two = directory.route_many(batch, threads=2, k=7)
    many = directory.route_many(batch, threads=5, k=7)
    for table in (two, many):
        np.testing.assert_array_equal(table.provider, one.provider)
        np.testing.assert_array_equal(table.cost_m, one.cost_m)


def test_route_many_arrays_and_views():
    directory = wegwijzer.Directory.from_csv(pathlib.Path(__file__).parents[1] / "fixtures" /
                                             "route_small" / "providers.csv")
    table = directory.route_many([52.5120, 52.51], [6.0910, 6.09], topics=["digid", "taxes"],
                                 modes=[None, "in_person"], max_km=[10, 1],
                                 municipality=["GM0193", None], k=3)
    assert table.shape == (2, 3)
    assert table.provider.dtype == np.int32 and table.cost_m.dtype == np.int64
    assert table.provider_ids()[0].tolist() == ["bieb-centrum", "gemeente", "vrijwilliger-ar"]
    assert table.mode_codes()[0].tolist() == ["in_person", "in_person", "home_visit"]
    assert table.rank[0].tolist() == [1, 2, 3]
    assert table.count.tolist() == [3, 0]
    assert table.provider[1].tolist() == [-1, -1, -1]
    assert np.isnan(table.distance_m[1]).all()
    assert "2 requests x 3 referrals; 1 with at least one" in repr(table)
    # Asking for more referrals than exist only widens the table to what can exist.
    assert directory.route_many([52.51], [6.09], topics="digid", k=10**9).shape == (1, 9)
    # explain fills the reasons of requests that nothing suits
    explained = directory.route_many([52.51], [6.09], topics="taxes", modes="in_person",
                                     max_km=1, explain=True)
    assert explained.no_suitable_provider == ["2 providers help with taxes, none within 1 km"]


def test_route_result_reads_well():
    directory = wegwijzer.Directory.from_csv(pathlib.Path(__file__).parents[1] / "fixtures" /
                                             "route_small" / "providers.csv")
    result = directory.route(52.5120, 6.0910, topics=["digid"], municipality="GM0193", k=2)
    assert len(result) == 2 and result[0].provider_id == "bieb-centrum"
    assert result[0] == wegwijzer.Referral(
        rank=1, provider_id="bieb-centrum", mode="in_person", cost_m=18,
        distance_m=result[0].distance_m, location_id="bieb-centrum",
        provider_index=directory.index_of("bieb-centrum"))
    assert repr(result[0]).startswith(
        "Referral(rank=1, provider_id='bieb-centrum', mode='in_person', cost_m=18, distance_m=17.5")
    assert result[0].reasons[0] == "helps with digid"
    assert "bieb-centrum" in repr(result) and "gemeente" in repr(result)
    empty = directory.route(52.51, 6.09, topics="taxes", modes=["in_person"], max_km=1)
    assert not empty and empty.no_suitable_provider
    assert "no_suitable_provider=" in repr(empty)
    quiet = directory.route(52.51, 6.09, topics="taxes", modes=["in_person"], max_km=1,
                            explain=False)
    assert quiet.no_suitable_provider == ""


def test_route_many_empty_inputs():
    directory, _ = wegwijzer.generate_scenario(seed=1, providers=100, requests=0)
    table = directory.route_many(np.zeros(0), np.zeros(0), topics="digid")
    assert table.shape == (0, 5) and table.to_records() == []
    empty_directory, batch = wegwijzer.generate_scenario(seed=1, providers=0, requests=10)
    table = empty_directory.route_many(batch)
    assert (table.provider == -1).all() and table.count.tolist() == [0] * 10
