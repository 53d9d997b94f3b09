"""The referral store from Python: refer, reject, the next referral, the report as
records for pandas, errors as exceptions, and the GIL released around store calls."""
from __future__ import annotations

import datetime as dt
import sqlite3
import threading
import time

import pytest

import wegwijzer

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@pytest.fixture()
def directory(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("id,kind,lat,lon,topics,capacity\n"
                    "near,ido,52.001,5,benefits,1\n"
                    "mid,ido,52.01,5,benefits,3\n")
    return wegwijzer.Directory.from_csv(path)


@pytest.fixture()
def store(tmp_path, directory):
    s = wegwijzer.ReferralStore(tmp_path / "s.db", expire_after_days=14)
    s.set_capacities(directory)
    return s


def test_refer_reject_next_and_report(store, directory):
    first = store.refer(directory, 52.0, 5.0, topics=["benefits"], desk="desk-1", id="res-1",
                        at=T0)
    assert first["provider_id"] == "near" and first["status"] == "requested"
    assert first["created"] == T0
    assert store.active_count("near") == 1
    with pytest.raises(ValueError, match="requested -> accepted by desk refused"):
        store.update(first["referral_id"], "accepted", "desk")
    with pytest.raises(ValueError, match="a reason code is required"):
        store.update(first["referral_id"], "rejected", "provider")
    event = store.update(first["referral_id"], "rejected", "provider", reason="no-capacity",
                         note="vol", at=T0 + dt.timedelta(days=1))
    assert event["from_status"] == "requested" and event["to_status"] == "rejected"
    assert event["at"] == T0 + dt.timedelta(days=1)
    nxt = store.refer_next(directory, first["referral_id"], at=T0 + dt.timedelta(days=1))
    assert nxt["provider_id"] == "mid" and nxt["previous_id"] == first["referral_id"]
    for status in ("accepted", "in-progress", "completed"):
        store.update(nxt["referral_id"], status, "provider", at=T0 + dt.timedelta(days=2))
    got = store.get(nxt["referral_id"])
    assert [e["to_status"] for e in got["history"]] == [
        "requested", "accepted", "in-progress", "completed"]
    assert store.open_of_provider("mid") == []
    rows = store.outcomes()
    by_provider = {r["provider_id"]: r for r in rows}
    assert by_provider["near"]["rejected_no_capacity"] == 1
    assert by_provider["mid"]["completed"] == 1
    assert by_provider["mid"]["mean_days_to_answer"] == pytest.approx(1.0)
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(rows)
    assert list(frame["referrals"]) == [1, 1]
    assert store.outcomes_csv().startswith("provider_id,topic,postcode_area,month,")
    store.verify()


def test_capacity_expiry_and_errors(store, directory, tmp_path):
    store.refer(directory, 52.0, 5.0, topics="benefits", desk="d", id="a", at=T0)
    with pytest.raises(ValueError, match="more than the new capacity 0"):
        store.set_capacity("near", 0)
    with pytest.raises(wegwijzer.CapacityExhaustedError, match="every suitable provider is full"):
        store.refer(directory, 52.0, 5.0, topics="benefits", desk="d", id="b", at=T0,
                    max_km=1.0)  # only `near` is within 1 km, and it is full
    assert [r["request_id"] for r in store.overdue(7, now=T0 + dt.timedelta(days=8))] == ["a"]
    assert store.expire_overdue(now=T0 + dt.timedelta(days=15)) == 1
    assert store.active_count("near") == 0
    with pytest.raises(LookupError, match="no referral nope"):
        store.get("nope")
    with pytest.raises(ValueError, match="unknown referral status"):
        store.update("r1", "done", "desk")
    with pytest.raises(ValueError, match="actor is 'desk' or 'provider'"):
        store.update("r1", "cancelled", "system", reason="expired")
    with pytest.raises(ValueError, match="aware datetime"):
        store.update("r1", "entered-in-error", "desk", at=dt.datetime(2026, 1, 1))
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"x" * 4096)
    with pytest.raises(OSError, match="not a SQLite database"):
        wegwijzer.ReferralStore(garbage)


def test_store_calls_release_the_gil(store, directory, tmp_path):
    made = store.refer(directory, 52.0, 5.0, topics="benefits", desk="d", id="a", at=T0)
    # Another connection holds the write lock for a while; the store's call waits for
    # it. With the GIL released, this thread keeps running meanwhile.
    blocker = sqlite3.connect(store.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    done = []

    def update():
        store.update(made["referral_id"], "accepted", "provider")
        done.append(time.perf_counter())

    thread = threading.Thread(target=update)
    start = time.perf_counter()
    thread.start()
    ticks = 0
    while time.perf_counter() - start < 0.5:
        ticks += 1
    blocker.execute("COMMIT")
    blocker.close()
    thread.join()
    assert done and done[0] - start >= 0.5  # it did wait for the lock
    assert ticks > 10000  # and Python ran all the while
    assert store.get(made["referral_id"])["status"] == "accepted"


def test_capacity_per_week(store, directory):
    # T0 is a Tuesday: a day later is the same ISO week, a week later the next one.
    store.set_capacity("near", 1, period="week")
    near = dict(topics="benefits", desk="d", max_km=1.0)  # only `near` is within 1 km
    assert store.refer(directory, 52.0, 5.0, id="a", at=T0, **near)["provider_id"] == "near"
    store.update("r1", "accepted", "provider", at=T0)
    store.update("r1", "in-progress", "provider", at=T0)
    store.update("r1", "completed", "provider", at=T0)  # completion gives no slot back
    with pytest.raises(wegwijzer.CapacityExhaustedError):
        store.refer(directory, 52.0, 5.0, id="b", at=T0 + dt.timedelta(days=1), **near)
    later = store.refer(directory, 52.0, 5.0, id="c", at=T0 + dt.timedelta(days=7), **near)
    assert later["provider_id"] == "near"
    with pytest.raises(ValueError, match="unknown capacity period 'fortnight'"):
        store.set_capacity("near", 1, period="fortnight")
    store.verify()
