"""import_hsds / export_hsds, and the request extensions (age, can_pay, at,
within_days) from requests.csv through route_many and match."""
from __future__ import annotations

import json
import os
import pathlib

import pytest

import wegwijzer
from conftest import SOURCE_DIR, read_rows, run_cli

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


# The same five residents as above, given from Python rather than read from a CSV.
EXTENDED = [
    dict(id="open", age=40, at="2026-06-01T10:00"),               # Monday 10:00: open
    dict(id="closed", age=40, at="2026-06-02T10:00"),             # Tuesday: closed
    dict(id="soon", age=40, at="2026-06-02T10:00", within_days=7),  # opens Monday 8 June
    dict(id="young", age=16, at="2026-06-01T10:00"),              # under 18
    dict(id="poor", age=40, can_pay=False, at="2026-06-01T10:00"),  # cannot pay
]


def extended_requests():
    return [wegwijzer.Request(lat=52.37, lon=4.90, topics="basics", **r) for r in EXTENDED]


def test_request_extensions_from_python_route(tmp_path):
    import datetime
    directory = wegwijzer.import_hsds(write_service(tmp_path)).directory
    # Records, columns and a datetime (naive = Amsterdam time) give the same batch.
    records = wegwijzer.RequestBatch.from_records(extended_requests())
    columns = wegwijzer.RequestBatch.from_columns(
        id=[r["id"] for r in EXTENDED], lat=[52.37] * 5, lon=[4.90] * 5, topics="basics",
        age=[r["age"] for r in EXTENDED], can_pay=[r.get("can_pay", True) for r in EXTENDED],
        at=[datetime.datetime.fromisoformat(r["at"]) for r in EXTENDED],
        within_days=[r.get("within_days", 0) for r in EXTENDED])
    assert records.to_proto() == columns.to_proto()
    assert [r.age for r in records] == [40, 40, 40, 16, 40]
    assert [r.can_pay for r in records] == [True, True, True, True, False]
    assert records[2].at == "2026-06-02T10:00:00+02:00" and records[2].within_days == 7
    # A batch read back from its own CSV is the same batch.
    records.to_csv(tmp_path / "requests.csv")
    assert wegwijzer.RequestBatch.from_csv(tmp_path / "requests.csv").to_proto() == records.to_proto()

    table = directory.route_many(records, k=1, explain=True)
    table.to_csv(tmp_path / "route.csv")
    rows = {r["request_id"]: r for r in read_rows(tmp_path / "route.csv")}
    assert rows["open"]["provider_id"] == "s1/loc1"
    assert rows["soon"]["next_opening"] == "2026-06-08T09:00:00+02:00"
    for excluded in ("closed", "young", "poor"):
        assert rows[excluded]["mode"] == "no_suitable_provider", excluded

    # One request at a time, with the reason the provider is excluded.
    young = directory.route(extended_requests()[3])
    assert len(young) == 0 and "18+" in young.no_suitable_provider
    closed = directory.route(52.37, 4.90, topics="basics", age=40, at="2026-06-02T10:00")
    assert len(closed) == 0 and "closed until" in closed.no_suitable_provider
    poor = directory.route(52.37, 4.90, topics="basics", can_pay=False)
    assert len(poor) == 0
    # Without the extensions the same resident is referred.
    assert directory.route(52.37, 4.90, topics="basics")[0].provider_id == "s1"


def test_request_extensions_are_checked_as_the_library_does():
    for kwargs, message in [
            (dict(age=200), "age 200 is outside 0..150"),
            (dict(age=16.5), "age 16.500000 is not a whole number"),
            (dict(can_pay=2), "can_pay 2.000000 is not true or false"),
            (dict(at="tomorrow"), "at: 'tomorrow' is not an RFC 3339 time"),
            (dict(within_days=3), "within_days is given without at"),
            (dict(at="2026-06-01T10:00", within_days=400), "within_days 400 is outside 0..366")]:
        with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
            wegwijzer.RequestBatch.from_columns(id=["r"], lat=[52.37], lon=[4.9],
                                                topics="basics", **kwargs)


def test_request_extensions_agree_with_the_cli(tmp_path, cli):
    imported = wegwijzer.import_hsds(write_service(tmp_path))
    snapshot = tmp_path / "kaart.pb"
    snapshot.write_bytes(imported.directory.to_proto())
    batch = wegwijzer.RequestBatch.from_records(extended_requests())
    batch.to_csv(tmp_path / "requests.csv")
    done = run_cli(cli, "route", "--snapshot", str(snapshot), "--requests",
                   str(tmp_path / "requests.csv"), "--k", "1", "--out", str(tmp_path / "cli.csv"))
    assert done.returncode == 0, done.stderr
    imported.directory.route_many(batch, k=1).to_csv(tmp_path / "python.csv")
    assert read_rows(tmp_path / "python.csv") == read_rows(tmp_path / "cli.csv")


def test_request_extensions_from_a_data_frame():
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({
        "id": ["a", "b", "c"], "lat": [52.37] * 3, "lon": [4.90] * 3, "topics": "basics",
        "age": [16, None, 70], "can_pay": [True, False, True],
        "at": [pd.Timestamp("2026-06-01 10:00"), pd.NaT, pd.Timestamp("2026-06-01 10:00", tz="UTC")],
        "within_days": [2, 0, 0]})
    batch = wegwijzer.RequestBatch.from_frame(frame)
    assert [r.age for r in batch] == [16, None, 70]
    assert [r.can_pay for r in batch] == [True, False, True]
    # Naive = Amsterdam time (summer: +02:00); a missing time is none; UTC keeps its instant.
    assert [r.at for r in batch] == ["2026-06-01T10:00:00+02:00", None, "2026-06-01T12:00:00+02:00"]
    assert [r.within_days for r in batch] == [2, 0, 0]
    again = wegwijzer.RequestBatch.from_frame(batch.to_pandas())
    assert again.to_proto() == batch.to_proto()
