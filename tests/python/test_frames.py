"""pandas in, pandas out: DataFrames as requests, plans and referrals as DataFrames."""
from __future__ import annotations

import numpy as np
import pytest

import wegwijzer
from conftest import FIXTURES

pd = pytest.importorskip("pandas")


@pytest.fixture(scope="module")
def fixture():
    folder = FIXTURES / "route_small"
    return (wegwijzer.Directory.from_csv(folder / "providers.csv"),
            pd.read_csv(folder / "requests.csv", dtype={"id": str, "municipality": str}),
            wegwijzer.RequestBatch.from_csv(folder / "requests.csv"))


def test_a_dataframe_read_by_pandas_routes_like_the_csv_reader(fixture):
    """pandas turns empty cells into NaN; they take the contract's defaults, as in the CSV."""
    directory, frame, batch = fixture
    assert frame["max_km"].isna().any() and frame["languages"].isna().any()
    by_frame = directory.route_many(frame)
    by_batch = directory.route_many(batch)
    np.testing.assert_array_equal(by_frame.provider, by_batch.provider)
    np.testing.assert_array_equal(by_frame.cost_m, by_batch.cost_m)
    plan = directory.match(frame)
    assert plan.objective == directory.match(batch).objective
    assert plan.to_pandas()["request_id"].tolist() == frame["id"].tolist()


def test_series_as_columns(fixture):
    directory, frame, batch = fixture
    table = directory.route_many(frame["lat"], frame["lon"], topics=frame["topics"],
                                 languages=frame["languages"], modes=frame["modes"],
                                 access=frame["access"], max_km=frame["max_km"],
                                 municipality=frame["municipality"], id=frame["id"])
    np.testing.assert_array_equal(table.provider, directory.route_many(batch).provider)


def test_batch_to_pandas_and_back(fixture):
    directory, _, batch = fixture
    frame = batch.to_pandas()
    assert list(frame.columns) == list(wegwijzer._requests.REQUEST_COLUMNS)
    again = wegwijzer.RequestBatch.from_frame(frame)
    assert again.to_proto() == batch.to_proto()
    masks = batch.to_pandas(codes=False)
    assert masks["topics"].dtype == np.uint32
    assert wegwijzer.RequestBatch.from_frame(masks).to_proto() == batch.to_proto()


def test_referral_table_as_dataframe(fixture):
    directory, _, batch = fixture
    table = directory.route_many(batch, k=2)
    frame = table.to_pandas()
    assert list(frame.columns) == ["request_id", "rank", "provider_id", "mode", "cost_m", "distance_m"]
    assert frame.loc[frame["rank"] == 0, "mode"].unique().tolist() == ["no_suitable_provider"]
    pd.testing.assert_frame_equal(pd.DataFrame.from_records(table.to_records()), frame,
                                  check_dtype=False)
    first = frame[frame["request_id"] == "r1"]
    assert first["provider_id"].tolist() == ["bieb-centrum", "gemeente"]


def test_records_and_request_objects(fixture):
    directory, _, batch = fixture
    records = list(batch)
    assert isinstance(records[0], wegwijzer.Request)
    assert wegwijzer.RequestBatch.from_records(records).to_proto() == batch.to_proto()
    as_dicts = [dict(id=r.id, lat=r.lat, lon=r.lon, topics=";".join(r.topics)) for r in records]
    plan = directory.match(as_dicts)
    assert len(plan) == len(records)
