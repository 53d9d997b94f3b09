"""Coverage and gap analysis: where suitable help is missing, how much of the demand
today's capacity takes, and where new help points would reach the most residents.

The same analysis as ``wegwijzer coverage`` (the library's AnalyzeCoverage); every
table is a list of dicts, which ``pandas.DataFrame`` takes as it is::

    import pandas as pd, wegwijzer
    result = wegwijzer.analyze_coverage("providers.csv", "demand.csv",
                                        candidates="candidates.csv", add=10)
    areas = pd.DataFrame(result.areas)
    print(result.objective, result.sites_bound, result.sites_guarantee)
    result.write("out/")          # the six files of the command line
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Sequence, Tuple

from . import _core

Record = Dict[str, Any]


@dataclass(frozen=True)
class CoverageResult:
    """What ``analyze_coverage`` found. Tables are lists of dicts (records)."""

    coverage: List[Record]   # demand_id, count, class, provider_id, location_id, distance_m
    matched: List[Record]    # demand_id, count, in_person, home_visit, remote, capacity_exhausted, no_suitable_provider
    areas: List[Record]      # level, area, name, demand, by class, assigned_physically, unmet, ...
    sites: List[Record]      # rank, candidate_id, gain, covered_after
    summary: Dict[str, Any]  # totals, objective, and the sites' gain, bound and guarantee
    _analysis: Any = field(repr=False, compare=False, default=None)

    @property
    def objective(self) -> int:
        """The optimum of the match objective for the demand as a waiting list."""
        return int(self.summary["objective"])

    @property
    def sites_bound(self) -> Optional[int]:
        """Upper bound on the best possible gain of as many sites (None without candidates)."""
        return self.summary.get("sites_bound")

    @property
    def sites_guarantee(self) -> Optional[float]:
        """Chosen gain / bound: the choice is at least this fraction of the best possible."""
        return self.summary.get("sites_guarantee")

    def files(self, language: str = "en") -> Dict[str, str]:
        """The command line's six files as text, by name (report.html in ``language``)."""
        return dict(self._analysis.files(language))

    def write(self, out_dir: str, language: str = "en") -> None:
        """Writes the six files into ``out_dir`` (created if needed), each atomically."""
        os.makedirs(out_dir, exist_ok=True)
        for name, text in self.files(language).items():
            _core.write_file(os.path.join(out_dir, name), text.encode("utf-8"))


def analyze_coverage(providers: str, demand: str, *, candidates: Optional[str] = None,
                     add: int = 0, municipalities: Optional[str] = None,
                     postcodes: Optional[str] = None, skip_bad_rows: bool = False,
                     threads: int = 0, max_memory_bytes: Optional[int] = None) -> CoverageResult:
    """Reads providers.csv and demand.csv (requests.csv plus ``count``), classifies every
    row by its route rank 1, plans the demand under capacity, rolls it up per
    municipality, PC4, topic and language, and with ``candidates`` chooses up to ``add``
    new sites greedily (ties by id; stops when nothing adds) with an upper bound.

    ``municipalities`` / ``postcodes``: the gazetteer's files, for postcodes in the
    demand, municipality names and the map. Errors: FileNotFoundError, ValueError with
    the library's message (file, line, reason). The analysis is TryAnalyzeCoverage:
    past ``max_memory_bytes`` (None: the library's default, 8 GiB;
    CoverageOptions::match.max_memory_bytes), or when the machine runs out,
    MemoryError with the library's sentence.
    """
    analysis = _core.analyze_coverage(providers, demand, candidates, add, municipalities,
                                      postcodes, skip_bad_rows, threads, max_memory_bytes)
    return CoverageResult(coverage=analysis.coverage_records(),
                          matched=analysis.matched_records(),
                          areas=analysis.area_records(),
                          sites=analysis.site_records(),
                          summary=dict(analysis.summary()),
                          _analysis=analysis)


def choose_sites_from_sets(sets: Sequence[Sequence[int]], weights: Sequence[int],
                           id_order: Optional[Sequence[int]] = None, add: int = 1, *,
                           bound_iterations: int = 300) -> Dict[str, Any]:
    """The greedy rule and bound on explicit reach sets: ``sets[c]`` lists the rows
    candidate ``c`` reaches, ``weights[j]`` is row j's count, ``id_order[c]`` is c's
    place in the tie order (default: index order). Returns picks [(candidate, gain)],
    gain, bound, simple_bound, guarantee, evaluations."""
    order = list(range(len(sets))) if id_order is None else list(id_order)
    result = _core.choose_sites_from_sets([list(s) for s in sets], list(weights), order, add,
                                          bound_iterations)
    result = dict(result)
    result["picks"] = [tuple(p) for p in result["picks"]]
    return result
