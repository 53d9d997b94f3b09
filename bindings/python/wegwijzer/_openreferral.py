"""Open Referral (HSDS 3.0 / 3.1, ORUK 3.0) directories in and out: the library's
ImportHsds and ExportHsds (``wegwijzer/openreferral.h``), nothing more."""
import os
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional, Union

from . import _core
from ._directory import Directory

PathLike = Union[str, "os.PathLike[str]"]


@dataclass(frozen=True)
class HsdsReport:
    """What an import could not express as providers: one line per left-out record
    or value (naming record and field), and the taxonomy terms no topic maps
    ("taxonomy/code" -> how many attributes used it)."""
    problems: List[str] = field(default_factory=list)
    unmapped_terms: Dict[str, int] = field(default_factory=dict)
    services_read: int = 0
    providers_made: int = 0


@dataclass(frozen=True)
class HsdsImport:
    """An imported directory: ``directory`` routes and matches (its snapshot holds the
    HSDS directory too, every property kept), ``report`` says what was left out."""
    directory: Directory
    report: HsdsReport

    @property
    def snapshot(self) -> bytes:
        """The ``wegwijzer.v1.DirectorySnapshot``, serialized (as ``import-hsds --out``)."""
        return self.directory.to_proto()


def import_hsds(path: PathLike, *, taxonomy_map: Optional[PathLike] = None,
                skip_bad_records: bool = False) -> HsdsImport:
    """Reads an HSDS JSON file, a folder of them, or a tabular datapackage folder.

    ``taxonomy_map``: a CSV ``taxonomy,term_code,topic`` (default: the shipped table).
    Raises FileNotFoundError for a missing path, ValueError naming file, record and
    field for bad input (unless ``skip_bad_records``: then it is in ``report``),
    NotImplementedError for HSDS 1.1.
    """
    snapshot, problems, unmapped, read, made = _core.import_hsds(
        os.fspath(path), None if taxonomy_map is None else os.fspath(taxonomy_map),
        skip_bad_records)
    return HsdsImport(Directory.from_proto(snapshot, source_name=os.fspath(path)),
                      HsdsReport(list(problems), dict(unmapped), read, made))


def export_hsds(directory: Union[Directory, HsdsImport, bytes, Any], out_dir: PathLike, *,
                format: str = "json") -> None:
    """Writes the snapshot's HSDS directory to the folder ``out_dir`` as HSDS 3.0 JSON
    (``format="json"``) or the tabular CSV tables (``"csv"``), each file atomically.

    ``directory``: a Directory (or HsdsImport) built from an imported snapshot, the
    serialized snapshot, or the protobuf message.
    """
    if isinstance(directory, HsdsImport):
        directory = directory.directory
    if isinstance(directory, Directory):
        data = directory.to_proto()
    elif hasattr(directory, "SerializeToString"):
        data = directory.SerializeToString()
    else:
        data = bytes(directory)
    _core.export_hsds(data, os.fspath(out_dir), format)
