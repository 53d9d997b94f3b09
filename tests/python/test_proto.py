"""Protobuf interop: messages cross as serialized bytes; wegwijzer.proto has the classes."""
from __future__ import annotations

import numpy as np
import pytest

import wegwijzer
from conftest import DATA, FIXTURES

proto = pytest.importorskip("wegwijzer.proto", reason="needs python3-protobuf")


def test_directory_round_trip_through_bytes_and_messages():
    directory = wegwijzer.Directory.from_csv(DATA / "providers.csv")
    data = directory.to_proto()
    assert isinstance(data, bytes)
    snapshot = proto.DirectorySnapshot.FromString(data)
    assert [p.id for p in snapshot.providers] == list(directory.provider_ids)
    assert snapshot.source.endswith("providers.csv")
    for again in (wegwijzer.Directory.from_proto(data), wegwijzer.Directory.from_proto(snapshot)):
        assert again.to_proto() == data
        assert list(again) == list(directory)


def test_directory_built_in_python():
    snapshot = proto.DirectorySnapshot(source="built in a notebook")
    desk = snapshot.providers.add(id="desk", name="Loket", kind=proto.ProviderKind.PROVIDER_KIND_MUNICIPAL,
                                  topics=[proto.Topic.TOPIC_DIGID], modes=[proto.Mode.MODE_IN_PERSON],
                                  capacity=2)
    desk.locations.add(id="desk", position=proto.LatLng(lat_deg=52.0, lon_deg=5.0))
    desk.locations.add(id="annex", position=proto.LatLng(lat_deg=52.01, lon_deg=5.0))
    line = snapshot.providers.add(id="line", kind=proto.ProviderKind.PROVIDER_KIND_PHONE,
                                  topics=[proto.Topic.TOPIC_DIGID], modes=[proto.Mode.MODE_PHONE])
    line.languages.extend(["nl", "en"])
    directory = wegwijzer.Directory.from_proto(snapshot)
    assert repr(directory) == "<Directory 'built in a notebook': 2 providers>"
    result = directory.route(52.011, 5.0, topics=["digid"], k=5)
    assert [(r.provider_id, r.location_id, r.mode) for r in result] == [
        ("desk", "annex", "in_person"), ("desk", "desk", "in_person"), ("line", None, "phone")]
    provider = directory.provider("desk")
    assert provider.capacity == 2 and [l.id for l in provider.locations] == ["desk", "annex"]
    table = directory.route_many([52.011], [5.0], topics="digid")
    assert table.location[0].tolist() == [1, 0, -1, -1, -1][:table.shape[1]]


def test_request_batch_round_trip():
    _, batch = wegwijzer.generate_scenario(seed=2, providers=10, requests=500)
    data = batch.to_proto()
    message = proto.RequestBatch.FromString(data)
    assert len(message.requests) == 500 and message.requests[0].id == batch[0].id
    for again in (wegwijzer.RequestBatch.from_proto(data), wegwijzer.RequestBatch.from_proto(message)):
        assert again.to_proto() == data
        a, b = again.columns(codes=False), batch.columns(codes=False)
        for name in a:
            np.testing.assert_array_equal(np.asarray(a[name]), np.asarray(b[name]))


def test_route_result_and_plan_to_proto():
    folder = FIXTURES / "match_small"
    directory = wegwijzer.Directory.from_csv(folder / "providers.csv")
    batch = wegwijzer.RequestBatch.from_csv(folder / "requests.csv")
    result = directory.route(batch[0], k=2)
    message = proto.RouteResult.FromString(result.to_proto())
    assert message.request_id == batch[0].id
    assert [r.provider_id for r in message.referrals] == [r.provider_id for r in result]
    assert [list(r.reasons) for r in message.referrals] == [list(r.reasons) for r in result]
    plan = directory.match(batch)
    message = proto.MatchPlan.FromString(plan.to_proto())
    assert message.objective == plan.objective == 3_025_222
    assert [line.request_id for line in message.lines] == batch.ids
    assert [line.cost_m for line in message.lines] == plan.cost_m.tolist()
    reasons = {line.request_id: line.reason for line in message.lines}
    assert reasons["x"] == proto.UnassignedReason.UNASSIGNED_REASON_NO_SUITABLE_PROVIDER
