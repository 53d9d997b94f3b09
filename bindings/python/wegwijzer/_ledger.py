"""The capacity ledger: live bookkeeping of provider capacity, one referral at a time."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional, Union

from . import _core
from ._directory import Directory, _one_request, _referral
from ._requests import Request
from ._results import Referral


@dataclass(frozen=True)
class Reservation:
    """A held slot at a provider; give it back with ``CapacityLedger.release``."""

    provider_id: str
    ticket: int
    provider_index: int = field(repr=False)


@dataclass(frozen=True)
class Booking:
    """A referral together with the slot reserved for it."""

    referral: Referral
    reservation: Reservation


class CapacityLedger:
    """Live capacity bookkeeping for desk workers who refer one resident at a time.

    ``route_and_reserve`` routes a request and reserves a slot at the best referral
    that still has room; ``release`` gives a slot back (a cancelled referral). It
    never over-books, also with many threads at once: thread-safe. Starts empty
    (every provider at its full capacity from the directory); unlimited providers
    always accept, capacity 0 never does.

    >>> ledger = wegwijzer.CapacityLedger(directory)
    >>> booking = ledger.route_and_reserve(52.51, 6.09, topics=["digid"])
    >>> ledger.release(booking.reservation)
    """

    __slots__ = ("directory", "_core")

    def __init__(self, directory: Directory) -> None:
        self.directory = directory
        self._core = _core.CapacityLedger(directory._core)

    def reserve(self, provider: Union[int, str]) -> Reservation:
        """One slot at ``provider`` (index or id). CapacityExhaustedError when it is full."""
        index, ticket = self._core.reserve(self.directory._index(provider))
        return Reservation(self.directory.provider_ids[index], int(ticket), int(index))

    def release(self, reservation: Reservation) -> None:
        """Gives the slot back. LookupError when it is unknown or was released already."""
        self._core.release(reservation.provider_index, reservation.ticket)

    def reserved(self, provider: Union[int, str]) -> int:
        """Slots taken at ``provider`` (index or id)."""
        return int(self._core.reserved(self.directory._index(provider)))

    def remaining(self, provider: Union[int, str]) -> Optional[int]:
        """Slots left at ``provider``; None when its capacity is unlimited."""
        remaining = self._core.remaining(self.directory._index(provider))
        return None if remaining is None else int(remaining)

    def route_and_reserve(self, lat: Union[float, Request], lon: Optional[float] = None, *,
                          topics: Any = None, languages: Any = None, modes: Any = None,
                          access: Any = None, max_km: Optional[float] = None,
                          municipality: Optional[str] = None, id: str = "request") -> Booking:
        """Routes one request (as ``Directory.route``) and reserves at the best referral
        with room, trying referrals in route order.

        Raises CapacityExhaustedError when every suitable provider is full,
        LookupError when nothing suits at all, ValueError for an invalid request.
        """
        batch = _one_request(lat, lon, topics=topics, languages=languages, modes=modes,
                             access=access, max_km=max_km, municipality=municipality, id=id)
        referral, index, ticket = self._core.route_and_reserve(batch._batch)
        return Booking(_referral(1, referral),
                       Reservation(self.directory.provider_ids[index], int(ticket), int(index)))

    def __repr__(self) -> str:
        return f"<CapacityLedger over {self.directory!r}>"
