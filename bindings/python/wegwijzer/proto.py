"""The wegwijzer.v1 protobuf classes, for interop with other systems.

Needs the protobuf runtime (Debian: python3-protobuf; pip: protobuf). Messages
cross the binding as serialized bytes, so the rest of the package works without it:

>>> from wegwijzer.proto import DirectorySnapshot
>>> snapshot = DirectorySnapshot.FromString(directory.to_proto())
>>> wegwijzer.Directory.from_proto(snapshot)          # a message or its bytes
"""
try:
    from .v1 import (codes_pb2, directory_pb2, openreferral_pb2, plan_pb2, referral_pb2,
                     request_pb2)
except ImportError as error:  # pragma: no cover - depends on the installation
    raise ImportError(
        "wegwijzer.proto needs the protobuf runtime (apt install python3-protobuf, "
        f"or pip install protobuf): {error}") from error

from .v1.codes_pb2 import Access, Mode, ProviderKind, Topic
from .v1.directory_pb2 import DirectorySnapshot, LatLng, Location, Provider, Ring, ServiceArea
from .v1.openreferral_pb2 import HsdsDirectory
from .v1.plan_pb2 import MatchPlan, PlanLine, UnassignedReason
from .v1.referral_pb2 import ReferralEvent, ReferralReason, ReferralRecord
from .v1.request_pb2 import Referral, Request, RequestBatch, RouteResult

__all__ = [
    "Access", "DirectorySnapshot", "HsdsDirectory", "LatLng", "Location", "MatchPlan", "Mode", "PlanLine",
    "Provider", "ProviderKind", "Referral", "ReferralEvent", "ReferralReason", "ReferralRecord",
    "Request", "RequestBatch", "Ring", "RouteResult",
    "ServiceArea", "Topic", "UnassignedReason",
    "codes_pb2", "directory_pb2", "openreferral_pb2", "plan_pb2", "referral_pb2", "request_pb2",
]
