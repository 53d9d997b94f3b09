"""Wegwijzer from Python: route residents who cannot keep up digitally to the nearest
suitable help, one request or millions, and match whole waiting lists under capacity.

Quick start::

    import wegwijzer
    directory = wegwijzer.Directory.from_csv("providers.csv")
    print(directory.route(52.37, 4.89, topics=["digid"], languages=["nl", "ar"], k=3))
    table = directory.route_many(requests_df)          # pandas DataFrame or NumPy columns
    plan = directory.match(wegwijzer.RequestBatch.from_csv("requests.csv"))

The package is a thin layer over the C++ library (the compiled module
``wegwijzer._core``): answers are the library's, identical to the ``wegwijzer``
command-line program's on the same files. Errors are Python exceptions carrying the
library's message: ValueError for bad input, FileNotFoundError / PermissionError for
files, CapacityExhaustedError when providers are full (CapacityLedger), MemoryError
when route_many, match or analyze_coverage pass max_memory_bytes.
"""
from ._core import CapacityExhaustedError, __version__
from ._codes import (ACCESS, MODES, PHYSICAL_MODES, PROVIDER_KINDS, REMOTE_COST_M, TOPICS,
                     access_mask, codes_of, language_codes, mode_mask, topic_mask)
from ._coverage import CoverageResult, analyze_coverage, choose_sites_from_sets
from ._directory import Directory, Location, Provider
from ._ledger import Booking, CapacityLedger, Reservation
from ._openreferral import HsdsImport, HsdsReport, export_hsds, import_hsds
from ._referrals import ReferralStore
from ._requests import CsvProblem, CsvReport, CsvWarning, Request, RequestBatch
from ._results import (UNASSIGNED_REASONS, MatchPlan, PlanLine, Referral, ReferralTable,
                       RouteResult)
from ._scenario import generate_scenario, haversine_m

__all__ = [
    "ACCESS", "MODES", "PHYSICAL_MODES", "PROVIDER_KINDS", "REMOTE_COST_M", "TOPICS",
    "UNASSIGNED_REASONS",
    "Booking", "CapacityExhaustedError", "CapacityLedger", "CoverageResult", "CsvProblem", "CsvReport", "CsvWarning", "Directory",
    "HsdsImport", "HsdsReport", "Location", "MatchPlan", "PlanLine", "Provider", "Referral", "ReferralStore", "ReferralTable", "Request",
    "RequestBatch", "Reservation", "RouteResult",
    "access_mask", "analyze_coverage", "choose_sites_from_sets", "codes_of", "export_hsds", "generate_scenario", "import_hsds", "haversine_m", "language_codes",
    "mode_mask", "topic_mask",
]
