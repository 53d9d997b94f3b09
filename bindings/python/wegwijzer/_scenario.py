"""Seeded synthetic scenarios (the library's GenerateScenario) and the contract's distance."""
from __future__ import annotations

from typing import Tuple

from . import _core
from ._directory import Directory
from ._requests import RequestBatch


def generate_scenario(seed: int = 1, providers: int = 5000, requests: int = 10000, *,
                      towns: int = 0, remote_share: float = 0.002) -> Tuple[Directory, RequestBatch]:
    """A Dutch-like directory and waiting list, the same for the same arguments everywhere.

    Towns with Zipf-distributed sizes (municipality codes ``WGnnnnn``), providers
    clustered around them (IDO-punten, libraries, welfare, volunteers who visit at
    home, municipal desks, a few national phone lines), requests clustered by town
    size. For demos, tests and benchmarks; ``towns=0`` means one per 40 providers.
    """
    directory, batch = _core.generate_scenario(seed, providers, requests, towns, remote_share)
    return Directory(directory), RequestBatch(batch)


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The contract's great-circle distance in metres (interchange.md v1.1, pinned formula)."""
    return float(_core.haversine_m(lat1, lon1, lat2, lon2))
