"""The capacity ledger from Python: reservations never over-book, also across threads."""
from __future__ import annotations

import threading

import pytest

import wegwijzer
from conftest import FIXTURES


@pytest.fixture()
def small():
    folder = FIXTURES / "match_small"
    directory = wegwijzer.Directory.from_csv(folder / "providers.csv")
    return directory, wegwijzer.CapacityLedger(directory)


def test_reserve_and_release(small):
    directory, ledger = small
    full = next(p for p in directory if p.capacity == 0)
    with pytest.raises(wegwijzer.CapacityExhaustedError, match="is full"):
        ledger.reserve(full.id)
    limited = next(p for p in directory if p.capacity)
    taken = [ledger.reserve(limited.id) for _ in range(limited.capacity)]
    assert ledger.reserved(limited.id) == limited.capacity and ledger.remaining(limited.id) == 0
    with pytest.raises(wegwijzer.CapacityExhaustedError):
        ledger.reserve(limited.index)
    ledger.release(taken[0])
    assert ledger.remaining(limited.id) == 1
    with pytest.raises(LookupError, match="unknown or already released"):
        ledger.release(taken[0])
    unlimited = next(p for p in directory if p.capacity is None)
    assert ledger.remaining(unlimited.id) is None
    with pytest.raises(IndexError):
        ledger.reserved(len(directory))
    with pytest.raises(KeyError):
        ledger.reserve("nobody")


def test_route_and_reserve_moves_on_when_full(small):
    directory, ledger = small
    near = directory.provider("near")
    first = ledger.route_and_reserve(52.0, 5.0, topics="digid")
    assert first.referral.provider_id == "near" and first.reservation.provider_id == "near"
    for _ in range(near.capacity - 1):
        ledger.reserve("near")
    second = ledger.route_and_reserve(52.0, 5.0, topics="digid")
    assert second.referral.provider_id != "near"
    with pytest.raises(LookupError, match="no suitable provider"):
        ledger.route_and_reserve(52.0, 5.0, topics="pension")
    taxes = [p for p in directory if "taxes" in p.topics]
    for p in taxes:
        for _ in range(p.capacity or 0):
            ledger.reserve(p.id)
    with pytest.raises(wegwijzer.CapacityExhaustedError, match="suitable providers are full"):
        ledger.route_and_reserve(52.0, 5.0, topics="taxes")


def test_threads_never_over_book():
    directory, batch = wegwijzer.generate_scenario(seed=8, providers=200, requests=4000)
    ledger = wegwijzer.CapacityLedger(directory)
    bookings, refused = [], []

    def desk(rows):
        for request in rows:
            try:
                bookings.append(ledger.route_and_reserve(request))
            except (wegwijzer.CapacityExhaustedError, LookupError):
                refused.append(request.id)

    requests = list(batch)
    threads = [threading.Thread(target=desk, args=(requests[i::4],)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(bookings) + len(refused) == len(requests)
    counts = {}
    for b in bookings:
        counts[b.reservation.provider_index] = counts.get(b.reservation.provider_index, 0) + 1
    for index, count in counts.items():
        capacity = directory.provider(index).capacity
        assert capacity is None or count <= capacity
        assert ledger.reserved(index) == count
