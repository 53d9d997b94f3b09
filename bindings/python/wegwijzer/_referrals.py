"""The referral lifecycle from Python: a durable store of what happened to each referral."""
from __future__ import annotations

import datetime as _dt
import os
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._directory import Directory, _one_request
from ._requests import Request

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)
Time = Optional[_dt.datetime]


def _ms(at: Time) -> Optional[int]:
    if at is None:
        return None
    if at.tzinfo is None:
        raise ValueError("give an aware datetime (e.g. tzinfo=datetime.timezone.utc)")
    return (at - _EPOCH) // _dt.timedelta(milliseconds=1)


def _time(ms: int) -> _dt.datetime:
    return _EPOCH + _dt.timedelta(milliseconds=ms)


def _event(e: Dict[str, Any]) -> Dict[str, Any]:
    e["at"] = _time(e.pop("at_ms"))
    return e


def _record(r: Dict[str, Any]) -> Dict[str, Any]:
    r["created"] = _time(r.pop("created_ms"))
    r["updated"] = _time(r.pop("updated_ms"))
    r["history"] = [_event(e) for e in r["history"]]
    return r


def _now_ms(now: Time) -> int:
    ms = _ms(now)
    return ms if ms is not None else _ms(_dt.datetime.now(_dt.timezone.utc))  # type: ignore


class ReferralStore:
    """The referral lifecycle on a SQLite file or a PostgreSQL database (the
    library's ReferralStore; ``path`` starting ``postgresql://`` or ``postgres://``
    is a libpq URI, anything else a file).

    Statuses are FHIR Task codes (``requested``, ``accepted``, ``rejected``,
    ``in-progress``, ``on-hold``, ``completed``, ``failed``, ``cancelled``,
    ``entered-in-error``); actors ``desk`` or ``provider``; a reason code is required
    for rejected, cancelled, on-hold and failed. A refused transition raises
    ValueError naming from, to and actor; a full provider CapacityExhaustedError.
    Every call is one durable transaction with the GIL released; several threads and
    processes may use one file or database.

    >>> store = wegwijzer.ReferralStore("referrals.db")
    >>> store.set_capacities(directory)
    >>> r = store.refer(directory, 52.51, 6.09, topics=["digid"], desk="desk-1")
    >>> store.update(r["referral_id"], "rejected", "provider", reason="no-capacity")
    >>> nxt = store.refer_next(directory, r["referral_id"])
    >>> pandas.DataFrame(store.outcomes())
    """

    __slots__ = ("path", "_core")

    def __init__(self, path: Union[str, os.PathLike], *, expire_after_days: float = 0,
                 durable: bool = True) -> None:
        self.path = os.fspath(path)
        self._core = _core.ReferralStore(self.path, float(expire_after_days), bool(durable))

    def set_capacity(self, provider_id: str, capacity: Optional[int],
                     period: str = "referral") -> None:
        """Records a provider's capacity (None: unlimited) and what it counts:
        ``"referral"`` active referrals at once, or referrals requested per
        ``"day"``, ``"week"`` (ISO) or ``"month"`` (UTC)."""
        self._core.set_capacity(provider_id, capacity, period)

    def set_capacities(self, directory: Directory) -> None:
        """Records every provider's capacity from ``directory``."""
        self._core.set_capacities(directory._core)

    def refer(self, directory: Directory, lat: Union[float, Request],
              lon: Optional[float] = None, *, desk: str, topics: Any = None,
              languages: Any = None, modes: Any = None, access: Any = None,
              max_km: Optional[float] = None, municipality: Optional[str] = None,
              id: str = "request", at: Time = None) -> Dict[str, Any]:
        """Routes one request and refers it to the best provider with room in the store."""
        batch = _one_request(lat, lon, topics=topics, languages=languages, modes=modes,
                             access=access, max_km=max_km, municipality=municipality, id=id)
        return _record(self._core.refer(directory._core, batch._batch, desk, _ms(at)))

    def refer_next(self, directory: Directory, referral_id: str, *,
                   at: Time = None) -> Dict[str, Any]:
        """After a rejection for no-capacity or not-eligible: the next referral.

        LookupError when no other provider suits; CapacityExhaustedError when all are full.
        """
        return _record(self._core.refer_next(directory._core, referral_id, _ms(at)))

    def update(self, referral_id: str, status: str, actor: str, *, reason: str = "",
               note: str = "", actor_id: str = "", at: Time = None) -> Dict[str, Any]:
        """Applies one transition; returns its event."""
        return _event(self._core.update(referral_id, status, actor, reason, note, actor_id,
                                        _ms(at)))

    def get(self, referral_id: str) -> Dict[str, Any]:
        """A referral with its history (LookupError when unknown)."""
        return _record(self._core.get(referral_id))

    def open_of_provider(self, provider_id: str) -> List[Dict[str, Any]]:
        return [_record(r) for r in self._core.open_of_provider(provider_id)]

    def open_of_desk(self, desk_id: str) -> List[Dict[str, Any]]:
        return [_record(r) for r in self._core.open_of_desk(desk_id)]

    def overdue(self, days: float, *, now: Time = None) -> List[Dict[str, Any]]:
        """Requested referrals unanswered for at least ``days``."""
        return [_record(r) for r in self._core.overdue(_now_ms(now), float(days))]

    def expire_overdue(self, *, now: Time = None) -> int:
        """Cancels (reason expired) requests older than ``expire_after_days``; how many."""
        return int(self._core.expire_overdue(_now_ms(now)))

    def active_count(self, provider_id: str) -> int:
        return int(self._core.active_count(provider_id))

    def events(self, after: int = 0, limit: int = 1 << 62) -> List[Dict[str, Any]]:
        """The log from sequence ``after + 1``."""
        return [_event(e) for e in self._core.events(after, limit)]

    def outcomes(self) -> List[Dict[str, Any]]:
        """Outcomes per provider, topic, postcode area and month: records for pandas."""
        return list(self._core.outcomes())

    def outcomes_csv(self) -> str:
        return str(self._core.outcomes_csv())

    def verify(self) -> None:
        """Folds the log and checks it against the kept state (OSError on a difference)."""
        self._core.verify()

    def __repr__(self) -> str:
        return f"<ReferralStore {self.path!r}>"
