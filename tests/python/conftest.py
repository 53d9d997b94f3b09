"""Shared fixtures: the source tree, the command-line program, CSV helpers.

Run from the build tree (CTest does this, label "python"):
    PYTHONPATH=build/release/python WEGWIJZER_CLI=build/release/wegwijzer \\
        /usr/bin/python3 -m pytest tests/python
"""
from __future__ import annotations

import csv
import os
import pathlib
import subprocess
from typing import Dict, List, Tuple

import pytest

import wegwijzer

SOURCE_DIR = pathlib.Path(os.environ.get("WEGWIJZER_SOURCE_DIR",
                                         pathlib.Path(__file__).resolve().parents[2]))
FIXTURES = SOURCE_DIR / "tests" / "fixtures"
DATA = SOURCE_DIR / "data"


def read_rows(path: pathlib.Path) -> List[Dict[str, str]]:
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="session")
def cli() -> pathlib.Path:
    """The wegwijzer command-line program of the same build."""
    candidates = [os.environ.get("WEGWIJZER_CLI", ""),
                  str(SOURCE_DIR / "build" / "release" / "wegwijzer")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return pathlib.Path(candidate)
    pytest.skip("the wegwijzer command-line program is not built (WEGWIJZER_CLI)")


def run_cli(cli: pathlib.Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(cli), *args], capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def scenario_csv(tmp_path_factory: pytest.TempPathFactory) -> Tuple[pathlib.Path, pathlib.Path]:
    """A generated scenario written as providers.csv and requests.csv (2,000 providers,
    3,000 requests, seed 7): many towns, home visits, phone lines, full providers,
    municipal desks, several languages."""
    folder = tmp_path_factory.mktemp("scenario")
    directory, requests = wegwijzer.generate_scenario(seed=7, providers=2000, requests=3000)
    directory.to_csv(folder / "providers.csv")
    requests.to_csv(folder / "requests.csv")
    return folder / "providers.csv", folder / "requests.csv"


CSV_CASES = ["route_small", "match_small", "data", "scenario"]


@pytest.fixture(params=CSV_CASES)
def csv_case(request: pytest.FixtureRequest,
             scenario_csv: Tuple[pathlib.Path, pathlib.Path]) -> Tuple[pathlib.Path, pathlib.Path]:
    """(providers.csv, requests.csv) of each hand-checked fixture and a generated one."""
    if request.param == "scenario":
        return scenario_csv
    folder = DATA if request.param == "data" else FIXTURES / request.param
    return folder / "providers.csv", folder / "requests.csv"
