"""Bad input raises the Python exception for its status code, with the library's message;
the interpreter never crashes."""
from __future__ import annotations

import os
import subprocess
import sys

import numpy as np
import pytest

import wegwijzer
from conftest import FIXTURES


@pytest.fixture(scope="module")
def directory() -> wegwijzer.Directory:
    return wegwijzer.Directory.from_csv(FIXTURES / "route_small" / "providers.csv")


def test_missing_file_is_file_not_found(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such file"):
        wegwijzer.Directory.from_csv(tmp_path / "nope.csv")
    with pytest.raises(FileNotFoundError, match="nope.csv"):
        wegwijzer.RequestBatch.from_csv(tmp_path / "nope.csv")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_unreadable_file_is_permission_error(tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("id,kind,topics\nx,ido,digid\n")
    path.chmod(0)
    with pytest.raises(PermissionError):
        wegwijzer.Directory.from_csv(path)


def test_a_folder_is_not_a_file(tmp_path):
    with pytest.raises(ValueError):
        wegwijzer.Directory.from_csv(tmp_path)


def test_bad_rows_raise_value_error_naming_file_and_line(tmp_path):
    path = tmp_path / "providers.csv"
    path.write_text("id,kind,topics,lat,lon\n"
                    "a,ido,digid,52,6\n"
                    "b,ido,DigiD,52,6\n"
                    "c,spaceship,digid,52,6\n")
    with pytest.raises(ValueError) as error:
        wegwijzer.Directory.from_csv(path)
    message = str(error.value)
    assert f"{path}:3:" in message and "'DigiD'" in message
    assert f"{path}:4:" in message and "'spaceship'" in message
    # With skip_bad_rows the good rows load and the skipped ones are reported.
    with pytest.warns(wegwijzer.CsvWarning, match="2 of 3 rows are bad"):
        directory = wegwijzer.Directory.from_csv(path, skip_bad_rows=True)
    assert directory.provider_ids == ("a",)
    assert directory.report.bad_rows == 2 and directory.report.bad_rows_skipped
    assert [p.line for p in directory.report.problems] == [3, 4]


def test_missing_column_is_a_whole_file_error(tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text("id,lat,lon\nr1,52,6\n")
    with pytest.raises(ValueError, match="topics"):
        wegwijzer.RequestBatch.from_csv(path, skip_bad_rows=True)


def test_unknown_columns_warn(tmp_path):
    path = tmp_path / "requests.csv"
    path.write_text("id,lat,lon,topics,colour\nr1,52,6,digid,blue\n")
    with pytest.warns(wegwijzer.CsvWarning, match="colour"):
        batch = wegwijzer.RequestBatch.from_csv(path)
    assert len(batch) == 1 and batch.report.problems[0].kind == "warning"


@pytest.mark.parametrize("kwargs, message", [
    (dict(topics=["DigiD"]), "topics: unknown code 'DigiD'"),
    (dict(topics="digid", languages=["dutch"]), "languages: unknown code 'dutch'"),
    (dict(topics="digid", modes="teleport"), "modes: unknown code 'teleport'"),
    (dict(topics="digid", access=["ramp"]), "access: unknown code 'ramp'"),
    (dict(topics=[]), "no topics"),
    (dict(topics="digid", max_km=-1), "max_km -1 is outside 0..1000"),
    (dict(topics="digid", max_km=float("inf")), "max_km inf is outside 0..1000"),
    (dict(topics=1 << 20), "bit mask 1048576 is outside 0..32767"),
    (dict(topics=1 << 70), "bit mask 1180591620717411303424 is far outside"),
    (dict(topics=[42.5]), "codes must be str"),
])
def test_invalid_request_is_value_error(directory, kwargs, message):
    with pytest.raises(ValueError, match=message.replace(".", r"\.")):
        directory.route(52.5, 6.1, **kwargs)


@pytest.mark.parametrize("lat, lon", [(91, 6), (-91, 6), (52, 181), (float("nan"), 6)])
def test_position_out_of_range(directory, lat, lon):
    with pytest.raises(ValueError, match="is not finite or out of range"):
        directory.route(lat, lon, topics="digid")


def test_route_arguments(directory):
    with pytest.raises(ValueError, match="k must be >= 1"):
        directory.route(52.5, 6.1, topics="digid", k=0)
    with pytest.raises(ValueError, match="topics is required"):
        directory.route(52.5, 6.1)
    with pytest.raises(ValueError, match="threads must be >= 0"):
        directory.route_many([52.5], [6.1], topics="digid", threads=-1)


def test_route_many_names_the_bad_row(directory):
    lat = np.array([52.5, 52.5, 95.0, 52.5])
    with pytest.raises(ValueError, match=r"request '2': position \(95, 6.1\)"):
        directory.route_many(lat, np.full(4, 6.1), topics="digid")
    with pytest.raises(ValueError, match=r"request 'c': priority 7 is outside 0\.\.3"):
        wegwijzer.RequestBatch.from_columns(lat=[52.5] * 3, lon=[6.1] * 3, topics="digid",
                                            id=["a", "b", "c"], priority=[0, 1, 7])
    with pytest.raises(ValueError, match=r"topics: unknown code 'x' \(row 1\)"):
        directory.route_many([52.5, 52.5], [6.1, 6.1], topics=["digid", "x"])
    with pytest.raises(ValueError, match="priority 1.5.* is not a whole number"):
        wegwijzer.RequestBatch.from_columns(lat=[52.5], lon=[6.1], topics="digid", priority=[1.5])


def test_column_shapes(directory):
    with pytest.raises(ValueError, match="topics: 1 values for 3 requests"):
        directory.route_many([52.5] * 3, [6.1] * 3, topics=["digid"])
    with pytest.raises(ValueError, match="lon: 2 values for 3 requests"):
        directory.route_many([52.5] * 3, [6.1] * 2, topics="digid")
    with pytest.raises(ValueError, match="expected a 1-d column"):
        directory.route_many([52.5] * 4, [6.1] * 4, topics=np.array([["digid"] * 2] * 2, dtype=object))
    with pytest.raises(ValueError, match="lat: expected one number per request"):
        directory.route_many(["north", "south"], [6.1, 6.1], topics="digid")
    with pytest.raises(ValueError, match="id: one id for 2 requests"):
        directory.route_many([52.5] * 2, [6.1] * 2, topics="digid", id="same")
    with pytest.raises(ValueError, match="missing column"):
        directory.match({"lat": [52.5], "lon": [6.1]})


def test_match_needs_unique_ids(directory):
    batch = wegwijzer.RequestBatch.from_columns(lat=[52.5, 52.5], lon=[6.1, 6.1],
                                                topics="digid", id=["a", "a"])
    directory.route_many(batch)  # routing does not care about ids
    with pytest.raises(ValueError, match="request id 'a' is used twice"):
        directory.match(batch)
    with pytest.raises(ValueError, match="unassigned_penalty_m must be > 0"):
        directory.match(batch[:1], unassigned_penalty_m=0)


def test_bad_protobuf_bytes(directory):
    with pytest.raises(ValueError, match="not a wegwijzer.v1.DirectorySnapshot"):
        wegwijzer.Directory.from_proto(b"\xff\xff\xff garbage")
    with pytest.raises(ValueError, match="not a wegwijzer.v1.RequestBatch"):
        wegwijzer.RequestBatch.from_proto(b"\xff\xff\xff garbage")
    with pytest.raises(ValueError, match="expected bytes"):
        wegwijzer.Directory.from_proto("a str is not bytes")


def test_invalid_snapshot_names_the_provider():
    proto = pytest.importorskip("wegwijzer.proto")
    snapshot = proto.DirectorySnapshot()
    provider = snapshot.providers.add(id="p1", kind=proto.ProviderKind.PROVIDER_KIND_IDO)
    provider.topics.append(proto.Topic.TOPIC_DIGID)
    provider.modes.append(proto.Mode.MODE_IN_PERSON)  # physical, but no location
    with pytest.raises(ValueError, match="p1"):
        wegwijzer.Directory.from_proto(snapshot)


def test_lookups(directory):
    with pytest.raises(KeyError):
        directory.provider("nobody")
    with pytest.raises(IndexError, match="provider index 99"):
        directory.provider(99)
    with pytest.raises(IndexError):
        directory.provider(-1)
    assert "nobody" not in directory and directory.index_of("nobody") is None


def test_writing_into_a_missing_folder_is_an_os_error(directory, tmp_path):
    with pytest.raises(OSError):
        directory.to_csv(tmp_path / "no" / "such" / "folder" / "providers.csv")


def test_the_interpreter_survives_a_barrage(tmp_path):
    """Garbage of every kind, in a child interpreter: it must end normally."""
    script = tmp_path / "barrage.py"
    script.write_text(
        "import numpy as np, wegwijzer, random\n"
        "d, b = wegwijzer.generate_scenario(seed=1, providers=50, requests=5)\n"
        "rng = random.Random(1)\n"
        "junk = [None, 1, -1, 2**70, 1.5, float('nan'), 'x', b'x', [], [None], {1: 2}, object(),\n"
        "        np.zeros((2, 2)), np.array(['a']), np.array([2**40]), 'digid;;;', ';']\n"
        "failures = 0\n"
        "for _ in range(3000):\n"
        "    args = [rng.choice(junk) for _ in range(6)]\n"
        "    try:\n"
        "        d.route_many(args[0], args[1], topics=args[2], languages=args[3], modes=args[4],\n"
        "                     max_km=args[5], k=rng.choice([1, 5, 0, -3, 2**40]))\n"
        "    except (ValueError, TypeError, IndexError, OverflowError):\n"
        "        failures += 1\n"
        "    for call in (lambda: wegwijzer.Directory.from_proto(bytes(rng.randrange(256) for _ in range(rng.randrange(64)))),\n"
        "                 lambda: wegwijzer.RequestBatch.from_proto(bytes(rng.randrange(256) for _ in range(rng.randrange(64))))):\n"
        "        try:\n"
        "            call()\n"
        "        except ValueError:\n"
        "            pass\n"
        "print('survived', failures)\n")
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("survived")


def test_tampered_arrays_are_refused(directory, tmp_path):
    table = directory.route_many([52.5120], [6.0910], topics="digid", k=2)
    table.location[0, 0] = 99  # NumPy arrays are the caller's to change
    with pytest.raises(ValueError, match="do not match the directory"):
        table.to_csv(tmp_path / "route.csv")
    table = directory.route_many([52.5120], [6.0910], topics="digid", k=2)
    table.provider[0, 1] = len(directory)
    with pytest.raises(ValueError, match="do not match the directory"):
        table.to_csv(tmp_path / "route.csv")
    assert not (tmp_path / "route.csv").exists()


def test_route_many_of_an_array_alone(directory):
    with pytest.raises(TypeError, match="lon and topics are needed"):
        directory.route_many(np.array([52.5]))


# ---- Memory limits: route, match and coverage go through the library's Try entries ----

MATCH_SMALL = FIXTURES / "match_small"


def test_match_past_its_memory_limit_is_memory_error():
    directory = wegwijzer.Directory.from_csv(MATCH_SMALL / "providers.csv")
    requests = wegwijzer.RequestBatch.from_csv(MATCH_SMALL / "requests.csv")
    providers = len(directory.provider_ids)
    with pytest.raises(MemoryError) as error:
        directory.match(requests, max_memory_bytes=100)
    message = str(error.value)
    assert message.startswith(f"match of 6 requests against {providers} providers needs about ")
    assert "more than the memory limit of 0.0 MiB (MatchOptions::max_memory_bytes" in message
    assert "raise it or split the input" in message
    # A memory limit is not a provider being full.
    assert not isinstance(error.value, wegwijzer.CapacityExhaustedError)
    with pytest.raises(ValueError, match=r"MatchOptions::max_memory_bytes must be > 0, not 0"):
        directory.match(requests, max_memory_bytes=0)
    # Enough memory: the same plan as with the default limit.
    roomy = directory.match(requests, max_memory_bytes=1 << 20)
    default = directory.match(requests)
    assert roomy.objective == default.objective
    for column in ("provider", "location", "cost_m"):
        assert np.array_equal(getattr(roomy, column), getattr(default, column))


def test_route_many_past_its_memory_limit_is_memory_error():
    directory = wegwijzer.Directory.from_csv(MATCH_SMALL / "providers.csv")
    requests = wegwijzer.RequestBatch.from_csv(MATCH_SMALL / "requests.csv")
    with pytest.raises(MemoryError, match=r"^route of 6 requests with k = 3 against \d+ "
                                          r"providers needs about .*RouteOptions::max_memory_bytes"):
        directory.route_many(requests, k=3, max_memory_bytes=100)
    with pytest.raises(ValueError, match=r"RouteOptions::max_memory_bytes must be > 0, not -1"):
        directory.route_many(requests, k=3, max_memory_bytes=-1)
    table = directory.route_many(requests, k=3, max_memory_bytes=1 << 20)
    assert np.array_equal(table.provider, directory.route_many(requests, k=3).provider)


def test_analyze_coverage_past_its_memory_limit_is_memory_error(tmp_path):
    demand = tmp_path / "demand.csv"
    lines = (MATCH_SMALL / "requests.csv").read_text().splitlines()
    demand.write_text("\n".join([lines[0] + ",count"] + [l + ",1000" for l in lines[1:]]) + "\n")
    providers = str(MATCH_SMALL / "providers.csv")
    with pytest.raises(MemoryError, match=r"^route of 6 requests with k = 1 .*needs about "
                                          r".*more than the memory limit of 0\.0 MiB"):
        wegwijzer.analyze_coverage(providers, str(demand), max_memory_bytes=100)
    with pytest.raises(ValueError, match=r"max_memory_bytes must be > 0, not 0"):
        wegwijzer.analyze_coverage(providers, str(demand), max_memory_bytes=0)
    result = wegwijzer.analyze_coverage(providers, str(demand), max_memory_bytes=1 << 20)
    assert result.summary["demand"] == 6000
    assert result.summary == wegwijzer.analyze_coverage(providers, str(demand)).summary
