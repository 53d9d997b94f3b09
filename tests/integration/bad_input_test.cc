// The reliability catalogue: every kind of bad input the library accepts from the
// outside, and what it must answer. Each case names its entry point, its input, the
// absl status code the caller must get (chosen by what the caller should do) and the
// words the message must hold: the file and line or the record id, and the reason.
//
// Entry points: providers.csv and requests.csv text (ParseProvidersCsv /
// ParseRequestsCsv), files on disk (ReadProvidersCsv), protobuf snapshots as text
// format (Directory::Create) and as bytes (Directory::FromSerialized), requests as
// protobuf (Request::FromProto) and as the C++ struct (Request::Validate). The
// router's behaviour on awkward calls (k = 0, huge k, an empty directory, an invalid
// request) is checked by the tests after the table.
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <limits>
#include <new>
#include <string>
#include <vector>

#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/text_format.h"
#include "gtest/gtest.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

// The largest single allocation since the last reset, to check that a huge k does
// not make the router reserve memory for k referrals. Replacing the global operator
// new is allowed and affects this test binary only; array, nothrow and aligned forms
// route through this one or are not used by the code under test.
namespace {
std::atomic<size_t> g_largest_allocation{0};
}  // namespace

void* operator new(std::size_t size) {
  size_t seen = g_largest_allocation.load(std::memory_order_relaxed);
  while (size > seen &&
         !g_largest_allocation.compare_exchange_weak(seen, size, std::memory_order_relaxed)) {
  }
  if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
  throw std::bad_alloc();
}
// The replacement operator new above allocates with malloc, so free is the matching
// release; GCC 12 does not see through the replacement and reports a mismatch.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

namespace wegwijzer {
namespace {

enum class Entry {
  kProvidersCsv,    // input: providers.csv text, read as "providers.csv"
  kRequestsCsv,     // input: requests.csv text, read as "requests.csv"
  kProvidersFile,   // input: a file name in an absent folder ("" = the temp folder)
  kSnapshot,        // input: wegwijzer.v1.DirectorySnapshot in text format
  kSnapshotBytes,   // input: raw bytes for Directory::FromSerialized("snapshot.pb")
  kRequestProto,    // input: wegwijzer.v1.Request in text format, for FromProto
  kRequestStruct,   // input: the same, copied into Request without checks, Validate()
};

struct Case {
  const char* name;
  Entry entry;
  std::string input;
  absl::StatusCode code;
  std::vector<std::string> message_has;
};

// A valid serialized snapshot whose last field is a string, so that cutting its last
// byte leaves a length prefix pointing past the end.
std::string ValidSnapshotBytes() {
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("p1");
  p->set_kind(v1::PROVIDER_KIND_PHONE);
  p->add_topics(v1::TOPIC_DIGID);
  p->add_modes(v1::MODE_PHONE);
  snapshot.set_source("export-2026-11");
  return snapshot.SerializeAsString();
}

const std::string kP = "id,kind,lat,lon,topics,modes,radius_km,capacity,languages,access\n";
const std::string kR = "id,lat,lon,topics,languages,modes,access,max_km,priority\n";
// A valid provider (snapshot text) to build on.
const std::string kProvider =
    "id: 'p1' kind: PROVIDER_KIND_IDO topics: TOPIC_DIGID modes: MODE_IN_PERSON ";
const std::string kLocation = "locations { position { lat_deg: 52 lon_deg: 5 } } ";
const std::string kRequest =
    "id: 'r1' position { lat_deg: 52 lon_deg: 5 } topics: TOPIC_DIGID ";
const std::string kSquare =
    "points { lat_deg: 52 lon_deg: 5 } points { lat_deg: 52 lon_deg: 6 } "
    "points { lat_deg: 53 lon_deg: 6 } points { lat_deg: 53 lon_deg: 5 } ";

constexpr absl::StatusCode kInvalid = absl::StatusCode::kInvalidArgument;
using std::string_view_literals::operator""sv;

const std::vector<Case>& Catalogue() {
  static const std::vector<Case>* cases = new std::vector<Case>{
      // ----- providers.csv: whole-file errors
      {"providers: empty file", Entry::kProvidersCsv, "", kInvalid,
       {"providers.csv", "empty"}},
      {"providers: only blank lines and a BOM", Entry::kProvidersCsv, "\xEF\xBB\xBF\n\r\n",
       kInvalid, {"providers.csv", "empty"}},
      {"providers: missing required column", Entry::kProvidersCsv,
       "id,lat,lon,topics\np1,52,5,digid\n", kInvalid,
       {"providers.csv", "missing required column 'kind'"}},
      {"providers: duplicate column", Entry::kProvidersCsv,
       "id,kind,topics,lat,lon,lat\np1,ido,digid,52,5,52\n", kInvalid,
       {"providers.csv", "duplicate column 'lat'"}},
      {"providers: invalid UTF-8 in the header", Entry::kProvidersCsv,
       "id,kind,topics,na\xC3\x28me\np1,ido,digid,x\n", kInvalid,
       {"providers.csv", "line 1", "UTF-8"}},
      {"providers: quoted field never closes", Entry::kProvidersCsv,
       kP + "p1,phone,,,digid,phone,,,,\np2,phone,,,\"digid,phone,,,,\n", kInvalid,
       {"providers.csv", "line 3", "never closes"}},
      {"providers: Dutch-locale export (';' and decimal commas)", Entry::kProvidersCsv,
       "id;kind;lat;lon;topics\np1;ido;52,37;4,89;digid\n", kInvalid,
       {"providers.csv", "missing required column", "';'"}},
      {"providers: old Mac line ends (lone CR) are not line ends", Entry::kProvidersCsv,
       "id,kind,topics\rp1,ido,digid\r", kInvalid,
       {"providers.csv", "missing required column 'topics'", "lone CR"}},
      {"providers: UTF-16 export", Entry::kProvidersCsv,
       std::string("\xFF\xFEi\0d\0,\0k\0i\0n\0d\0\n\0"sv), kInvalid,
       {"providers.csv", "line 1", "not valid UTF-8", "UTF-16"}},
      // ----- providers.csv: bad rows, one reason each
      {"providers: too few fields", Entry::kProvidersCsv, kP + "p1,ido,52,5,digid\n",
       kInvalid, {"providers.csv:2: bad row", "has 5 fields, the header has 10"}},
      {"providers: too many fields (unquoted comma in a value)", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,in_person,,,nl,wheelchair,quiet_room\n", kInvalid,
       {"providers.csv:2: bad row", "has 11 fields"}},
      {"providers: invalid UTF-8 in a row", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,in_person,,,nl,\xED\xA0\x80\n", kInvalid,
       {"providers.csv:2: bad row", "UTF-8"}},
      {"providers: text after a closing quote", Entry::kProvidersCsv,
       kP + "p1,\"ido\"x,52,5,digid,in_person,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "text after a closing quote"}},
      {"providers: a line of commas", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,,,\n,,,,,,,,,\n", kInvalid,
       {"providers.csv:3: bad row", "id is empty"}},
      {"providers: duplicate id", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,,,\np1,library,52,5,digid,,,,,\n", kInvalid,
       {"providers.csv:3: bad row", "duplicate id 'p1'"}},
      {"providers: unknown topic (codes are case-sensitive)", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid;DigiD,,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "topics: unknown code 'DigiD'"}},
      {"providers: unknown kind", Entry::kProvidersCsv, kP + "p1,IDO,52,5,digid,,,,,\n",
       kInvalid, {"providers.csv:2: bad row", "kind: unknown code 'IDO'"}},
      {"providers: unknown mode", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,walk_in,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "modes: unknown code 'walk_in'"}},
      {"providers: unknown access feature", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,,,lift\n", kInvalid,
       {"providers.csv:2: bad row", "access: unknown code 'lift'"}},
      {"providers: language not two lowercase letters", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,,nl;EN,\n", kInvalid,
       {"providers.csv:2: bad row", "languages: unknown code 'EN'"}},
      {"providers: empty kind", Entry::kProvidersCsv, kP + "p1,,52,5,digid,,,,,\n",
       kInvalid, {"providers.csv:2: bad row", "kind is empty"}},
      {"providers: empty topics", Entry::kProvidersCsv, kP + "p1,ido,52,5, ; ,,,,,\n",
       kInvalid, {"providers.csv:2: bad row", "topics is empty"}},
      {"providers: in_person without coordinates", Entry::kProvidersCsv,
       kP + "p1,ido,,,digid,in_person;phone,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "lat and lon are required", "in_person"}},
      {"providers: half-given coordinates on a phone line", Entry::kProvidersCsv,
       kP + "p1,phone,52.1,,digid,phone,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "half given", "lon"}},
      {"providers: latitude out of range", Entry::kProvidersCsv,
       kP + "p1,ido,91,5,digid,,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "lat", "91", "-90..90"}},
      {"providers: longitude 'inf'", Entry::kProvidersCsv, kP + "p1,ido,52,inf,digid,,,,,\n",
       kInvalid, {"providers.csv:2: bad row", "lon: 'inf' is not a decimal number"}},
      {"providers: latitude too large for a double", Entry::kProvidersCsv,
       kP + "p1,ido,1e400,5,digid,,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "lat: '1e400' is out of range"}},
      {"providers: decimal comma", Entry::kProvidersCsv,
       kP + "p1,ido,\"52,37\",5,digid,,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "'52,37'", "decimal comma"}},
      {"providers: hexadecimal number", Entry::kProvidersCsv,
       kP + "p1,ido,0x34,5,digid,,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "lat: '0x34' is not a decimal number"}},
      {"providers: radius_km above 1000 without home visits", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,in_person,1000.5,,,\n", kInvalid,
       {"providers.csv:2: bad row", "radius_km", "0..1000"}},
      {"providers: home_visit without a radius", Entry::kProvidersCsv,
       kP + "p1,volunteer,52,5,digid,home_visit,,,,\n", kInvalid,
       {"providers.csv:2: bad row", "radius_km must be > 0", "home_visit"}},
      {"providers: negative capacity", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,-2,,\n", kInvalid,
       {"providers.csv:2: bad row", "capacity", "negative"}},
      {"providers: capacity not a whole number", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,3.0,,\n", kInvalid,
       {"providers.csv:2: bad row", "capacity: '3.0' is not a whole number"}},
      {"providers: every bad row reported, then a summary", Entry::kProvidersCsv,
       kP + "p1,ido,52,5,digid,,,,,\np2,ido,52,5,bogus,,,,,\np3,ido,52,5,digid,,,,,\n"
            "p4,ido,52,5,digid,,,-1,,\n",
       kInvalid,
       {"providers.csv:3: bad row: topics: unknown code 'bogus'",
        "providers.csv:5: bad row: capacity", "providers.csv: 2 of 4 rows are bad"}},
      // ----- providers.csv on disk
      {"providers file: no such file", Entry::kProvidersFile, "missing.csv",
       absl::StatusCode::kNotFound, {"missing.csv", "no such file"}},
      {"providers file: a directory", Entry::kProvidersFile, "", kInvalid,
       {"is a directory"}},

      // ----- requests.csv
      {"requests: empty file", Entry::kRequestsCsv, "", kInvalid, {"requests.csv", "empty"}},
      {"requests: missing required column", Entry::kRequestsCsv,
       "id,lat,topics\nr1,52,digid\n", kInvalid,
       {"requests.csv", "missing required column 'lon'"}},
      {"requests: duplicate column", Entry::kRequestsCsv,
       "id,lat,lon,topics,id\nr1,52,5,digid,r1\n", kInvalid,
       {"requests.csv", "duplicate column 'id'"}},
      {"requests: empty latitude", Entry::kRequestsCsv, kR + "r1,,5,digid,,,,,\n", kInvalid,
       {"requests.csv:2: bad row", "lat is empty"}},
      {"requests: latitude 'nan'", Entry::kRequestsCsv, kR + "r1,nan,5,digid,,,,,\n",
       kInvalid, {"requests.csv:2: bad row", "lat: 'nan' is not a decimal number"}},
      {"requests: inner space in a number", Entry::kRequestsCsv,
       kR + "r1,52 .1,5,digid,,,,,\n", kInvalid,
       {"requests.csv:2: bad row", "lat: '52 .1'"}},
      {"requests: longitude out of range", Entry::kRequestsCsv, kR + "r1,52,200,digid,,,,,\n",
       kInvalid, {"requests.csv:2: bad row", "lon", "-180..180"}},
      {"requests: max_km above 1000", Entry::kRequestsCsv,
       kR + "r1,52,5,digid,,,,1000.5,\n", kInvalid,
       {"requests.csv:2: bad row", "max_km", "0..1000"}},
      {"requests: negative max_km", Entry::kRequestsCsv, kR + "r1,52,5,digid,,,,-1,\n",
       kInvalid, {"requests.csv:2: bad row", "max_km", "-1"}},
      {"requests: priority above 3", Entry::kRequestsCsv, kR + "r1,52,5,digid,,,,,4\n",
       kInvalid, {"requests.csv:2: bad row", "priority", "0..3"}},
      {"requests: priority 1.0 is not whole", Entry::kRequestsCsv,
       kR + "r1,52,5,digid,,,,,1.0\n", kInvalid,
       {"requests.csv:2: bad row", "priority: '1.0' is not a whole number"}},
      {"requests: unknown language", Entry::kRequestsCsv, kR + "r1,52,5,digid,Arabic,,,,\n",
       kInvalid, {"requests.csv:2: bad row", "languages: unknown code 'Arabic'"}},
      {"requests: unknown topic", Entry::kRequestsCsv, kR + "r1,52,5,toeslagen,,,,,\n",
       kInvalid, {"requests.csv:2: bad row", "topics: unknown code 'toeslagen'"}},
      {"requests: empty topics", Entry::kRequestsCsv, kR + "r1,52,5,,,,,,\n", kInvalid,
       {"requests.csv:2: bad row", "topics is empty"}},
      {"requests: duplicate id after a multi-line row", Entry::kRequestsCsv,
       "id,lat,lon,topics,note\nr1,52,5,digid,\"two\nlines\"\nr1,52,5,digid,\n", kInvalid,
       {"requests.csv:4: bad row", "duplicate id 'r1'"}},

      // ----- protobuf snapshots (Directory::Create)
      {"snapshot: non-finite latitude", Entry::kSnapshot,
       "providers { " + kProvider + "locations { position { lat_deg: nan lon_deg: 5 } } }",
       kInvalid, {"provider #1 'p1'", "not finite or out of range"}},
      {"snapshot: infinite longitude", Entry::kSnapshot,
       "providers { " + kProvider + "locations { position { lat_deg: 52 lon_deg: inf } } }",
       kInvalid, {"provider #1 'p1'", "not finite or out of range"}},
      {"snapshot: latitude out of range", Entry::kSnapshot,
       "providers { " + kProvider + "locations { position { lat_deg: -91 lon_deg: 5 } } }",
       kInvalid, {"provider #1 'p1'", "out of range"}},
      {"snapshot: location without a position", Entry::kSnapshot,
       "providers { " + kProvider + "locations { id: 'hal' } }", kInvalid,
       {"provider #1 'p1'", "'hal'", "no position"}},
      {"snapshot: duplicate provider id", Entry::kSnapshot,
       "source: 'export-7' providers { " + kProvider + kLocation + "} providers { " +
           kProvider + kLocation + "}",
       kInvalid, {"export-7", "provider #2 'p1'", "duplicate id", "provider #1"}},
      {"snapshot: empty provider id", Entry::kSnapshot,
       "providers { kind: PROVIDER_KIND_IDO topics: TOPIC_DIGID modes: MODE_PHONE }",
       kInvalid, {"provider #1", "empty id"}},
      {"snapshot: bow-tie service area (self-intersecting)", Entry::kSnapshot,
       "providers { " + kProvider + kLocation +
           "service_area { parts { exterior { points { lat_deg: 52 lon_deg: 5 } "
           "points { lat_deg: 53 lon_deg: 6 } points { lat_deg: 52 lon_deg: 6 } "
           "points { lat_deg: 53 lon_deg: 5 } points { lat_deg: 52 lon_deg: 5 } } } } }",
       kInvalid, {"provider #1 'p1'", "service area is invalid", "part 0 exterior crosses itself",
                  "near lat 52.5, lon 5.5", "bow-tie"}},
      {"snapshot: lopsided bow-tie service area (loops of unequal area)", Entry::kSnapshot,
       "providers { " + kProvider + kLocation +
           "service_area { parts { exterior { points { lat_deg: 52 lon_deg: 5 } "
           "points { lat_deg: 53 lon_deg: 6 } points { lat_deg: 52 lon_deg: 6 } "
           "points { lat_deg: 53.5 lon_deg: 5 } points { lat_deg: 52 lon_deg: 5 } } } } }",
       kInvalid, {"provider #1 'p1'", "service area is invalid", "part 0 exterior crosses itself",
                  "near lat 52.", "bow-tie"}},
      {"snapshot: service area whose hole lies outside its part", Entry::kSnapshot,
       "providers { " + kProvider + kLocation +
           "service_area { parts { exterior { points { lat_deg: 52 lon_deg: 5 } "
           "points { lat_deg: 52 lon_deg: 6 } points { lat_deg: 53 lon_deg: 6 } "
           "points { lat_deg: 53 lon_deg: 5 } points { lat_deg: 52 lon_deg: 5 } } "
           "holes { points { lat_deg: 54 lon_deg: 5 } points { lat_deg: 54 lon_deg: 5.1 } "
           "points { lat_deg: 54.1 lon_deg: 5.1 } points { lat_deg: 54.1 lon_deg: 5 } "
           "points { lat_deg: 54 lon_deg: 5 } } } } }",
       kInvalid, {"provider #1 'p1'", "service area is invalid", "a hole lies outside its part"}},
      {"snapshot: unclosed service-area ring", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "service_area { parts { exterior { " +
           kSquare + "} } } }",
       kInvalid, {"provider #1 'p1'", "service area part 0 exterior", "not closed"}},
      {"snapshot: service-area ring of three points", Entry::kSnapshot,
       "providers { " + kProvider + kLocation +
           "service_area { parts { exterior { points { lat_deg: 52 lon_deg: 5 } "
           "points { lat_deg: 53 lon_deg: 6 } points { lat_deg: 52 lon_deg: 5 } } } } }",
       kInvalid, {"provider #1 'p1'", "has 3 points", "at least 4"}},
      {"snapshot: service area without parts", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "service_area { } }", kInvalid,
       {"provider #1 'p1'", "service area has no parts"}},
      {"snapshot: negative capacity", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "capacity: -3 }", kInvalid,
       {"provider #1 'p1'", "capacity -3 is negative"}},
      {"snapshot: unknown topic value", Entry::kSnapshot,
       "providers { id: 'p1' kind: PROVIDER_KIND_IDO topics: 99 modes: MODE_PHONE }",
       kInvalid, {"provider #1 'p1'", "unknown topic value 99"}},
      {"snapshot: unknown mode value", Entry::kSnapshot,
       "providers { id: 'p1' kind: PROVIDER_KIND_IDO topics: TOPIC_DIGID modes: 7 }",
       kInvalid, {"provider #1 'p1'", "unknown mode value 7"}},
      {"snapshot: unknown access value", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "access: 12 }", kInvalid,
       {"provider #1 'p1'", "unknown access value 12"}},
      {"snapshot: kind unspecified", Entry::kSnapshot,
       "providers { id: 'p1' topics: TOPIC_DIGID modes: MODE_PHONE }", kInvalid,
       {"provider #1 'p1'", "unknown kind value 0"}},
      {"snapshot: no topics", Entry::kSnapshot,
       "providers { id: 'p1' kind: PROVIDER_KIND_IDO modes: MODE_PHONE }", kInvalid,
       {"provider #1 'p1'", "no topics"}},
      {"snapshot: unknown language code", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "languages: 'NL' }", kInvalid,
       {"provider #1 'p1'", "unknown language code 'NL'"}},
      {"snapshot: physical mode without a location", Entry::kSnapshot,
       "providers { " + kProvider + "}", kInvalid,
       {"provider #1 'p1'", "physical mode", "no location"}},
      {"snapshot: home visits with radius 0", Entry::kSnapshot,
       "providers { id: 'p1' kind: PROVIDER_KIND_VOLUNTEER topics: TOPIC_DIGID "
       "modes: MODE_HOME_VISIT " + kLocation + "}",
       kInvalid, {"provider #1 'p1'", "radius_km"}},
      {"snapshot: radius_km NaN", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "radius_km: nan }", kInvalid,
       {"provider #1 'p1'", "radius_km", "0..1000"}},
      {"snapshot: empty municipality code", Entry::kSnapshot,
       "providers { " + kProvider + kLocation + "municipalities: '' }", kInvalid,
       {"provider #1 'p1'", "empty municipality code"}},
      // ----- protobuf snapshots as bytes (Directory::FromSerialized)
      {"snapshot bytes: garbage", Entry::kSnapshotBytes, std::string("\xFF\xFF\xFF\xFF\xFF"),
       kInvalid, {"snapshot.pb", "not a wegwijzer.v1.DirectorySnapshot"}},
      {"snapshot bytes: truncated", Entry::kSnapshotBytes,
       ValidSnapshotBytes().substr(0, ValidSnapshotBytes().size() - 1), kInvalid,
       {"snapshot.pb", "not a wegwijzer.v1.DirectorySnapshot"}},
      {"snapshot bytes: parsable but invalid content", Entry::kSnapshotBytes,
       std::string("\x0A\x02\x18\x01", 4),  // providers { kind: IDO }, no id
       kInvalid, {"snapshot.pb", "provider #1", "empty id"}},

      // ----- requests through the API
      {"request proto: NaN latitude", Entry::kRequestProto,
       "id: 'r1' position { lat_deg: nan lon_deg: 5 } topics: TOPIC_DIGID", kInvalid,
       {"request 'r1'", "not finite or out of range"}},
      {"request proto: longitude 181", Entry::kRequestProto,
       "id: 'r1' position { lat_deg: 52 lon_deg: 181 } topics: TOPIC_DIGID", kInvalid,
       {"request 'r1'", "out of range"}},
      {"request proto: no position", Entry::kRequestProto, "id: 'r1' topics: TOPIC_DIGID",
       kInvalid, {"request 'r1'", "no position"}},
      {"request proto: priority 4", Entry::kRequestProto, kRequest + "priority: 4", kInvalid,
       {"request 'r1'", "priority 4 is outside 0..3"}},
      {"request proto: priority -1", Entry::kRequestProto, kRequest + "priority: -1",
       kInvalid, {"request 'r1'", "priority -1 is outside 0..3"}},
      {"request proto: negative max_km", Entry::kRequestProto, kRequest + "max_km: -1",
       kInvalid, {"request 'r1'", "max_km -1 is outside 0..1000"}},
      {"request proto: infinite max_km", Entry::kRequestProto, kRequest + "max_km: inf",
       kInvalid, {"request 'r1'", "max_km", "0..1000"}},
      {"request proto: no topics", Entry::kRequestProto,
       "id: 'r1' position { lat_deg: 52 lon_deg: 5 }", kInvalid,
       {"request 'r1'", "no topics"}},
      {"request proto: unknown topic value", Entry::kRequestProto, kRequest + "topics: 42",
       kInvalid, {"request 'r1'", "unknown topic value 42"}},
      {"request proto: unknown language", Entry::kRequestProto, kRequest + "languages: 'xx'",
       kInvalid, {"request 'r1'", "unknown language code 'xx'"}},
      {"request: Validate with NaN longitude", Entry::kRequestStruct,
       "id: 'r1' position { lat_deg: 52 lon_deg: nan } topics: TOPIC_DIGID", kInvalid,
       {"request 'r1'", "not finite or out of range"}},
      {"request: Validate with empty id", Entry::kRequestStruct,
       "position { lat_deg: 52 lon_deg: 5 } topics: TOPIC_DIGID", kInvalid,
       {"request", "empty id"}},
      {"request: Validate with NaN max_km", Entry::kRequestStruct, kRequest + "max_km: nan",
       kInvalid, {"request 'r1'", "max_km"}},
      {"request: Validate with priority 7", Entry::kRequestStruct, kRequest + "priority: 7",
       kInvalid, {"request 'r1'", "priority 7 is outside 0..3"}},
      {"request: Validate with no topics", Entry::kRequestStruct,
       "id: 'r1' position { lat_deg: 52 lon_deg: 5 }", kInvalid,
       {"request 'r1'", "no topics"}},
  };
  return *cases;
}

// Copies the proto into a Request field by field without any check, so that
// Validate() is what finds the problem.
Request Unchecked(const v1::Request& proto) {
  Request r;
  r.id = proto.id();
  r.position = {proto.position().lat_deg(), proto.position().lon_deg()};
  for (int t : proto.topics()) {
    if (t >= 1 && t <= kTopicCount) r.topics.Add(static_cast<Topic>(t - 1));
  }
  if (proto.has_max_km()) r.max_km = proto.max_km();
  r.priority = proto.priority();
  return r;
}

absl::Status RunCase(const Case& c) {
  switch (c.entry) {
    case Entry::kProvidersCsv:
      return ParseProvidersCsv(c.input, "providers.csv").status();
    case Entry::kRequestsCsv:
      return ParseRequestsCsv(c.input, "requests.csv").status();
    case Entry::kProvidersFile: {
      // "" is the temp folder itself; a name is looked up in a folder that does not exist.
      const std::string dir = ::testing::TempDir();
      const std::string absent = dir + "/bad_input_absent." + std::to_string(::getpid());
      return ReadProvidersCsv(c.input.empty() ? dir : absent + "/" + c.input).status();
    }
    case Entry::kSnapshot: {
      v1::DirectorySnapshot snapshot;
      if (!google::protobuf::TextFormat::ParseFromString(c.input, &snapshot)) {
        return absl::InternalError("the test's text-format snapshot does not parse");
      }
      return Directory::Create(snapshot).status();
    }
    case Entry::kSnapshotBytes:
      return Directory::FromSerialized(c.input, "snapshot.pb").status();
    case Entry::kRequestProto:
    case Entry::kRequestStruct: {
      v1::Request proto;
      if (!google::protobuf::TextFormat::ParseFromString(c.input, &proto)) {
        return absl::InternalError("the test's text-format request does not parse");
      }
      if (c.entry == Entry::kRequestProto) return Request::FromProto(proto).status();
      return Unchecked(proto).Validate();
    }
  }
  return absl::InternalError("unknown entry");
}

TEST(BadInput, CatalogueHasAtLeastFortyDistinctCases) {
  EXPECT_GE(Catalogue().size(), 40u);
  std::vector<std::string> names;
  for (const Case& c : Catalogue()) names.push_back(c.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(std::adjacent_find(names.begin(), names.end()), names.end());
}

TEST(BadInput, EachCaseGetsItsCodeAndAMessageNamingWhereAndWhy) {
  for (const Case& c : Catalogue()) {
    SCOPED_TRACE(c.name);
    const absl::Status status = RunCase(c);
    EXPECT_EQ(status.code(), c.code) << status;
    const std::string message(status.message());
    for (const std::string& part : c.message_has) {
      EXPECT_NE(message.find(part), std::string::npos)
          << "message lacks \"" << part << "\": " << message;
    }
  }
}

// A header without rows is a valid, empty table (the contract's whole-file errors
// name the empty file, not the empty table), reported with a warning.
TEST(BadInput, HeaderOnlyFilesAreEmptyTablesWithAWarning) {
  auto providers = ParseProvidersCsv(kP, "providers.csv");
  ASSERT_TRUE(providers.ok()) << providers.status();
  EXPECT_EQ(providers->directory->size(), 0u);
  EXPECT_NE(providers->report.ToString().find("providers.csv:1: warning: the file has a "
                                              "header but no rows"),
            std::string::npos)
      << providers->report.ToString();
  auto requests = ParseRequestsCsv(kR, "requests.csv");
  ASSERT_TRUE(requests.ok()) << requests.status();
  EXPECT_TRUE(requests->requests.empty());
  EXPECT_NE(requests->report.ToString().find("no rows"), std::string::npos);
}

TEST(BadInput, CsvWholeFileErrorsHoldEvenWithSkipBadRows) {
  // Every catalogue case that names no line ("file:N:") is a whole-file error.
  for (const Case& c : Catalogue()) {
    if (c.entry != Entry::kProvidersCsv && c.entry != Entry::kRequestsCsv) continue;
    if (c.message_has[0].find(".csv:") != std::string::npos) continue;
    SCOPED_TRACE(c.name);
    const CsvReadOptions skip{.skip_bad_rows = true};
    const absl::Status status = c.entry == Entry::kProvidersCsv
                                    ? ParseProvidersCsv(c.input, "providers.csv", skip).status()
                                    : ParseRequestsCsv(c.input, "requests.csv", skip).status();
    EXPECT_EQ(status.code(), c.code) << status;
  }
}

TEST(BadInput, CsvBadRowsAreSkippedWithSkipBadRowsAndStillReported) {
  for (const Case& c : Catalogue()) {
    if (c.entry != Entry::kProvidersCsv && c.entry != Entry::kRequestsCsv) continue;
    if (c.message_has[0].find(".csv:") == std::string::npos) continue;
    SCOPED_TRACE(c.name);
    const CsvReadOptions skip{.skip_bad_rows = true};
    std::string report;
    if (c.entry == Entry::kProvidersCsv) {
      absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(c.input, "providers.csv", skip);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      report = parsed->report.ToString();
    } else {
      absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(c.input, "requests.csv", skip);
      ASSERT_TRUE(parsed.ok()) << parsed.status();
      report = parsed->report.ToString();
    }
    for (const std::string& part : c.message_has) {
      if (part.find("rows are bad") != std::string::npos) continue;
      EXPECT_NE(report.find(part), std::string::npos) << part << " not in " << report;
    }
    EXPECT_NE(report.find("skipped"), std::string::npos) << report;
  }
}

// ---------------------------------------------------------------------------
// Snapshot bytes: no input crashes the reader.

TEST(BadInput, EveryTruncationOfASnapshotIsRejectedOrValid) {
  Scenario scenario = GenerateScenario({.seed = 5, .providers = 30, .requests = 0}).value();
  const std::string bytes = scenario.directory->SerializeAsString();
  ASSERT_TRUE(Directory::FromSerialized(bytes).ok());
  for (size_t n = 0; n < bytes.size(); ++n) {
    absl::StatusOr<std::shared_ptr<const Directory>> d =
        Directory::FromSerialized(std::string_view(bytes).substr(0, n), "cut.pb");
    // A cut at a field boundary is a valid, smaller snapshot (protobuf has no end
    // marker); every other cut must be reported, naming the source.
    if (!d.ok()) {
      EXPECT_EQ(d.status().code(), kInvalid) << n;
      EXPECT_NE(d.status().message().find("cut.pb"), absl::string_view::npos) << d.status();
    }
  }
}

TEST(BadInput, RandomBytesNeverCrashTheSnapshotReader) {
  uint64_t state = 0x5eed;
  auto next = [&] {  // SplitMix64: the same bytes on every platform
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  };
  google::protobuf::LogSilencer quiet;  // protobuf logs invalid UTF-8 in strings
  int rejected = 0;
  for (int i = 0; i < 2000; ++i) {
    std::string bytes(next() % 200, '\0');
    for (char& b : bytes) b = static_cast<char>(next());
    absl::StatusOr<std::shared_ptr<const Directory>> d =
        Directory::FromSerialized(bytes, "random.pb");
    if (d.ok()) continue;  // random bytes can be a valid (often empty) snapshot
    ++rejected;
    EXPECT_EQ(d.status().code(), kInvalid);
    EXPECT_NE(d.status().message().find("random.pb"), absl::string_view::npos)
        << d.status();
  }
  EXPECT_GT(rejected, 1000);
}

// ---------------------------------------------------------------------------
// The router on awkward calls: answers, not errors.

std::shared_ptr<const Directory> SmallDirectory() {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,kind,lat,lon,topics,modes\n"
      "a,ido,52.00,5,digid,in_person\n"
      "b,ido,52.01,5,digid,in_person\n"
      "c,phone,,,digid,phone\n",
      "providers.csv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed->directory;
}

Request DigidAt(double lat, double lon) {
  Request r;
  r.id = "r1";
  r.position = {lat, lon};
  r.topics = {Topic::kDigid};
  return r;
}

TEST(BadInput, RouteWithKZeroOrNegativeIsTreatedAsOne) {
  Router router(SmallDirectory());
  for (int k : {0, -1, std::numeric_limits<int>::min()}) {
    RouteResult result = router.Route(DigidAt(52, 5), {.k = k});
    ASSERT_EQ(result.referrals.size(), 1u) << k;
    EXPECT_EQ(router.directory().provider(result.referrals[0].provider).id, "a");
  }
}

TEST(BadInput, RouteWithAHugeKReturnsWhatSuitsWithoutAbsurdAllocation) {
  Router router(SmallDirectory());
  const Request request = DigidAt(52, 5);
  for (int k : {1'000'000'000, std::numeric_limits<int>::max()}) {
    g_largest_allocation = 0;
    RouteResult result = router.Route(request, {.k = k});
    EXPECT_LT(g_largest_allocation.load(), size_t{1} << 24) << k;  // 16 MB
    ASSERT_EQ(result.referrals.size(), 3u);
    g_largest_allocation = 0;
    std::vector<Request> batch(100, request);
    std::vector<RouteResult> results = router.RouteBatch(batch, {.k = k, .threads = 2});
    EXPECT_LT(g_largest_allocation.load(), size_t{1} << 24) << k;
    ASSERT_EQ(results.size(), batch.size());
    EXPECT_EQ(results[99].referrals.size(), 3u);
  }
}

TEST(BadInput, RoutingOnAnEmptyDirectoryFindsNoSuitableProviderAndSaysWhy) {
  absl::StatusOr<std::shared_ptr<const Directory>> empty =
      Directory::Create(v1::DirectorySnapshot());
  ASSERT_TRUE(empty.ok()) << empty.status();
  Router router(*empty);
  RouteResult result = router.Route(DigidAt(52, 5), {.k = 5, .explain_no_match = true});
  EXPECT_TRUE(result.referrals.empty());
  EXPECT_FALSE(result.no_suitable_provider.empty());
  std::vector<Request> requests = {DigidAt(52, 5)};
  EXPECT_EQ(FormatRouteCsv(**empty, requests, {&result, 1}),
            "request_id,rank,provider_id,mode,distance_m\n"
            "r1,0,,no_suitable_provider,\n");
}

TEST(BadInput, RoutingAnInvalidRequestIsSafe) {
  // Route REQUIRES a valid request but promises no crash and no undefined behaviour.
  Router router(SmallDirectory());
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  for (Request r : {DigidAt(nan, 5), DigidAt(52, inf), DigidAt(1e300, -1e300)}) {
    ASSERT_FALSE(r.Validate().ok());
    RouteResult result = router.Route(r, {.k = 3});
    EXPECT_LE(result.referrals.size(), 3u);
  }
  Request r = DigidAt(52, 5);
  r.max_km = nan;
  EXPECT_LE(router.Route(r).referrals.size(), 5u);
  r.max_km = -5;
  EXPECT_LE(router.Route(r).referrals.size(), 5u);
  r = DigidAt(52, 5);
  r.topics = {};
  EXPECT_LE(router.Route(r).referrals.size(), 5u);
}

}  // namespace
}  // namespace wegwijzer
