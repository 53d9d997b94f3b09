"""import_hsds / export_hsds, and the request extensions (age, can_pay, at,
within_days) from requests.csv through route_many and match."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

import wegwijzer
from conftest import SOURCE_DIR, read_rows

HSDS = pathlib.Path(os.environ.get("WEGWIJZER_SHARED_DATA_DIR",
                                   SOURCE_DIR.parent / "shared" / "data")) / "hsds"

# A hand-made HSDS 3.0 service: Mondays 09:00-12:00, 18 and older, a cost option.
SERVICE = {
    "id": "s1", "name": "Digicafe", "organization_id": "o1", "minimum_age": 18,
    "organization": {"id": "o1", "name": "Bibliotheek"},
    "attributes": [{"id": "a1", "taxonomy_term": {"id": "t1", "taxonomy": "taxonomy",
                                                  "code": "code"}}],
    "languages": [{"id": "l1", "code": "nl"}],
    "schedules": [{"id": "sc1", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00",
                   "closes_at": "12:00"}],
    "cost_options": [{"id": "co1", "amount": 2.5, "currency": "EUR"}],
    "service_at_locations": [{"id": "sal1", "location": {
        "id": "loc1", "name": "Centrale", "location_type": "physical",
        "latitude": 52.3757, "longitude": 4.9083}}],
}


def write_service(folder: pathlib.Path) -> pathlib.Path:
    path = folder / "service_full.json"
    path.write_text(json.dumps(SERVICE), encoding="utf-8")
    return path


def samples():
    if not HSDS.is_dir():
        pytest.skip("the HSDS samples (../shared/data/hsds) are not here")
    return sorted(p for p in HSDS.iterdir() if p.is_dir() and "1.1" not in p.name)


def test_import_a_hand_made_service_and_route_it(tmp_path):
    imported = wegwijzer.import_hsds(write_service(tmp_path))
    assert imported.report.services_read == 1
    assert imported.report.providers_made == 1
    assert imported.directory.provider_ids == ("s1",)
    # The snapshot keeps the HSDS directory: written back and read again.
    wegwijzer.export_hsds(imported, tmp_path / "back")
    assert (tmp_path / "back" / "service_list.json").exists()
    again = wegwijzer.import_hsds(tmp_path / "back")
    assert again.directory.provider_ids == ("s1",)
    wegwijzer.export_hsds(again.directory.to_proto(), tmp_path / "csv", format="csv")
    assert (tmp_path / "csv" / "services.csv").exists()
    assert wegwijzer.import_hsds(tmp_path / "csv").directory.provider_ids == ("s1",)


def test_every_sample_imports_and_exports(tmp_path):
    for folder in samples():
        for path in [folder] + sorted(folder.glob("*.json")):
            if path.name in ("base.json", "tabular.json", "datapackage.json") or \
                    path.name.startswith("taxonomy"):
                continue
            try:
                imported = wegwijzer.import_hsds(path, skip_bad_records=True)
            except ValueError as e:  # refused: the message names the file
                assert str(path.name) in str(e) or str(folder) in str(e), e
                continue
            out = tmp_path / f"{folder.name}-{path.stem}"
            wegwijzer.export_hsds(imported, out)
            assert list(out.glob("*.json")), path


def test_errors_are_python_exceptions(tmp_path):
    with pytest.raises(FileNotFoundError):
        wegwijzer.import_hsds(tmp_path / "missing.json")
    bad = dict(SERVICE, minimum_age=180)
    (tmp_path / "service_full.json").write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(ValueError, match=r'service s1: field "minimum_age": 180 is outside'):
        wegwijzer.import_hsds(tmp_path / "service_full.json")
    lenient = wegwijzer.import_hsds(tmp_path / "service_full.json", skip_bad_records=True)
    assert any("age limit left out" in p for p in lenient.report.problems)
    if HSDS.is_dir():
        with pytest.raises(NotImplementedError, match="1.1"):
            wegwijzer.import_hsds(HSDS / "openreferral-sample-hsds-1.1")
    with pytest.raises(ValueError, match="format"):
        wegwijzer.export_hsds(lenient, tmp_path / "x", format="xml")


def test_request_extensions_from_csv_route_and_match(tmp_path):
    directory = wegwijzer.import_hsds(write_service(tmp_path)).directory
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "id,lat,lon,topics,age,can_pay,at,within_days\n"
        "open,52.37,4.90,basics,40,,2026-06-01T10:00,\n"       # Monday 10:00: open
        "closed,52.37,4.90,basics,40,,2026-06-02T10:00,\n"     # Tuesday: closed
        "soon,52.37,4.90,basics,40,,2026-06-02T10:00,7\n"      # opens Monday 8 June
        "young,52.37,4.90,basics,16,,2026-06-01T10:00,\n"      # under 18
        "poor,52.37,4.90,basics,40,false,2026-06-01T10:00,\n",  # cannot pay
        encoding="utf-8")
    batch = wegwijzer.RequestBatch.from_csv(requests)
    table = directory.route_many(batch, k=1)
    out = tmp_path / "route.csv"
    table.to_csv(out)
    rows = {r["request_id"]: r for r in read_rows(out)}
    assert rows["open"]["provider_id"] == "s1/loc1"
    assert rows["open"]["next_opening"] == "2026-06-01T10:00:00+02:00"
    assert rows["soon"]["next_opening"] == "2026-06-08T09:00:00+02:00"
    for closed in ("closed", "young", "poor"):
        assert rows[closed]["mode"] == "no_suitable_provider", closed
    plan = directory.match(batch).to_records()
    assert [line["reason"] for line in plan] == [
        None, "no_suitable_provider", None, "no_suitable_provider", "no_suitable_provider"]
