"""The directory from Python: loading, looking up providers, writing back."""
from __future__ import annotations

import pytest

import wegwijzer
from conftest import DATA, FIXTURES


def test_from_csv_and_lookups():
    directory = wegwijzer.Directory.from_csv(DATA / "providers.csv")
    assert len(directory) == 20 and directory.report.rows == 20 and not directory.report.problems
    assert repr(directory).endswith("providers.csv': 20 providers>")
    first = directory.provider(0)
    assert first == directory.provider(first.id) and first.index == 0
    assert first.id in directory and directory.index_of(first.id) == 0
    assert [p.id for p in directory] == list(directory.provider_ids)
    desk = directory.provider("gemeente-loket")
    assert desk.kind == "municipal" and desk.municipalities == ("GM0193",)
    assert desk.capacity == 200 and desk.locations[0].lat == 52.5094
    assert "wheelchair" in desk.access and desk.modes == ("in_person", "phone")


def test_csv_round_trip(tmp_path):
    directory = wegwijzer.Directory.from_csv(FIXTURES / "route_small" / "providers.csv")
    directory.to_csv(tmp_path / "providers.csv")
    again = wegwijzer.Directory.from_csv(tmp_path / "providers.csv")
    assert list(again) == list(directory)
    batch = wegwijzer.RequestBatch.from_csv(FIXTURES / "route_small" / "requests.csv")
    batch.to_csv(tmp_path / "requests.csv")
    assert wegwijzer.RequestBatch.from_csv(tmp_path / "requests.csv").to_proto() == batch.to_proto()


def test_scenarios_are_seeded():
    a = wegwijzer.generate_scenario(seed=9, providers=300, requests=100)
    b = wegwijzer.generate_scenario(seed=9, providers=300, requests=100)
    c = wegwijzer.generate_scenario(seed=10, providers=300, requests=100)
    assert a[0].to_proto() == b[0].to_proto() and a[1].to_proto() == b[1].to_proto()
    assert a[0].to_proto() != c[0].to_proto()


def test_batch_sequence():
    _, batch = wegwijzer.generate_scenario(seed=9, providers=10, requests=100)
    assert len(batch) == 100 and batch[-1].id == batch.ids[-1]
    assert batch[10:20].ids == batch.ids[10:20]
    assert batch.select([3, 1]).ids == [batch.ids[3], batch.ids[1]]
    with pytest.raises(IndexError):
        batch[100]
    assert repr(batch) == "<RequestBatch of 100 requests>"
