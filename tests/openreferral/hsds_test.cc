// Import, conversion and export of Open Referral HSDS, on the real samples of
// ../shared/data/hsds (read in place) and on hand-made bad input.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "openreferral/hsds_json.h"
#include "openreferral/json.h"
#include "testing/shared_data.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/opening_hours.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;
namespace fs = std::filesystem;

std::string HsdsDir() { return testing::SharedDataDir() + "/hsds"; }

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// Every JSON sample with records: the three 3.x example folders.
std::vector<std::string> RecordSamples() {
  std::vector<std::string> files;
  for (const char* folder : {"openreferral-hsds-3.0", "openreferral-hsds-3.1-dev", "oruk-3.0-profile"}) {
    const fs::path dir = fs::path(HsdsDir()) / folder;
    if (!fs::exists(dir)) continue;
    for (const auto& e : fs::directory_iterator(dir)) {
      const std::string name = e.path().filename().string();
      const auto kind = internal::HsdsKindFromFileName(name);
      if (kind == internal::HsdsDocumentKind::kService ||
          kind == internal::HsdsDocumentKind::kOrganization ||
          kind == internal::HsdsDocumentKind::kServiceAtLocation ||
          kind == internal::HsdsDocumentKind::kLocation) {
        files.push_back(e.path().string());
      }
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

#define REQUIRE_HSDS_SAMPLES()                                              \
  if (!fs::exists(HsdsDir())) GTEST_SKIP() << "no " << HsdsDir()

v1::HsdsDirectory ReadDirectory(const std::string& text, const std::string& name) {
  v1::HsdsDirectory d;
  absl::Status s = internal::ReadHsdsJsonDocument(text, name, internal::HsdsKindFromFileName(name), &d);
  EXPECT_TRUE(s.ok()) << s;
  return d;
}

// Records sorted by id: "equivalent" means the same records by id, field by field.
v1::HsdsDirectory Canonical(v1::HsdsDirectory d) {
  auto by_id = [](auto* list) {
    std::sort(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
  };
  by_id(d.mutable_organizations());
  by_id(d.mutable_services());
  by_id(d.mutable_locations());
  by_id(d.mutable_service_at_locations());
  return d;
}

// Every string and number leaf of a JSON tree, as text.
void Leaves(const internal::JsonValue& v, std::multiset<std::string>* out) {
  using T = internal::JsonValue::Type;
  if (v.type == T::kString || v.type == T::kNumber) out->insert(v.text);
  for (const auto& e : v.array) Leaves(e, out);
  for (const auto& [k, e] : v.object) {
    out->insert("key:" + k);
    Leaves(e, out);
  }
}

TEST(Hsds, EverySampleReadsAndRoundTripsFieldByField) {
  REQUIRE_HSDS_SAMPLES();
  const std::vector<std::string> samples = RecordSamples();
  ASSERT_GE(samples.size(), 15u);
  for (const std::string& path : samples) {
    SCOPED_TRACE(path);
    const std::string text = ReadAll(path);
    const v1::HsdsDirectory first = ReadDirectory(text, fs::path(path).filename().string());
    EXPECT_GT(first.services_size() + first.locations_size() + first.organizations_size(), 0);
    // Write, read back: the same directory.
    v1::HsdsDirectory second;
    std::string written_all;
    for (const auto& [name, written] : FormatHsdsJson(first)) {
      absl::Status s = internal::ReadHsdsJsonDocument(
          written, name, internal::HsdsKindFromFileName(name), &second);
      ASSERT_TRUE(s.ok()) << s << "\n" << written;
      written_all += written;
    }
    std::string diff;
    google::protobuf::util::MessageDifferencer differencer;
    differencer.ReportDifferencesToString(&diff);
    EXPECT_TRUE(differencer.Compare(Canonical(first), Canonical(second))) << diff;
    // Independently of the model: every key and value of the file is in the export.
    absl::StatusOr<internal::JsonValue> original = internal::ParseJson(text, path);
    ASSERT_TRUE(original.ok());
    std::multiset<std::string> in_leaves, out_leaves;
    // A page's bookkeeping (total_items, ...) is rewritten; its records must survive.
    const internal::JsonValue* contents = original->Find("contents");
    Leaves(contents != nullptr ? *contents : *original, &in_leaves);
    for (const auto& [name, written] : FormatHsdsJson(first)) {
      absl::StatusOr<internal::JsonValue> w = internal::ParseJson(written, name);
      ASSERT_TRUE(w.ok());
      Leaves(*w, &out_leaves);
    }
    for (const std::string& leaf : in_leaves) {
      // The nesting keys are normalised into links (and nested again on export, as
      // service_full nests them).
      if (leaf == "key:locations" || leaf == "key:services" || leaf == "key:service" ||
          leaf == "key:location") continue;
      EXPECT_TRUE(out_leaves.contains(leaf)) << "lost: " << leaf;
    }
  }
}

TEST(Hsds, SamplesAreRefusedStrictlyNamingTheOutOfRangeLocation) {
  REQUIRE_HSDS_SAMPLES();
  for (const std::string& path : RecordSamples()) {
    SCOPED_TRACE(path);
    absl::StatusOr<HsdsImport> in = ImportHsds(path);
    const std::string name = fs::path(path).filename().string();
    if (name == "organization_list.json") {
      // Organizations only: nothing to refuse, nothing to route.
      ASSERT_TRUE(in.ok()) << in.status();
      EXPECT_EQ(in->snapshot->providers_size(), 0);
      EXPECT_EQ(in->snapshot->hsds().organizations_size(), 1);
      continue;
    }
    if (name == "service_list.json") {
      // The list shape carries no attributes, so no topic.
      ASSERT_FALSE(in.ok());
      EXPECT_THAT(std::string(in.status().message()),
                  HasSubstr("service ac148810-d857-441c-9679-408f346de14b: field \"attributes\": "
                            "no taxonomy term maps onto a topic"));
      continue;
    }
    ASSERT_FALSE(in.ok());
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(in.status().message()),
                HasSubstr("location 3a19ff88-4620-4d17-9830-ac1d859eb5d5: field \"latitude\": 100 "
                          "is outside [-90, 90]"));
    EXPECT_THAT(std::string(in.status().message()), HasSubstr(path));
  }
}

TEST(Hsds, SamplesImportWithSkipBadRecordsAndRoute) {
  REQUIRE_HSDS_SAMPLES();
  int routed = 0;
  for (const std::string& path : RecordSamples()) {
    SCOPED_TRACE(path);
    absl::StatusOr<HsdsImport> in = ImportHsds(path, {.skip_bad_records = true});
    ASSERT_TRUE(in.ok()) << in.status();
    if (in->report.services_read == 0) continue;  // location.json, organization_list.json
    const std::string report = in->report.ToString();
    if (in->snapshot->providers_size() == 0) {
      EXPECT_THAT(report, HasSubstr("service left out")) << report;
      continue;
    }
    EXPECT_THAT(report, HasSubstr("latitude\": 100 is outside [-90, 90]; location left out"));
    EXPECT_THAT(report, HasSubstr("names no CBS municipality code"));
    const v1::Provider& p = in->snapshot->providers(0);
    EXPECT_EQ(p.id(), "ac148810-d857-441c-9679-408f346de14b");
    EXPECT_EQ(p.name(), "Community Counselling");
    // attending_type "in-person or remotely via video", no usable place: video only.
    ASSERT_EQ(p.modes_size(), 1);
    EXPECT_EQ(p.modes(0), v1::MODE_VIDEO);
    EXPECT_EQ(p.topics(0), v1::TOPIC_BASICS);  // the default map's sample term
    if (path.find("oruk") == std::string::npos) {
      EXPECT_THAT(p.languages(), ::testing::ElementsAre("ur"));
    } else {
      // ORUK's service languages carry only an id.
      EXPECT_THAT(report, HasSubstr("language 2989d3ed-c547-48f8-8f9d-432d81c7892e: field "
                                    "\"code\": is missing; language left out"));
    }
    // Accessibility text "induction loops ... Wheelchair access" of the left-out
    // location still describes the provider's place.
    if (path.find("3.1") != std::string::npos && path.find("service_full") != std::string::npos) {
      EXPECT_EQ(p.capacity(), 12);  // service_capacity.available
    }
    absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*in->snapshot);
    ASSERT_TRUE(directory.ok()) << directory.status();
    Router router(*directory);
    Request request;
    request.id = "r1";
    request.topics.Add(Topic::kBasics);
    request.languages.Add(*Language::FromCode("ur"));
    if (p.languages().empty()) {  // the contract default: nl
      request.languages = LanguageSet();
      request.languages.Add(*Language::FromCode("nl"));
    }
    request.modes = ModeSet{Mode::kVideo};
    request.position = LatLng{52.37, 4.90};
    RouteResult result = router.Route(request, {.k = 3});
    ASSERT_EQ(result.referrals.size(), 1u) << p.DebugString();
    EXPECT_EQ((*directory)->provider(result.referrals[0].provider).id, p.id());
    ++routed;
  }
  EXPECT_GE(routed, 6);
}

TEST(Hsds, UnmappedTermsAreCountedNotDropped) {
  REQUIRE_HSDS_SAMPLES();
  absl::StatusOr<TaxonomyMap> empty = TaxonomyMap::Parse("taxonomy,term_code,topic\n", "m.csv");
  ASSERT_TRUE(empty.ok());
  const std::string path = HsdsDir() + "/openreferral-hsds-3.0/service_full.json";
  absl::StatusOr<HsdsImport> in =
      ImportHsds(path, {.taxonomy_map = &*empty, .skip_bad_records = true});
  ASSERT_TRUE(in.ok()) << in.status();
  EXPECT_EQ(in->snapshot->providers_size(), 0);
  EXPECT_EQ(in->report.unmapped_terms.at("taxonomy/code"), 1);
  EXPECT_THAT(in->report.ToString(), HasSubstr("unmapped taxonomy term taxonomy/code: 1 use"));
  EXPECT_THAT(in->report.ToString(), HasSubstr("no taxonomy term maps onto a topic; service left out"));
}

TEST(Hsds, OlderVersionIsRefusedClearly) {
  REQUIRE_HSDS_SAMPLES();
  absl::StatusOr<HsdsImport> v11 = ImportHsds(HsdsDir() + "/openreferral-sample-hsds-1.1");
  EXPECT_EQ(v11.status().code(), absl::StatusCode::kUnimplemented);
  EXPECT_THAT(std::string(v11.status().message()), HasSubstr("HSDS 1.1 is not supported"));
  absl::StatusOr<HsdsImport> missing = ImportHsds(HsdsDir() + "/no-such");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
}

TEST(Hsds, DefaultTaxonomyMapIsTheShippedFile) {
  absl::StatusOr<TaxonomyMap> file =
      TaxonomyMap::Load(std::string(WEGWIJZER_SOURCE_DIR) + "/data/hsds_taxonomy_map.csv");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->size(), TaxonomyMap::Default().size());
  EXPECT_EQ(TaxonomyMap::Default().Find("taxonomy", "code"), Topic::kBasics);
  EXPECT_EQ(TaxonomyMap::Default().Find("taxonomy", "nope"), std::nullopt);
}

TEST(TaxonomyMap, InvalidInputs) {
  auto message = [](std::string_view text) {
    absl::StatusOr<TaxonomyMap> m = TaxonomyMap::Parse(text, "map.csv");
    return m.ok() ? std::string("ok") : std::string(m.status().message());
  };
  EXPECT_EQ(message(""), "map.csv: empty, no header");
  EXPECT_EQ(message("a,b\n"), "map.csv:1: the header must be taxonomy,term_code,topic");
  EXPECT_EQ(message("taxonomy,term_code,topic\nt,c,nope\n"), "map.csv:2: unknown topic \"nope\"");
  EXPECT_EQ(message("taxonomy,term_code,topic\nt,,digid\n"), "map.csv:2: a field is empty");
  EXPECT_EQ(message("taxonomy,term_code,topic\nt,c\n"), "map.csv:2: expected 3 fields, got 2");
  EXPECT_EQ(message("taxonomy,term_code,topic\nt,c,digid\nt,c,taxes\n"),
            "map.csv:3: the term t/c is listed twice");
  EXPECT_EQ(message("taxonomy,term_code,topic\nt,c,digid\n"), "ok");
}

// A small valid service_full, changed one field at a time for the bad-input table.
constexpr std::string_view kService = R"({
  "id": "s1", "name": "Digicafe", "organization_id": "o1", "minimum_age": 18,
  "organization": {"id": "o1", "name": "Bibliotheek"},
  "attributes": [{"id": "a1", "taxonomy_term": {"id": "t1", "taxonomy": "taxonomy", "code": "code"}}],
  "languages": [{"id": "l1", "code": "nl"}, {"id": "l2", "code": "ara"}],
  "schedules": [{"id": "sc1", "freq": "WEEKLY", "byday": "MO", "opens_at": "09:00", "closes_at": "12:00"}],
  "service_areas": [{"id": "sa1", "uri": "https://cbs.nl/gemeente/GM0363"}],
  "service_at_locations": [{"id": "sal1", "location": {"id": "loc1", "name": "Centrale",
     "location_type": "physical", "latitude": 52.3757, "longitude": 4.9083,
     "accessibility": [{"id": "ac1", "description": "Rolstoeltoegankelijk, met ringleiding"}],
     "x_profile": {"nested": [1, 2.50, null]}}}],
  "capacities": [{"id": "c1", "available": 4, "unit": {"id": "u1", "name": "appointments"}}]
})";

std::string Replace(std::string_view from, std::string_view to) {
  std::string text(kService);
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  return text;
}

TEST(Hsds, HandMadeServiceBecomesAProvider) {
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(kService, "service_full.json");
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(in->snapshot->providers_size(), 1);
  const v1::Provider& p = in->snapshot->providers(0);
  EXPECT_EQ(p.id(), "s1");
  EXPECT_THAT(p.languages(), ::testing::ElementsAre("nl", "ar"));
  EXPECT_THAT(p.municipalities(), ::testing::ElementsAre("GM0363"));
  ASSERT_EQ(p.locations_size(), 1);
  EXPECT_EQ(p.locations(0).id(), "loc1");
  EXPECT_DOUBLE_EQ(p.locations(0).position().lat_deg(), 52.3757);
  EXPECT_THAT(p.modes(), ::testing::ElementsAre(v1::MODE_IN_PERSON));
  EXPECT_THAT(p.access(), ::testing::ElementsAre(v1::ACCESS_WHEELCHAIR, v1::ACCESS_HEARING_LOOP));
  EXPECT_EQ(p.capacity(), 4);
  // The unknown nested property is kept verbatim, numbers as written.
  const v1::HsdsLocation& l = in->snapshot->hsds().locations(0);
  ASSERT_EQ(l.extra_size(), 1);
  EXPECT_EQ(l.extra(0).name(), "x_profile");
  EXPECT_EQ(l.extra(0).json(), R"({"nested":[1,2.50,null]})");
  EXPECT_EQ(in->snapshot->hsds().service_at_locations(0).location_id(), "loc1");
  EXPECT_EQ(in->snapshot->hsds().service_at_locations(0).service_id(), "s1");
  EXPECT_TRUE(Directory::Create(*in->snapshot).ok());
}

// A negative price is refused (a record's problem), or with skip_bad_records taken
// as charging a fee and reported; never read as free.
TEST(Hsds, ANegativeCostIsAProblemNotFree) {
  const std::string text =
      Replace(R"("capacities")",
              R"("cost_options": [{"id": "co1", "option": "koffie", "amount": -2, "currency": "EUR"}],
              "capacities")");
  absl::StatusOr<HsdsImport> strict = ImportHsdsJson(text, "service_full.json");
  ASSERT_FALSE(strict.ok());
  EXPECT_TRUE(IsSkippableRecordError(strict.status()));
  EXPECT_THAT(std::string(strict.status().message()),
              HasSubstr("service s1 > cost option co1: field \"amount\": -2 is negative"));
  absl::StatusOr<HsdsImport> lenient =
      ImportHsdsJson(text, "service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  EXPECT_TRUE(lenient->snapshot->providers(0).charges_fee());
  ASSERT_EQ(lenient->report.problems.size(), 1u);
  EXPECT_THAT(lenient->report.problems[0], HasSubstr("is negative; taken as charging a fee"));
}

TEST(Hsds, HoursAgeAndFeeOfAServiceRouteAndExplain) {
  // The service's row: Mondays 09:00-12:00; minimum_age 18; a cost option of 2.50.
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(
      Replace(R"("capacities")",
              R"("cost_options": [{"id": "co1", "option": "koffie", "amount": 2.5, "currency": "EUR"}],
              "capacities")"),
      "service_full.json");
  ASSERT_TRUE(in.ok()) << in.status();
  const v1::Provider& p = in->snapshot->providers(0);
  EXPECT_EQ(p.minimum_age(), 18);
  EXPECT_FALSE(p.has_maximum_age());
  EXPECT_TRUE(p.charges_fee());
  ASSERT_EQ(p.schedules_size(), 1);
  EXPECT_EQ(p.schedules(0).id(), "sc1");
  EXPECT_TRUE(p.locations(0).schedules().empty());  // neither the link nor the location has rows
  in->snapshot->set_created_unix_seconds(1780000000);  // May 2026
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*in->snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  Request r;
  r.id = "r1";
  r.topics.Add(Topic::kBasics);
  r.position = {52.37, 4.90};
  r.municipality = "GM0363";
  r.at = 1780297200 + 3600;  // Monday 1 June 2026 10:00 CEST
  r.age = 40;
  RouteResult open = router.Route(r);
  ASSERT_EQ(open.referrals.size(), 1u) << open.no_suitable_provider;
  EXPECT_EQ(open.referrals[0].next_opening, r.at);
  // The same answer as HsdsOpeningHours (the HSDS directory's own hours).
  absl::StatusOr<OpeningHours> hours = HsdsOpeningHours(in->snapshot->hsds(), "s1", "loc1");
  ASSERT_TRUE(hours.ok());
  const int64_t monday = *r.at;
  for (int64_t t = monday - 86400; t < monday + 7 * 86400; t += 1800) {
    r.at = t;
    ASSERT_EQ(router.Route(r).referrals.size(), hours->IsOpenAt(t) ? 1u : 0u) << t;
  }
  r.at = 1780297200 + 86400;  // Tuesday 09:00
  EXPECT_EQ(router.Route(r).no_suitable_provider,
            "1 provider helps with basics within reach, but it is closed until Monday "
            "2026-06-08 09:00 (asked for Tuesday 2026-06-02 09:00)");
  r.age = 17;
  EXPECT_EQ(router.Route(r).no_suitable_provider,
            "1 provider helps with basics within reach, but it is only for 18+");
  r.age = 18;
  r.can_pay = false;
  EXPECT_THAT(router.Route(r).no_suitable_provider, HasSubstr("it charges a fee"));
  // An age limit outside 0..150 is refused naming the service (or left out).
  const std::string bad = Replace(R"("minimum_age": 18)", R"("minimum_age": 180)");
  absl::StatusOr<HsdsImport> strict = ImportHsdsJson(bad, "service_full.json");
  ASSERT_FALSE(strict.ok());
  EXPECT_THAT(std::string(strict.status().message()),
              HasSubstr("service s1: field \"minimum_age\": 180 is outside 0..150"));
  absl::StatusOr<HsdsImport> lenient =
      ImportHsdsJson(bad, "service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(lenient.ok());
  EXPECT_FALSE(lenient->snapshot->providers(0).has_minimum_age());
  EXPECT_THAT(lenient->report.ToString(), HasSubstr("age limit left out"));
}

TEST(Hsds, GeoJsonExtentBecomesTheServiceArea) {
  // A square around Amsterdam's centre (lon 4.85..4.95, lat 52.34..52.40), as a
  // Polygon geometry (JSON text inside the JSON string, as HSDS has it).
  const std::string square =
      R"({\"type\": \"Polygon\", \"coordinates\": [[[4.85, 52.34], [4.95, 52.34], )"
      R"([4.95, 52.40], [4.85, 52.40], [4.85, 52.34]]]})";
  auto with_extent = [&](const std::string& extent) {
    return Replace(R"("service_areas": [{"id": "sa1", "uri": "https://cbs.nl/gemeente/GM0363"}])",
                   R"("service_areas": [{"id": "sa1", "extent_type": "geojson", "extent": ")" +
                       extent + R"("}])");
  };
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(with_extent(square), "service_full.json");
  ASSERT_TRUE(in.ok()) << in.status();
  const v1::Provider& p = in->snapshot->providers(0);
  ASSERT_TRUE(p.has_service_area());
  ASSERT_EQ(p.service_area().parts_size(), 1);
  EXPECT_EQ(p.service_area().parts(0).exterior().points_size(), 5);
  EXPECT_TRUE(p.municipalities().empty());
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(*in->snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  Router router(*directory);
  Request r;
  r.id = "r1";
  r.topics.Add(Topic::kBasics);
  r.position = {52.37, 4.90};  // inside
  EXPECT_EQ(router.Route(r).referrals.size(), 1u);
  r.position = {52.37, 4.96};  // east of it, 4 km from the location
  EXPECT_THAT(router.Route(r).no_suitable_provider, HasSubstr("service area"));
  // A Feature and a FeatureCollection say the same.
  const std::string feature = R"({\"type\": \"Feature\", \"properties\": {}, \"geometry\": )" +
                              square + "}";
  absl::StatusOr<HsdsImport> f = ImportHsdsJson(with_extent(feature), "service_full.json");
  ASSERT_TRUE(f.ok()) << f.status();
  EXPECT_EQ(f->snapshot->providers(0).service_area().SerializeAsString(),
            p.service_area().SerializeAsString());
  // A bow tie (self-crossing) is refused naming the record and field, or left out.
  const std::string bowtie =
      R"({\"type\": \"Polygon\", \"coordinates\": [[[4.85, 52.34], [4.95, 52.40], )"
      R"([4.95, 52.34], [4.85, 52.40], [4.85, 52.34]]]})";
  absl::StatusOr<HsdsImport> bad = ImportHsdsJson(with_extent(bowtie), "service_full.json");
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("service s1 > service_area sa1: field \"extent\": "));
  absl::StatusOr<HsdsImport> skipped =
      ImportHsdsJson(with_extent(bowtie), "service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(skipped.ok());
  EXPECT_FALSE(skipped->snapshot->providers(0).has_service_area());
  EXPECT_THAT(skipped->report.ToString(), HasSubstr("extent left out"));
  // A point is no area.
  absl::StatusOr<HsdsImport> point = ImportHsdsJson(
      with_extent(R"({\"type\": \"Point\", \"coordinates\": [4.9, 52.37]})"), "service_full.json");
  ASSERT_FALSE(point.ok());
  EXPECT_THAT(std::string(point.status().message()), HasSubstr("a GeoJSON Point is not an area"));
  // Text that is no GeoJSON at all (the samples' "extent": "extent") is reported.
  absl::StatusOr<HsdsImport> text = ImportHsdsJson(with_extent("extent"), "service_full.json");
  ASSERT_TRUE(text.ok()) << text.status();
  EXPECT_THAT(text->report.ToString(), HasSubstr("field \"extent\": \"extent\" is not GeoJSON"));
}

TEST(Hsds, ExportToAFolderAndImportItBack) {
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(kService, "service_full.json");
  ASSERT_TRUE(in.ok());
  v1::HsdsDirectory d = in->snapshot->hsds();
  // A location no service uses and an organization without services survive too.
  v1::HsdsLocation* lone = d.add_locations();
  lone->set_id("loc2");
  lone->set_latitude(52.0);
  v1::HsdsOrganization* org = d.add_organizations();
  org->set_id("o2");
  const fs::path dir = fs::path(::testing::TempDir()) / "hsds_export";
  fs::remove_all(dir);
  ASSERT_TRUE(ExportHsds(d, dir.string()).ok());
  EXPECT_TRUE(fs::exists(dir / "service_list.json"));
  EXPECT_TRUE(fs::exists(dir / "organization_list.json"));
  EXPECT_TRUE(fs::exists(dir / "location_list.json"));
  absl::StatusOr<HsdsImport> back = ImportHsds(dir.string());
  ASSERT_TRUE(back.ok()) << back.status();
  google::protobuf::util::MessageDifferencer differencer;
  std::string diff;
  differencer.ReportDifferencesToString(&diff);
  EXPECT_TRUE(differencer.Compare(Canonical(d), Canonical(back->snapshot->hsds()))) << diff;
  EXPECT_TRUE(differencer.Compare(in->snapshot->providers(0), back->snapshot->providers(0))) << diff;
}

struct BadCase {
  const char* name;
  std::string text;
  const char* message;
};

TEST(Hsds, InvalidInputs) {
  const std::vector<BadCase> cases = {
      {"wrong type", Replace(R"("minimum_age": 18)", R"("minimum_age": "18")"),
       "service_full.json: service s1: field \"minimum_age\": expected a number, got string"},
      {"wrong type nested", Replace(R"("latitude": 52.3757)", R"("latitude": [52])"),
       "service_full.json: location loc1: field \"latitude\": expected a number, got array"},
      {"missing id", Replace(R"("id": "s1", )", ""),
       "service_full.json: record (byte 0): a service needs a non-empty \"id\""},
      {"empty id", Replace(R"("id": "loc1")", R"("id": "")"),
       "service_full.json: service_at_location sal1 > location (byte "},
      {"id not a string", Replace(R"("id": "o1", "name")", R"("id": 7, "name")"),
       "a organization needs a non-empty \"id\", got number"},
      {"disagreeing link", Replace(R"("organization_id": "o1")", R"("organization_id": "o9")"),
       "service_full.json: service s1: field \"organization_id\": \"o9\" disagrees with the "
       "enclosing record o1"},
      {"unknown freq", Replace(R"("freq": "WEEKLY")", R"("freq": "DAILY")"),
       "service_full.json: service s1 > schedules[0]: field \"freq\": \"DAILY\" is not WEEKLY or "
       "MONTHLY"},
      {"unknown wkst", Replace(R"("byday": "MO")", R"("wkst": "XX")"),
       "field \"wkst\": \"XX\" is not MO..SU"},
      {"fractional interval", Replace(R"("byday": "MO")", R"("interval": 1.5)"),
       "field \"interval\": 1.5 is not a whole number"},
      {"ages reversed", Replace(R"("minimum_age": 18)", R"("minimum_age": 18, "maximum_age": 12)"),
       "service s1: field \"minimum_age\": 18 is above maximum_age 12"},
      {"duplicate key", Replace(R"("name": "Digicafe")", R"("name": "Digicafe", "name": "X")"),
       "service_full.json: byte 36: key \"name\" appears twice in one object"},
      {"not an object", "[1]", "service_full.json: record[0]: a service must be an object, got number"},
      {"contents not an array", R"({"contents": {}})",
       "service_full.json: page: field \"contents\": expected an array, got object"},
      {"duplicate id", std::string(R"([{"id": "s1", "name": "Other"},)") + std::string(kService) + "]",
       "service_full.json: service s1 appears twice with different content (duplicate id)"},
      {"unknown language", Replace(R"("code": "ara")", R"("code": "xx")"),
       "service s1 > language l2: field \"code\": \"xx\" is not an ISO 639 code"},
      {"unknown location_type", Replace(R"("location_type": "physical")", R"("location_type": "boat")"),
       "location loc1: field \"location_type\": \"boat\" is not physical, postal or virtual"},
      {"unknown status", Replace(R"("minimum_age": 18)", R"("status": "open")"),
       "service s1: field \"status\": \"open\" is not active, inactive, defunct or temporarily closed"},
      {"longitude out of range", Replace(R"("longitude": 4.9083)", R"("longitude": 190)"),
       "location loc1: field \"longitude\": 190 is outside [-180, 180]"},
      {"negative capacity", Replace(R"("available": 4)", R"("available": -1)"),
       "capacity c1: field \"available\": -1 is not a whole number >= 0"},
      // A fuzzer finding: "   id" became a CSV column that read back as a second "id"
      // (tests/fuzz/corpus/hsds_json/regression_blank_key.json).
      {"member name with blanks", Replace(R"("minimum_age": 18)", R"("  id": "x")"),
       "service s1: field \"  id\": a member name that is empty or has blanks around it"},
      {"member name with a trailing tab", Replace(R"("minimum_age": 18)", "\"note\\t\": 1"),
       "a member name that is empty or has blanks around it"},
      {"empty member name", Replace(R"("minimum_age": 18)", R"("": 1)"),
       "service s1: field \"\": a member name that is empty"},
  };
  for (const BadCase& c : cases) {
    SCOPED_TRACE(c.name);
    absl::StatusOr<HsdsImport> in = ImportHsdsJson(c.text, "service_full.json");
    ASSERT_FALSE(in.ok()) << c.text;
    EXPECT_EQ(in.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(in.status().message()), HasSubstr(c.message));
  }
}

// Reversed age limits are a record-level problem: --skip-bad-records leaves the limits
// out with a report line, in the JSON form as in the tabular one (both go through the
// one conversion rule), and the error says it can be skipped.
TEST(Hsds, ReversedAgesAreSkippableInJson) {
  const std::string text = Replace(R"("minimum_age": 18)", R"("minimum_age": 70, "maximum_age": 67)");
  absl::StatusOr<HsdsImport> strict = ImportHsdsJson(text, "service_full.json");
  ASSERT_FALSE(strict.ok());
  EXPECT_TRUE(IsSkippableRecordError(strict.status())) << strict.status();
  absl::StatusOr<HsdsImport> lenient =
      ImportHsdsJson(text, "service_full.json", {.skip_bad_records = true});
  ASSERT_TRUE(lenient.ok()) << lenient.status();
  ASSERT_EQ(lenient->snapshot->providers_size(), 1);
  EXPECT_FALSE(lenient->snapshot->providers(0).has_minimum_age());
  EXPECT_FALSE(lenient->snapshot->providers(0).has_maximum_age());
  ASSERT_EQ(lenient->report.problems.size(), 1u);
  EXPECT_THAT(lenient->report.problems[0], HasSubstr("70 is above maximum_age 67; age limits left out"));
  // A malformed document is not a record problem: skipping would not help.
  absl::StatusOr<HsdsImport> broken = ImportHsdsJson("[", "service_full.json");
  ASSERT_FALSE(broken.ok());
  EXPECT_FALSE(IsSkippableRecordError(broken.status()));
}

TEST(Hsds, OpeningHoursOfAServiceAtALocation) {
  absl::StatusOr<HsdsImport> in = ImportHsdsJson(kService, "service_full.json");
  ASSERT_TRUE(in.ok());
  // The service's own row: Mondays 09:00-12:00 (no schedules at the location).
  absl::StatusOr<OpeningHours> hours = HsdsOpeningHours(in->snapshot->hsds(), "s1", "loc1");
  ASSERT_TRUE(hours.ok()) << hours.status();
  EXPECT_TRUE(hours->IsOpenAt(1780297200));    // Monday 1 June 2026 09:00 CEST (07:00 UTC)
  EXPECT_FALSE(hours->IsOpenAt(1780297200 - 1));
  EXPECT_EQ(FormatAmsterdamTime(*hours->NextOpening(1780297200 + 4 * 3600)), "Monday 2026-06-08 09:00");
  EXPECT_EQ(HsdsOpeningHours(in->snapshot->hsds(), "s9", "").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(HsdsOpeningHours(in->snapshot->hsds(), "s1", "loc9").status().code(),
            absl::StatusCode::kNotFound);
}

TEST(Hsds, DanglingReferenceIsAnError) {
  absl::StatusOr<HsdsImport> in =
      ImportHsdsJson(R"({"id": "s1", "name": "x", "organization_id": "nowhere"})", "service_list.json");
  ASSERT_FALSE(in.ok());
  EXPECT_EQ(std::string(in.status().message()),
            "service_list.json: service s1: field \"organization_id\": \"nowhere\" refers to no "
            "organization (dangling reference)");
  absl::StatusOr<HsdsImport> sal = ImportHsdsJson(
      R"({"id": "sal1", "service_id": "s9", "location": {"id": "l1"}})", "service_at_location_full.json");
  ASSERT_FALSE(sal.ok());
  EXPECT_THAT(std::string(sal.status().message()), HasSubstr("field \"service_id\": \"s9\" refers to no service"));
}

}  // namespace
}  // namespace wegwijzer
