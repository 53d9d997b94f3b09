"""Requests: one resident's need (Request) and batches of them (RequestBatch).

See RequestBatch.from_columns for the forms columns may take.
"""
from __future__ import annotations

import datetime
import os
import warnings
from dataclasses import dataclass, field
from typing import (Any, Dict, Iterable, Iterator, List, Mapping, Optional, Sequence,
                    Tuple, Union, overload)

import numpy as np

from . import _core
from ._codes import ACCESS, MODES, TOPICS, access_mask, codes_of, language_codes, mode_mask, topic_mask

#: The columns a batch of requests has (those of requests.csv).
REQUEST_COLUMNS: Tuple[str, ...] = ("id", "lat", "lon", "topics", "languages", "modes",
                                    "access", "max_km", "priority", "municipality",
                                    "age", "can_pay", "at", "within_days")

#: A request's time: RFC 3339 text as requests.csv's ``at`` column takes it
#: (``"2026-04-27T10:00"`` is Amsterdam wall-clock time; ``"...+02:00"``, ``"...Z"``
#: carry their offset) or a ``datetime`` (naive = Amsterdam time).
TimeLike = Union[str, "datetime.datetime"]

CodeList = Union[str, Iterable[str]]


@dataclass(frozen=True)
class CsvProblem:
    """A bad row or a warning found while reading a CSV file."""

    kind: str  # "bad_row" or "warning"
    line: int  # where the record starts, 1-based
    reason: str


@dataclass(frozen=True)
class CsvReport:
    """What a CSV reader found wrong short of rejecting the file.

    ``str(report)`` is the reader's text: one line per problem, then a summary.
    """

    file: str
    rows: int
    bad_rows: int
    bad_rows_skipped: bool
    problems: Tuple[CsvProblem, ...]
    text: str = field(repr=False)

    def __str__(self) -> str:
        return self.text

    @classmethod
    def _from_core(cls, report: Tuple[Any, ...]) -> "CsvReport":
        file, rows, bad_rows, skipped, problems, text = report
        return cls(file, rows, bad_rows, skipped,
                   tuple(CsvProblem(*p) for p in problems), text)


class CsvWarning(UserWarning):
    """Unknown columns, or bad rows skipped with ``skip_bad_rows=True``."""


def _warn(report: CsvReport) -> None:
    if report.text:
        warnings.warn(report.text.rstrip("\n"), CsvWarning, stacklevel=3)


@dataclass(frozen=True)
class Request:
    """What one resident needs: an opaque id, a position and needs; no personal data.

    Codes may be given as a ``;``-separated str or any iterable; they are checked
    and stored as tuples in vocabulary order. Defaults are the contract's.

    The extensions (requests.csv's optional columns, checked by the library when the
    request is routed or put in a batch): ``age`` in whole years 0..150 (None:
    unknown, age limits not checked), ``can_pay`` (False: providers that charge a fee
    do not suit), ``at`` when help is wanted (RFC 3339 text or a datetime, see
    ``TimeLike``; None: any time) and ``within_days`` 0..366 (with ``at``: the
    provider's location opens at some moment in [at, at + N days)).

    >>> Request("r1", 52.37, 4.89, topics="digid;benefits", languages=["nl", "ar"])
    Request(id='r1', lat=52.37, lon=4.89, topics=('digid', 'benefits'), languages=('ar', 'nl'), ...)
    """

    id: str
    lat: float
    lon: float
    topics: Tuple[str, ...]
    languages: Tuple[str, ...] = ("nl",)
    modes: Tuple[str, ...] = MODES
    access: Tuple[str, ...] = ()
    max_km: float = 10.0
    priority: int = 0
    municipality: str = ""
    age: Optional[int] = None
    can_pay: bool = True
    at: Optional[TimeLike] = None
    within_days: int = 0

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "topics", codes_of(topic_mask(self.topics), TOPICS))
        set_(self, "languages", language_codes(self.languages))
        set_(self, "modes", codes_of(mode_mask(self.modes), MODES))
        set_(self, "access", codes_of(access_mask(self.access), ACCESS))
        set_(self, "lat", float(self.lat))
        set_(self, "lon", float(self.lon))
        set_(self, "max_km", float(self.max_km))
        set_(self, "at", _time_text(self.at))

    def __repr__(self) -> str:
        text = (f"Request(id={self.id!r}, lat={self.lat!r}, lon={self.lon!r}, "
                f"topics={self.topics!r}")
        defaults = Request.__dataclass_fields__
        for name in ("languages", "modes", "access", "max_km", "priority", "municipality",
                     "age", "can_pay", "at", "within_days"):
            value = getattr(self, name)
            if value != defaults[name].default:
                text += f", {name}={value!r}"
        return text + ")"


def _time_text(value: Any) -> Any:
    """A datetime as the RFC 3339 text the library reads (whole seconds; naive =
    Amsterdam wall-clock time); anything else as given (the library checks it)."""
    if isinstance(value, datetime.datetime):
        if value != value:  # pandas' NaT: a missing time
            return None
        return value.replace(microsecond=0).isoformat()
    return value


def _time_column(value: Any) -> Any:
    """The ``at`` column with datetime values (also pandas Timestamps) as text."""
    value = _column(value)
    if value is None or isinstance(value, (str, datetime.datetime)):
        return _time_text(value)
    if isinstance(value, np.ndarray) and np.issubdtype(value.dtype, np.datetime64):
        raise ValueError("at: NumPy datetime64 has no time zone; give RFC 3339 str or "
                         "datetime objects")
    return [_time_text(v) for v in value]


def _column(value: Any) -> Any:
    """A pandas Series as its NumPy array; anything else as given."""
    to_numpy = getattr(value, "to_numpy", None)
    if to_numpy is not None and not isinstance(value, np.ndarray):
        return to_numpy()
    return value


def _length(lat: Any) -> int:
    try:
        return len(lat)
    except TypeError:
        raise ValueError("lat: expected one latitude per request (a sequence or array)") from None


class RequestBatch(Sequence[Request]):
    """Requests in the library's compact form, ready to route or match. Immutable.

    Build one with ``from_csv``, ``from_proto``, ``from_columns``, ``from_frame``
    or ``from_records``; routing and matching accept the same inputs directly and
    build the batch themselves. Reuse a batch to route it against several
    directories without converting the columns again.
    """

    __slots__ = ("_batch", "report", "lines")

    def __init__(self, _batch: "_core.RequestBatch", report: Optional[CsvReport] = None,
                 lines: Optional[List[int]] = None) -> None:
        if not isinstance(_batch, _core.RequestBatch):
            raise TypeError("use RequestBatch.from_csv, from_proto, from_columns, from_frame "
                            "or from_records")
        self._batch = _batch
        #: For a batch read from CSV: the reader's report (warnings, skipped rows).
        self.report = report
        #: For a batch read from CSV: the line where each request starts.
        self.lines = lines

    # --- construction ----------------------------------------------------------------

    @classmethod
    def from_csv(cls, path: Union[str, "os.PathLike[str]"], *,
                 skip_bad_rows: bool = False) -> "RequestBatch":
        """Reads requests.csv as the contract defines it (the CLI's reader).

        Raises FileNotFoundError or PermissionError when the file cannot be read,
        ValueError naming every bad row (file:line: reason) unless ``skip_bad_rows``;
        skipped rows and unknown columns are reported as a CsvWarning and in
        ``batch.report``.
        """
        batch, report, lines = _core.RequestBatch.from_csv(os.fspath(path), skip_bad_rows)
        result = cls(batch, CsvReport._from_core(report), list(lines))
        _warn(result.report)  # type: ignore[arg-type]
        return result

    @classmethod
    def from_proto(cls, data: Any) -> "RequestBatch":
        """From a serialized ``wegwijzer.v1.RequestBatch`` (bytes) or the message itself."""
        if hasattr(data, "SerializeToString"):
            data = data.SerializeToString()
        return cls(_core.RequestBatch.from_serialized(data))

    @classmethod
    def from_columns(cls, *, lat: Any, lon: Any, topics: Any, id: Any = None,
                     languages: Any = None, modes: Any = None, access: Any = None,
                     max_km: Any = None, priority: Any = None,
                     municipality: Any = None, age: Any = None, can_pay: Any = None,
                     at: Any = None, within_days: Any = None) -> "RequestBatch":
        """From columns. The same forms are taken wherever requests are given as
        columns (``Directory.route_many``, a pandas DataFrame, a dict of columns). Each
        column is one of:

        * **one value per request**: a NumPy array, a pandas Series, a list or a tuple, as
          long as ``lat``. Code columns (``topics``, ``languages``, ``modes``, ``access``)
          then hold, per row, a str of ``;``-separated codes (``"digid;benefits"``, as in
          requests.csv), a list of codes, or None/NaN for the default. ``topics``,
          ``modes`` and ``access`` may also be an integer array of bit masks
          (see ``topic_mask``): the fast path, no string is parsed.
        * **one value for every request**: a str (``"digid;benefits"``), a set of codes
          (``{"digid", "benefits"}``) or an int bit mask; a number for ``max_km`` and
          ``priority``. A *list* is always one value per request.

        Missing values (None, NaN, an empty str) take the contract's defaults: languages
        ``nl``, all four modes, no access needs, ``max_km`` 10, priority 0, no
        municipality. ``lat``, ``lon`` and ``topics`` are required.

        The extensions, as requests.csv's optional columns: ``age`` (whole years
        0..150; missing: unknown), ``can_pay`` (bool; missing: True), ``at`` (RFC 3339
        str or datetime, see ``TimeLike``; missing: any time) and ``within_days``
        (0..366, needs ``at``; missing: 0). Without ``id`` the
        requests are numbered ``"0"``, ``"1"``, ... (ids appear in messages and in plans).
        Columns a DataFrame has beyond these are ignored.

        Raises ValueError naming the request and the field for invalid input
        (position out of range, no topics, unknown code, max_km outside 0..1000,
        priority outside 0..3, age outside 0..150, ``at`` that is no RFC 3339 time,
        within_days outside 0..366 or without ``at``, a column of the wrong length).
        """
        lat, lon = _column(lat), _column(lon)
        n = _length(lat)
        return cls(_core.RequestBatch.from_columns(
            n, _column(id), lat, lon, _column(topics), _column(languages), _column(modes),
            _column(access), _column(max_km), _column(priority), _column(municipality),
            _column(age), _column(can_pay), _time_column(at), _column(within_days)))

    @classmethod
    def from_frame(cls, frame: Any) -> "RequestBatch":
        """From a pandas DataFrame or a mapping of columns named as in requests.csv
        (``id, lat, lon, topics, languages, modes, access, max_km, priority,
        municipality``, and the extensions ``age, can_pay, at, within_days``; ``lat``,
        ``lon`` and ``topics`` are required).
        """
        names = list(frame.keys()) if isinstance(frame, Mapping) else list(frame.columns)
        missing = [c for c in ("lat", "lon", "topics") if c not in names]
        if missing:
            raise ValueError(f"requests: missing column(s) {', '.join(missing)} "
                             f"(have {', '.join(map(str, names)) or 'none'})")
        columns = {c: frame[c] for c in REQUEST_COLUMNS if c in names}
        return cls.from_columns(**columns)

    @classmethod
    def from_records(cls, records: Iterable[Union[Request, Mapping[str, Any]]]) -> "RequestBatch":
        """From Request objects or dicts with the requests.csv field names."""
        rows = [r if isinstance(r, Request) else Request(**r) for r in records]
        return cls.from_columns(
            id=[r.id for r in rows], lat=np.array([r.lat for r in rows], dtype=np.float64),
            lon=np.array([r.lon for r in rows], dtype=np.float64),
            topics=np.array([topic_mask(r.topics) for r in rows], dtype=np.uint32),
            languages=[r.languages for r in rows],
            modes=np.array([mode_mask(r.modes) for r in rows], dtype=np.uint32),
            access=np.array([access_mask(r.access) for r in rows], dtype=np.uint32),
            max_km=np.array([r.max_km for r in rows], dtype=np.float64),
            priority=np.array([r.priority for r in rows], dtype=np.float64),
            municipality=[r.municipality for r in rows],
            age=np.array([np.nan if r.age is None else r.age for r in rows], dtype=np.float64),
            can_pay=np.array([r.can_pay for r in rows], dtype=bool),
            at=[r.at for r in rows],
            within_days=np.array([r.within_days for r in rows], dtype=np.float64))

    # --- export ----------------------------------------------------------------------

    def to_proto(self) -> bytes:
        """The batch as a serialized ``wegwijzer.v1.RequestBatch``."""
        return bytes(self._batch.to_serialized())

    def to_csv(self, path: Union[str, "os.PathLike[str]"]) -> None:
        """Writes requests.csv with every contract column, atomically; reading it back
        (here or with the CLI) gives the same requests."""
        _core.write_file(os.fspath(path), self._batch.requests_csv().encode())

    def columns(self, *, codes: bool = True) -> Dict[str, Any]:
        """The batch as columns named as in requests.csv, ready for ``pandas.DataFrame``.

        With ``codes=True`` code columns are ``;``-separated str (as in the CSV);
        with ``codes=False`` topics, modes and access are uint32 bit masks. The
        extensions: ``age`` float64 (NaN: unknown), ``can_pay`` bool, ``at`` RFC 3339
        str in Amsterdam time with its offset (None: any time), ``within_days`` int16.
        """
        columns = dict(self._batch.columns())
        if codes:
            for name, vocabulary in (("topics", TOPICS), ("modes", MODES), ("access", ACCESS)):
                cache: Dict[int, str] = {}
                masks = columns[name]
                columns[name] = [cache.get(m) or cache.setdefault(m, ";".join(codes_of(m, vocabulary)))
                                 for m in masks.tolist()]
        return columns

    def to_pandas(self, *, codes: bool = True) -> Any:
        """The batch as a pandas DataFrame (pandas must be installed)."""
        import pandas as pd
        return pd.DataFrame(self.columns(codes=codes))

    @property
    def ids(self) -> List[str]:
        """The request ids, in batch order."""
        return list(self._batch.ids())

    # --- sequence ----------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._batch)

    @overload
    def __getitem__(self, index: int) -> Request: ...
    @overload
    def __getitem__(self, index: slice) -> "RequestBatch": ...

    def __getitem__(self, index: Union[int, slice]) -> Union[Request, "RequestBatch"]:
        if isinstance(index, slice):
            return RequestBatch(self._batch.select(np.arange(len(self))[index]))
        row = self._batch.select(np.array([index], dtype=np.int64)).columns()
        return Request(id=row["id"][0], lat=float(row["lat"][0]), lon=float(row["lon"][0]),
                       topics=codes_of(row["topics"][0], TOPICS),
                       languages=tuple(row["languages"][0].split(";")),
                       modes=codes_of(row["modes"][0], MODES),
                       access=codes_of(row["access"][0], ACCESS),
                       max_km=float(row["max_km"][0]), priority=int(row["priority"][0]),
                       municipality=row["municipality"][0],
                       age=None if np.isnan(row["age"][0]) else int(row["age"][0]),
                       can_pay=bool(row["can_pay"][0]), at=row["at"][0],
                       within_days=int(row["within_days"][0]))

    def __iter__(self) -> Iterator[Request]:
        for i in range(len(self)):
            yield self[i]

    def select(self, rows: Any) -> "RequestBatch":
        """The requests at ``rows`` (integer indices or a boolean mask), in that order."""
        rows = np.asarray(rows)
        if rows.dtype == bool:
            rows = np.flatnonzero(rows)
        return RequestBatch(self._batch.select(rows.astype(np.int64, copy=False)))

    def __repr__(self) -> str:
        return f"<RequestBatch of {len(self):,} requests>"


RequestsLike = Union[RequestBatch, Mapping[str, Any], Iterable[Union[Request, Mapping[str, Any]]], Any]


def as_batch(requests: RequestsLike) -> RequestBatch:
    """A RequestBatch from a batch, a DataFrame, a mapping of columns or records."""
    if isinstance(requests, RequestBatch):
        return requests
    if isinstance(requests, Mapping) or hasattr(requests, "columns") and hasattr(requests, "iloc"):
        return RequestBatch.from_frame(requests)
    if isinstance(requests, (str, bytes)):
        raise TypeError("requests: expected a RequestBatch, a DataFrame, a mapping of columns or "
                        "a list of Request; to read a file use RequestBatch.from_csv(path)")
    return RequestBatch.from_records(requests)
