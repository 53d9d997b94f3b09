"""The directory of providers, and routing and matching against it."""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Iterator, Optional, Tuple, Union

import numpy as np

from . import _core
from ._requests import CsvReport, Request, RequestBatch, RequestsLike, _warn, as_batch
from ._results import MatchPlan, ReferralTable, Referral, RouteResult


def _one_request(lat: Union[float, Request], lon: Optional[float], *, topics: Any,
                 languages: Any, modes: Any, access: Any, max_km: Optional[float],
                 municipality: Optional[str], id: str, age: Optional[int] = None,
                 can_pay: Optional[bool] = None, at: Any = None,
                 within_days: Optional[int] = None) -> RequestBatch:
    """A batch of one request from a Request or from a position and needs."""
    if isinstance(lat, Request):
        if lon is not None:
            raise TypeError("a Request comes without lon")
        return RequestBatch.from_records([lat])
    if lon is None:
        raise TypeError("lat and lon are both needed (or a Request)")
    if topics is None:
        raise ValueError("topics is required: what does the resident need help with?")
    one = lambda value: None if value is None else [value]  # noqa: E731
    return RequestBatch.from_columns(
        id=[id], lat=[float(lat)], lon=[float(lon)], topics=[topics],
        languages=one(languages), modes=one(modes), access=one(access),
        max_km=one(max_km), municipality=one(municipality), age=one(age),
        can_pay=one(can_pay), at=one(at), within_days=one(within_days))


def _referral(rank: int, referral: Tuple[Any, ...]) -> Referral:
    index, provider_id, location_id, mode, cost_m, distance_m, reasons = referral
    return Referral(rank=rank, provider_id=provider_id, mode=mode, cost_m=cost_m,
                    distance_m=distance_m, location_id=location_id, provider_index=index,
                    reasons=tuple(reasons))


@dataclass(frozen=True)
class Location:
    """A place where a provider gives help, or where a home-visiting helper starts."""

    id: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Provider:
    """A provider of digital help as the directory holds it (codes checked)."""

    index: int
    id: str
    name: str
    kind: str
    topics: Tuple[str, ...]
    languages: Tuple[str, ...]
    modes: Tuple[str, ...]
    access: Tuple[str, ...]
    radius_km: float
    capacity: Optional[int]  # None = unlimited; 0 = full
    municipalities: Tuple[str, ...]  # empty = serves anyone
    locations: Tuple[Location, ...]
    has_service_area: bool = False


class Directory:
    """An immutable, compiled snapshot of every provider; route and match against it.

    Build it once with ``from_csv`` or ``from_proto``, then call ``route`` (one
    request), ``route_many`` (thousands to millions, NumPy in and out, on every
    core, without the GIL) or ``match`` (a capacity-aware plan for a waiting list).
    Safe to share between threads.

    >>> directory = Directory.from_csv("providers.csv")
    >>> directory.route(52.37, 4.89, topics=["digid"], languages=["nl", "ar"], k=3)
    """

    __slots__ = ("_core", "report", "_ids")

    def __init__(self, _directory: "_core.Directory", report: Optional[CsvReport] = None) -> None:
        if not isinstance(_directory, _core.Directory):
            raise TypeError("use Directory.from_csv or Directory.from_proto")
        self._core = _directory
        #: For a directory read from CSV: the reader's report (warnings, skipped rows).
        self.report = report
        self._ids: Optional[Tuple[str, ...]] = None

    # --- construction ------------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: Union[str, "os.PathLike[str]"], *,
                 skip_bad_rows: bool = False) -> "Directory":
        """Reads providers.csv as the contract defines it (the CLI's reader).

        Raises FileNotFoundError or PermissionError when the file cannot be read,
        ValueError naming every bad row (file:line: reason) unless ``skip_bad_rows``;
        skipped rows and unknown columns are reported as a CsvWarning and in
        ``directory.report``.
        """
        directory, report = _core.Directory.from_csv(os.fspath(path), skip_bad_rows)
        result = cls(directory, CsvReport._from_core(report))
        _warn(result.report)  # type: ignore[arg-type]
        return result

    @classmethod
    def from_proto(cls, data: Any, *, source_name: str = "snapshot") -> "Directory":
        """From a serialized ``wegwijzer.v1.DirectorySnapshot`` (bytes) or the message.

        Raises ValueError for bytes that are not a snapshot, or naming the provider
        and the reason for an invalid one.
        """
        if hasattr(data, "SerializeToString"):
            data = data.SerializeToString()
        return cls(_core.Directory.from_serialized(data, source_name))

    def to_proto(self) -> bytes:
        """The snapshot this directory was built from, serialized, exactly as given."""
        return bytes(self._core.to_serialized())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes providers.csv with every contract column, atomically."""
        _core.write_file(os.fspath(path), self._core.providers_csv().encode())

    # --- providers ---------------------------------------------------------------------

    @property
    def source(self) -> str:
        """Where the snapshot came from (file name, export id), as it says."""
        return str(self._core.source)

    @property
    def provider_ids(self) -> Tuple[str, ...]:
        """Provider ids in directory order: ``provider_ids[i]`` is provider index i."""
        if self._ids is None:
            self._ids = tuple(self._core.provider_ids())
        return self._ids

    def provider(self, key: Union[int, str]) -> Provider:
        """The provider with this index (int) or id (str). IndexError / KeyError if none."""
        d = dict(self._core.provider(self._index(key)))
        d["locations"] = tuple(Location(*loc) for loc in d["locations"])
        return Provider(**d)

    def _index(self, key: Union[int, str]) -> int:
        if isinstance(key, str):
            index = self._core.find(key)
            if index is None:
                raise KeyError(key)
            return int(index)
        return int(key)

    def index_of(self, provider_id: str) -> Optional[int]:
        """The index of the provider with this id, or None."""
        index = self._core.find(provider_id)
        return None if index is None else int(index)

    def __len__(self) -> int:
        return len(self._core)

    def __contains__(self, provider_id: object) -> bool:
        return isinstance(provider_id, str) and self._core.find(provider_id) is not None

    def __iter__(self) -> Iterator[Provider]:
        for i in range(len(self)):
            yield self.provider(i)

    def __repr__(self) -> str:
        source = f" {self.source!r}" if self.source else ""
        return f"<Directory{source}: {len(self):,} providers>"

    # --- routing -----------------------------------------------------------------------

    def route(self, lat: Union[float, Request], lon: Optional[float] = None, *,
              topics: Any = None, languages: Any = None, modes: Any = None,
              access: Any = None, max_km: Optional[float] = None,
              municipality: Optional[str] = None, id: str = "request", k: int = 5,
              explain: bool = True, age: Optional[int] = None,
              can_pay: Optional[bool] = None, at: Any = None,
              within_days: Optional[int] = None) -> RouteResult:
        """The k best referrals for one resident, best first (interchange.md, "route").

        Give the position and needs (codes as a list or a ``;``-separated str), or
        a Request. Omitted needs take the contract's defaults: languages ``nl``,
        all modes, no access needs, ``max_km`` 10, no municipality; ``age``,
        ``can_pay``, ``at`` and ``within_days`` as in ``Request`` (default: unknown
        age, can pay, any time). With ``explain`` (default) an empty result says why
        nothing suits ("... but it is only for 18+", "... closed until ...").

        Raises ValueError for an invalid request (unknown code, position out of
        range, no topics, ...) or ``k < 1``.
        """
        batch = _one_request(lat, lon, topics=topics, languages=languages, modes=modes,
                             access=access, max_km=max_km, municipality=municipality, id=id,
                             age=age, can_pay=can_pay, at=at, within_days=within_days)
        referrals, no_suitable_provider = self._core.route(batch._batch, k, explain)
        return RouteResult(
            batch.ids[0],
            [_referral(rank, r) for rank, r in enumerate(referrals, start=1)],
            no_suitable_provider,
            _replay=(self._core, batch._batch, k, explain))

    def route_many(self, lat: Any, lon: Any = None, *, topics: Any = None,
                   languages: Any = None, modes: Any = None, access: Any = None,
                   max_km: Any = None, municipality: Any = None, id: Any = None,
                   k: int = 5, threads: int = 0, explain: bool = False, age: Any = None,
                   can_pay: Any = None, at: Any = None, within_days: Any = None,
                   max_memory_bytes: Optional[int] = None) -> ReferralTable:
        """The k best referrals of every request, as (n, k) NumPy arrays.

        Either columns (``route_many(lat, lon, topics=..., ...)``; see
        ``RequestBatch.from_columns`` for the accepted forms: arrays, Series, lists, one
        value for all, bit masks), or requests in one piece: a RequestBatch, a
        pandas DataFrame or mapping of requests.csv columns, or a list of Request.

        Converting the columns holds the GIL (it reads Python objects); routing
        runs Router::RouteBatch on ``threads`` threads (0 = every core) with the GIL
        released, so other Python threads keep running. The answer does not depend
        on the thread count. ``explain=True`` also fills
        ``table.no_suitable_provider`` (a linear scan per unmatched request).

        Routing is Router::TryRouteBatch, on slices of the batch: ``max_memory_bytes``
        (None: the library's default, 8 GiB) limits the results held at once, and
        past it, or when the machine runs out, MemoryError says the figure, the
        limit and how to raise it.
        """
        if lon is None and topics is None:
            if isinstance(lat, np.ndarray):
                raise TypeError("route_many(lat, lon, topics=...): lon and topics are needed "
                                "with an array of latitudes")
            batch = as_batch(lat)
        else:
            if lon is None:
                raise TypeError("route_many needs lon with lat (or one batch of requests)")
            if topics is None:
                raise ValueError("topics is required")
            batch = RequestBatch.from_columns(
                lat=lat, lon=lon, topics=topics, id=id, languages=languages, modes=modes,
                access=access, max_km=max_km, municipality=municipality, age=age,
                can_pay=can_pay, at=at, within_days=within_days)
        arrays = self._core.route_batch(batch._batch, k, threads, explain, max_memory_bytes)
        return ReferralTable(self._core, batch, arrays)

    # --- matching ----------------------------------------------------------------------

    def match(self, requests: RequestsLike, *, threads: int = 0,
              unassigned_penalty_m: int = 1_000_000,
              max_memory_bytes: Optional[int] = None,
              solver: Optional[str] = None) -> MatchPlan:
        """An optimal capacity-aware plan for a waiting list (interchange.md, "match").

        Each request gets at most one provider that suits it, each provider at most
        its capacity; the plan minimises the total cost plus
        ``unassigned_penalty_m x (1 + priority)`` per unassigned request. Requests
        as for ``route_many`` (a RequestBatch, DataFrame, mapping or list of
        Request); ids must be unique. The GIL is released while solving.

        Solved by Matcher::TryMatch: past ``max_memory_bytes`` (None: the library's
        default, 8 GiB; see MatchOptions::max_memory_bytes), or when the machine runs
        out, MemoryError with the library's sentence; ValueError for a limit <= 0.

        ``solver`` picks the exact solver (MatchOptions::solver): ``"fast"``
        (successive shortest paths after an auction warm start) or
        ``"cost-scaling"`` (a cost-scaling push-relabel warm start); None: the
        library's default (cost-scaling). Both return an optimal plan (the same
        objective); time and memory differ. Any other name: ValueError naming it.
        """
        batch = as_batch(requests)
        plan = self._core.match(batch._batch, threads, unassigned_penalty_m, max_memory_bytes,
                                solver)
        return MatchPlan(self._core, plan)
