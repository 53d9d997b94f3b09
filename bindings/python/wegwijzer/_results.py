"""Answers: referrals for one request, a table of them for many, and a match plan."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union, overload

import numpy as np

from . import _core
from ._codes import MODES
from ._requests import RequestBatch

#: Reasons a request is left out of a plan (index = ``MatchPlan.reason`` code).
UNASSIGNED_REASONS: Tuple[Optional[str], ...] = tuple(_core.UNASSIGNED_REASONS)


@dataclass(frozen=True)
class Referral:
    """One provider location that suits a request, and how.

    ``cost_m`` is what the contract orders by: the distance rounded to whole metres
    for physical modes, 25,000 for phone and video. ``distance_m`` is the unrounded
    distance, None for a remote referral.
    """

    rank: int
    provider_id: str
    mode: str
    cost_m: int
    distance_m: Optional[float]
    location_id: Optional[str] = field(default=None, repr=False)
    provider_index: int = field(default=-1, repr=False)
    reasons: Tuple[str, ...] = field(default=(), repr=False, compare=False)

    @property
    def is_remote(self) -> bool:
        return self.mode in ("phone", "video")


class RouteResult(Sequence[Referral]):
    """The k best referrals for one request, best first; empty when nothing suits.

    A sequence of Referral. When it is empty, ``no_suitable_provider`` says which
    constraint removed the last candidates (with ``explain=True``, the default).
    """

    __slots__ = ("request_id", "referrals", "no_suitable_provider", "_replay")

    def __init__(self, request_id: str, referrals: Sequence[Referral], no_suitable_provider: str,
                 _replay: Any = None) -> None:
        self.request_id = request_id
        self.referrals: Tuple[Referral, ...] = tuple(referrals)
        self.no_suitable_provider = no_suitable_provider
        self._replay = _replay

    @overload
    def __getitem__(self, index: int) -> Referral: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[Referral]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Referral, Sequence[Referral]]:
        return self.referrals[index]

    def __len__(self) -> int:
        return len(self.referrals)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, RouteResult):
            return NotImplemented
        return (self.request_id, self.referrals, self.no_suitable_provider) == (
            other.request_id, other.referrals, other.no_suitable_provider)

    __hash__ = None  # type: ignore[assignment]

    def to_proto(self) -> bytes:
        """The answer as a serialized ``wegwijzer.v1.RouteResult`` (with reasons)."""
        directory, batch, k, explain = self._replay
        return bytes(directory.route_proto(batch, k, explain))

    def __repr__(self) -> str:
        if not self.referrals:
            return (f"RouteResult(request_id={self.request_id!r}, referrals=[], "
                    f"no_suitable_provider={self.no_suitable_provider!r})")
        lines = ",\n".join(f"  {r!r}" for r in self.referrals)
        return f"RouteResult(request_id={self.request_id!r}, referrals=[\n{lines}])"


def _codes_array(codes: np.ndarray, vocabulary: Sequence[Optional[str]]) -> np.ndarray:
    """Small integer codes (-1 = none) as an object array of str / None."""
    table = np.array(list(vocabulary) + [None], dtype=object)
    return table[np.where(codes < 0, len(vocabulary), codes)]


def _records(columns: Dict[str, np.ndarray]) -> List[Dict[str, Any]]:
    """Equal-length columns as a list of dicts, one per row, in column order."""
    names = list(columns)
    values = [columns[name].tolist() for name in names]
    return [dict(zip(names, row)) for row in zip(*values)]


class ReferralTable:
    """The k best referrals of many requests, as NumPy arrays of shape (n, k).

    Row i is request i, column j its referral of rank j + 1; a row with fewer
    suitable providers is padded with ``provider == -1``. Arrays:

    * ``provider``: int32 index into the directory (``Directory.provider_ids``), -1 = none
    * ``mode``: int8 index into ``wegwijzer.MODES``, -1 = none
    * ``cost_m``: int64 contract cost (whole metres, 25,000 when remote), 0 = none
    * ``distance_m``: float64 unrounded distance, NaN when remote or none
    * ``location``: int32 index into the provider's locations, -1 when remote or none

    ``rank`` and ``count`` are derived; ``provider_ids()`` and ``mode_codes()`` give
    the strings; ``columns()``/``to_pandas()`` the long form of route.csv.
    """

    def __init__(self, directory: Any, requests: RequestBatch, arrays: Dict[str, Any]) -> None:
        self._directory = directory
        self.requests = requests
        self.provider: np.ndarray = arrays["provider"]
        self.location: np.ndarray = arrays["location"]
        self.mode: np.ndarray = arrays["mode"]
        self.cost_m: np.ndarray = arrays["cost_m"]
        self.distance_m: np.ndarray = arrays["distance_m"]
        #: With ``explain=True``: why nothing suits, per request ("" when something does).
        self.no_suitable_provider: Optional[List[str]] = arrays.get("no_suitable_provider")

    @property
    def shape(self) -> Tuple[int, int]:
        return self.provider.shape  # type: ignore[return-value]

    def __len__(self) -> int:
        return self.provider.shape[0]

    @property
    def count(self) -> np.ndarray:
        """Referrals per request (0 = nothing suits)."""
        return (self.provider >= 0).sum(axis=1)

    @property
    def rank(self) -> np.ndarray:
        """1-based rank of each referral, 0 where there is none."""
        ranks = np.arange(1, self.provider.shape[1] + 1, dtype=np.int32)
        return np.where(self.provider >= 0, ranks, 0)

    def provider_ids(self) -> np.ndarray:
        """Provider ids as an (n, k) object array, None where there is no referral."""
        ids = np.array(self._directory.provider_ids() + [None], dtype=object)
        return ids[np.where(self.provider < 0, len(ids) - 1, self.provider)]

    def mode_codes(self) -> np.ndarray:
        """Mode codes as an (n, k) object array, None where there is no referral."""
        return _codes_array(self.mode, MODES)

    def columns(self) -> Dict[str, Any]:
        """The long form, one row per referral as in route.csv (a request with none
        gets one rank-0 row with mode ``no_suitable_provider``): columns request_id,
        rank, provider_id, mode, cost_m, distance_m. Ready for ``pandas.DataFrame``.
        """
        n, k = self.provider.shape
        has = self.provider >= 0
        none = ~has.any(axis=1)
        # Keep (i, j) for referrals, and (i, 0) for requests without any.
        keep = has.copy()
        keep[none, 0] = True
        rows, cols = np.nonzero(keep)
        ids = np.array(self.requests.ids, dtype=object)
        provider_ids = self.provider_ids()[rows, cols]
        modes = self.mode_codes()[rows, cols]
        modes[none[rows]] = "no_suitable_provider"
        return {
            "request_id": ids[rows],
            "rank": np.where(none[rows], 0, cols + 1).astype(np.int32),
            "provider_id": provider_ids,
            "mode": modes,
            "cost_m": self.cost_m[rows, cols],
            "distance_m": self.distance_m[rows, cols],
        }

    def to_records(self) -> List[Dict[str, Any]]:
        """The long form as a list of dicts (``pandas.DataFrame.from_records`` takes it)."""
        return _records(self.columns())

    def to_pandas(self) -> Any:
        """The long form as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd
        return pd.DataFrame(self.columns())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes route.csv exactly as ``wegwijzer route`` does, atomically."""
        text = self._directory.route_csv(self.requests._batch, self.provider, self.location,
                                         self.mode, self.cost_m)
        _core.write_file(os.fspath(path), text.encode())

    def __repr__(self) -> str:
        n, k = self.provider.shape
        matched = int((self.provider[:, 0] >= 0).sum()) if n and k else 0
        return (f"<ReferralTable: {n:,} requests x {k} referrals; "
                f"{matched:,} with at least one>")


@dataclass(frozen=True)
class PlanLine:
    """One request's line in a match plan (a plan.csv row)."""

    request_id: str
    provider_id: Optional[str]
    mode: Optional[str]
    cost_m: int
    reason: Optional[str]  # None when assigned
    location_id: Optional[str] = field(default=None, repr=False)

    @property
    def assigned(self) -> bool:
        return self.provider_id is not None


class MatchPlan(Sequence[PlanLine]):
    """An optimal capacity-aware plan for a batch: at most one provider per request.

    ``objective`` is the minimal sum of assigned costs plus the penalties of the
    unassigned. A sequence of PlanLine in input order; ``columns()``,
    ``to_records()`` and ``to_pandas()`` give plan.csv's columns (request_id,
    provider_id, mode, cost_m, reason) for pandas; ``provider``, ``mode``,
    ``cost_m`` and ``reason`` are NumPy arrays (-1 / 0 = none).
    """

    def __init__(self, directory: Any, plan: "_core.MatchPlan") -> None:
        self._directory = directory
        self._plan = plan
        arrays = plan.arrays()
        self.provider: np.ndarray = arrays["provider"]
        self.location: np.ndarray = arrays["location"]
        self.mode: np.ndarray = arrays["mode"]
        self.cost_m: np.ndarray = arrays["cost_m"]
        self.reason: np.ndarray = arrays["reason"]
        self.objective: int = int(plan.objective)
        #: Solver counters: candidate_pairs, extensions, search_steps, seconds.
        self.stats: Dict[str, float] = dict(plan.stats)
        self.requests = RequestBatch(plan.requests)

    @property
    def assigned(self) -> int:
        """How many requests the plan assigns."""
        return int((self.provider >= 0).sum())

    def columns(self) -> Dict[str, Any]:
        """plan.csv's columns; provider_id, mode and reason are None where empty."""
        ids = np.array(self._directory.provider_ids() + [None], dtype=object)
        return {
            "request_id": np.array(self.requests.ids, dtype=object),
            "provider_id": ids[np.where(self.provider < 0, len(ids) - 1, self.provider)],
            "mode": _codes_array(self.mode, MODES),
            "cost_m": self.cost_m,
            "reason": _codes_array(self.reason, UNASSIGNED_REASONS),
        }

    def to_records(self) -> List[Dict[str, Any]]:
        return _records(self.columns())

    def to_pandas(self) -> Any:
        import pandas as pd
        return pd.DataFrame(self.columns())

    def to_proto(self) -> bytes:
        """The plan as a serialized ``wegwijzer.v1.MatchPlan``."""
        return bytes(self._plan.to_serialized())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes plan.csv exactly as ``wegwijzer match`` does, atomically."""
        _core.write_file(os.fspath(path), self._plan.plan_csv().encode())

    def __len__(self) -> int:
        return len(self.provider)

    @overload
    def __getitem__(self, index: int) -> PlanLine: ...
    @overload
    def __getitem__(self, index: slice) -> List[PlanLine]: ...

    def __getitem__(self, index: Union[int, slice]) -> Union[PlanLine, List[PlanLine]]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        i = range(len(self))[index]
        p = int(self.provider[i])
        location = int(self.location[i])
        provider = self._directory.provider(p) if p >= 0 else None
        return PlanLine(
            request_id=self._ids()[i],
            provider_id=provider["id"] if provider else None,
            mode=MODES[self.mode[i]] if p >= 0 else None,
            cost_m=int(self.cost_m[i]),
            reason=UNASSIGNED_REASONS[self.reason[i]],
            location_id=provider["locations"][location][0] if provider and location >= 0 else None)

    def _ids(self) -> List[str]:
        ids = getattr(self, "_cached_ids", None)
        if ids is None:
            ids = self.requests.ids
            self._cached_ids = ids
        return ids

    def __iter__(self) -> Iterator[PlanLine]:
        for i in range(len(self)):
            yield self[i]

    def __repr__(self) -> str:
        return (f"<MatchPlan: objective {self.objective:,}; {self.assigned:,} of "
                f"{len(self):,} requests assigned>")
