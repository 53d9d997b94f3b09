// providers.csv, requests.csv and route.csv against interchange.md v1.1.
#include "wegwijzer/interchange.h"

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "gtest/gtest.h"
#include "wegwijzer/v1/request.pb.h"
#include "testing/brute_force.h"
#include "wegwijzer/router.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

// ---------------------------------------------------------------------------
// Helpers

constexpr char kProviderHeader[] =
    "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,municipality\n";
constexpr char kRequestHeader[] =
    "id,lat,lon,topics,languages,modes,access,max_km,priority,municipality\n";

// For std::string, std::string_view and absl::string_view (a distinct type in
// Debian's Abseil) alike.
template <typename Text>
bool Contains(const Text& haystack, std::string_view needle) {
  return std::string_view(haystack.data(), haystack.size()).find(needle) !=
         std::string_view::npos;
}

struct BadRow {
  int line;
  std::string reason;
};

std::vector<BadRow> BadRows(const CsvReport& report) {
  std::vector<BadRow> out;
  for (const CsvProblem& p : report.problems) {
    if (p.kind == CsvProblem::Kind::kBadRow) out.push_back({p.line, p.reason});
  }
  return out;
}

std::vector<std::string> Warnings(const CsvReport& report) {
  std::vector<std::string> out;
  for (const CsvProblem& p : report.problems) {
    if (p.kind == CsvProblem::Kind::kWarning) out.push_back(p.reason);
  }
  return out;
}

// The reason the single provider `row` (after the full header) is bad, or "" when it
// is good. Fails the test on a whole-file error.
std::string ProviderRowProblem(const std::string& row) {
  absl::StatusOr<ProvidersCsv> parsed =
      ParseProvidersCsv(std::string(kProviderHeader) + row + "\n", "providers.csv",
                        {.skip_bad_rows = true});
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok()) return "whole-file error";
  std::vector<BadRow> bad = BadRows(parsed->report);
  if (bad.empty()) {
    EXPECT_EQ(parsed->directory->size(), 1u);
    return "";
  }
  EXPECT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].line, 2);
  EXPECT_EQ(parsed->directory->size(), 0u);
  return bad[0].reason;
}

std::string RequestRowProblem(const std::string& row) {
  absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
      std::string(kRequestHeader) + row + "\n", "requests.csv", {.skip_bad_rows = true});
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  if (!parsed.ok()) return "whole-file error";
  std::vector<BadRow> bad = BadRows(parsed->report);
  if (bad.empty()) {
    EXPECT_EQ(parsed->requests.size(), 1u);
    return "";
  }
  EXPECT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].line, 2);
  EXPECT_TRUE(parsed->requests.empty());
  return bad[0].reason;
}

// A provider row of the full header with some columns replaced.
using Overrides = std::vector<std::pair<std::string, std::string>>;

std::string ProviderRow(const Overrides& overrides) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", "p1"},         {"name", "Bieb"},      {"kind", "library"},
      {"lat", "52.37"},     {"lon", "4.89"},       {"topics", "digid"},
      {"languages", "nl"},  {"modes", "in_person"}, {"radius_km", ""},
      {"access", ""},       {"capacity", ""},      {"municipality", ""}};
  size_t found = 0;
  for (auto& [name, v] : fields) {
    for (const auto& [column, value] : overrides) {
      if (name == column) v = value, ++found;
    }
  }
  EXPECT_EQ(found, overrides.size());
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + fields[i].second;
  return row;
}

std::string ProviderRow(std::string_view column, std::string_view value) {
  return ProviderRow(Overrides{{std::string(column), std::string(value)}});
}

std::string RequestRow(std::string_view column, std::string_view value) {
  std::vector<std::pair<std::string, std::string>> fields = {
      {"id", "r1"},        {"lat", "52.37"},  {"lon", "4.89"},   {"topics", "digid"},
      {"languages", ""},   {"modes", ""},     {"access", ""},    {"max_km", ""},
      {"priority", ""},    {"municipality", ""}};
  bool found = false;
  for (auto& [name, v] : fields) {
    if (name == column) v = std::string(value), found = true;
  }
  EXPECT_TRUE(found) << column;
  std::string row;
  for (size_t i = 0; i < fields.size(); ++i) row += (i ? "," : "") + fields[i].second;
  return row;
}

// ---------------------------------------------------------------------------
// providers.csv: defaults, columns

TEST(ProvidersCsv, AppliesTheContractDefaults) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,kind,topics,lat,lon\n"
      "p1,ido,digid,52.37,4.89\n",
      "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->directory->size(), 1u);
  const ProviderInfo& p = parsed->directory->provider(ProviderIndex(0));
  EXPECT_EQ(p.id, "p1");
  EXPECT_EQ(p.name, "");
  EXPECT_EQ(p.kind, ProviderKind::kIdo);
  EXPECT_EQ(p.topics, TopicSet{Topic::kDigid});
  EXPECT_EQ(p.languages, Request::DefaultLanguages());  // nl
  EXPECT_EQ(p.modes, ModeSet{Mode::kInPerson});
  EXPECT_EQ(p.radius_km, 0);
  EXPECT_TRUE(p.access.empty());
  EXPECT_FALSE(p.capacity.has_value());  // unlimited
  EXPECT_TRUE(p.municipalities.empty());  // anyone
  ASSERT_EQ(p.locations.size(), 1u);
  EXPECT_EQ(p.locations[0].id, "p1");
  EXPECT_EQ(p.locations[0].position, (LatLng{52.37, 4.89}));
  EXPECT_TRUE(parsed->report.problems.empty());
  EXPECT_EQ(parsed->report.rows, 1);
  EXPECT_EQ(parsed->report.ToString(), "");
}

TEST(ProvidersCsv, EmptyFieldsTakeTheDefaults) {
  absl::StatusOr<ProvidersCsv> parsed =
      ParseProvidersCsv(std::string(kProviderHeader) + "p1,,ido,52,5,digid,,,,,,\n",
                        "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ProviderInfo& p = parsed->directory->provider(ProviderIndex(0));
  EXPECT_EQ(p.languages, Request::DefaultLanguages());
  EXPECT_EQ(p.modes, ModeSet{Mode::kInPerson});
  EXPECT_EQ(p.radius_km, 0);
  EXPECT_FALSE(p.capacity.has_value());
  EXPECT_TRUE(p.municipalities.empty());
}

TEST(ProvidersCsv, ReadsEveryColumn) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      std::string(kProviderHeader) +
          "vw-1,\"Vrijwilliger, Zuid\",volunteer,52.1,5.2,digid;benefits,nl;ar,"
          "home_visit;phone,7.5,easy_language;wheelchair,3,GM0363;GM0344\n",
      "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ProviderInfo& p = parsed->directory->provider(ProviderIndex(0));
  EXPECT_EQ(p.name, "Vrijwilliger, Zuid");
  EXPECT_EQ(p.kind, ProviderKind::kVolunteer);
  EXPECT_EQ(p.topics, (TopicSet{Topic::kDigid, Topic::kBenefits}));
  EXPECT_EQ(p.languages.ToString(), "ar;nl");
  EXPECT_EQ(p.modes, (ModeSet{Mode::kHomeVisit, Mode::kPhone}));
  EXPECT_EQ(p.radius_km, 7.5);
  EXPECT_EQ(p.access, (AccessSet{Access::kEasyLanguage, Access::kWheelchair}));
  EXPECT_EQ(p.capacity, 3);
  EXPECT_EQ(p.municipalities, (std::vector<std::string>{"GM0363", "GM0344"}));
}

TEST(ProvidersCsv, RemoteProviderNeedsNoCoordinates) {
  // Without the lat/lon columns at all, and with them empty.
  for (const std::string& text : std::vector<std::string>{
           "id,kind,topics,modes\nline,phone,digid,phone;video\n",
        std::string(kProviderHeader) + "line,,phone,,,digid,,video,,,,\n"}) {
    absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(text, "providers.csv");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_TRUE(parsed->directory->provider(ProviderIndex(0)).locations.empty());
  }
}

TEST(ProvidersCsv, ColumnOrderIsFree) {
  absl::StatusOr<ProvidersCsv> a = ParseProvidersCsv(
      "id,kind,lat,lon,topics,capacity\np1,ido,52,5,digid,4\n", "a.csv");
  absl::StatusOr<ProvidersCsv> b = ParseProvidersCsv(
      "capacity,topics,lon,kind,id,lat\n4,digid,5,ido,p1,52\n", "b.csv");
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(FormatProvidersCsv(*a->directory), FormatProvidersCsv(*b->directory));
  EXPECT_EQ(b->directory->provider(ProviderIndex(0)).capacity, 4);
  EXPECT_EQ(b->directory->provider(ProviderIndex(0)).locations[0].position, (LatLng{52, 5}));
}

TEST(ProvidersCsv, UnknownColumnsGiveOneWarningEach) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,opening_hours,kind,topics,modes,Website\n"
      "p1,ma-vr 9-17,phone,digid,phone,https://example.org\n"
      "p2,,phone,digid,phone,\n",
      "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->directory->size(), 2u);
  std::vector<std::string> warnings = Warnings(parsed->report);
  ASSERT_EQ(warnings.size(), 2u);
  EXPECT_TRUE(Contains(warnings[0], "'opening_hours'")) << warnings[0];
  EXPECT_TRUE(Contains(warnings[1], "'Website'")) << warnings[1];
  for (const CsvProblem& p : parsed->report.problems) EXPECT_EQ(p.line, 1);
  EXPECT_EQ(parsed->report.bad_rows, 0);
  const std::string text = parsed->report.ToString();
  EXPECT_TRUE(Contains(text, "providers.csv:1: warning: unknown column 'opening_hours'"))
      << text;
  // Column names are case-sensitive like codes: "ID" is unknown, so id is missing.
  EXPECT_FALSE(ParseProvidersCsv("ID,kind,topics\np1,phone,digid\n", "p.csv").ok());
}

TEST(ProvidersCsv, MissingRequiredColumnIsAWholeFileError) {
  for (const auto& [header, missing] :
       std::vector<std::pair<std::string, std::string>>{
           {"name,kind,topics,lat,lon", "id"},
           {"id,name,topics,lat,lon", "kind"},
           {"id,name,kind,lat,lon", "topics"}}) {
    SCOPED_TRACE(header);
    absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
        header + "\nx,y,z,52,5\n", "providers.csv", {.skip_bad_rows = true});
    ASSERT_FALSE(parsed.ok());
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(parsed.status().message(), "providers.csv")) << parsed.status();
    EXPECT_TRUE(Contains(parsed.status().message(), "missing required column '" + missing))
        << parsed.status();
  }
}

TEST(ProvidersCsv, WholeFileErrorsHoldEvenWithSkipBadRows) {
  struct Case {
    std::string name, text, reason;
  };
  const Case cases[] = {
      {"empty", "", "empty"},
      {"only a byte-order mark", "\xEF\xBB\xBF", "empty"},
      {"only blank lines", "\n\r\n\n", "empty"},
      {"duplicate column", "id,kind,topics,kind\np1,ido,digid,ido\n", "duplicate column 'kind'"},
      {"duplicate after trimming", "id, kind,topics,kind \np1,ido,digid,ido\n",
       "duplicate column 'kind'"},
      {"invalid UTF-8 header", "id,kind,topics,na\xFFme\np1,ido,digid,x\n", "UTF-8"},
      {"unclosed quote", "id,kind,topics\np1,ido,digid\np2,\"ido,digid\n", "never closes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    for (bool skip : {false, true}) {
      absl::StatusOr<ProvidersCsv> parsed =
          ParseProvidersCsv(c.text, "providers.csv", {.skip_bad_rows = skip});
      ASSERT_FALSE(parsed.ok());
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(Contains(parsed.status().message(), "providers.csv")) << parsed.status();
      EXPECT_TRUE(Contains(parsed.status().message(), c.reason)) << parsed.status();
    }
  }
  // The unclosed quote names the line where the quoted field starts.
  absl::StatusOr<ProvidersCsv> unclosed = ParseProvidersCsv(
      "id,kind,topics\np1,ido,digid\np2,\"ido,digid\n", "providers.csv");
  EXPECT_TRUE(Contains(unclosed.status().message(), "providers.csv: line 3"))
      << unclosed.status();
}

TEST(ProvidersCsv, DutchLocaleExportIsRejectedWithAHint) {
  // A Dutch spreadsheet writes ';' between fields and decimal commas: the header is
  // one column, so `kind` is missing, and the message says why.
  absl::StatusOr<ProvidersCsv> parsed =
      ParseProvidersCsv("id;kind;lat;lon;topics\np1;ido;52,37;4,89;digid\n", "providers.csv");
  ASSERT_FALSE(parsed.ok());
  EXPECT_TRUE(Contains(parsed.status().message(), "';'")) << parsed.status();
  EXPECT_TRUE(Contains(parsed.status().message(), "decimal point")) << parsed.status();
  // A quoted decimal comma in a comma-separated file gets the hint on its row.
  const std::string reason = ProviderRowProblem(ProviderRow("lat", "\"52,37\""));
  EXPECT_TRUE(Contains(reason, "lat")) << reason;
  EXPECT_TRUE(Contains(reason, "52,37")) << reason;
  EXPECT_TRUE(Contains(reason, "decimal comma")) << reason;
}

TEST(ProvidersCsv, ReadsCrlfBomAndBlankLines) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "\xEF\xBB\xBFid,kind,topics,modes\r\n\r\np1,phone,digid,phone\r\n\r\n"
      "p2,phone,taxes,video\r\n",
      "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->directory->size(), 2u);
  EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).id, "p1");  // the BOM is not part of "id"
  EXPECT_EQ(parsed->directory->provider(ProviderIndex(1)).modes, ModeSet{Mode::kVideo});
  EXPECT_EQ(parsed->report.rows, 2);
}

TEST(ProvidersCsv, FieldsAreTrimmedAndListsToleratesSpacesAndEmptyItems) {
  // Decision: empty list items (`a;;b`, a trailing `;`) are ignored, and a list with
  // no items is an empty field (the default, or bad when required).
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      std::string(kProviderHeader) +
          "  p1 ,\t Bieb \t, ido , 52.5 ,\t5.5, digid ; benefits ;; ,nl ; en;,"
          " in_person ;phone ,, wheelchair ; , 12 , GM0363 ; \n",
      "providers.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const ProviderInfo& p = parsed->directory->provider(ProviderIndex(0));
  EXPECT_EQ(p.id, "p1");
  EXPECT_EQ(p.name, "Bieb");
  EXPECT_EQ(p.topics, (TopicSet{Topic::kDigid, Topic::kBenefits}));
  EXPECT_EQ(p.languages.ToString(), "en;nl");
  EXPECT_EQ(p.modes, (ModeSet{Mode::kInPerson, Mode::kPhone}));
  EXPECT_EQ(p.access, AccessSet{Access::kWheelchair});
  EXPECT_EQ(p.capacity, 12);
  EXPECT_EQ(p.municipalities, std::vector<std::string>{"GM0363"});
  EXPECT_EQ(p.locations[0].position, (LatLng{52.5, 5.5}));

  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("topics", ";")), "topics is empty"));
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("topics", " ; ")), "topics is empty"));
  EXPECT_EQ(ProviderRowProblem(ProviderRow("languages", ";")), "");
  // A code with an inner space is not a code.
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("topics", "dig id")), "'dig id'"));
}

// ---------------------------------------------------------------------------
// providers.csv: bad rows

TEST(ProvidersCsv, RequiredFieldsMustNotBeEmpty) {
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("id", "")), "id is empty"));
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("kind", "")), "kind is empty"));
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("topics", "")), "topics is empty"));
}

TEST(ProvidersCsv, UnknownCodesAreNamed) {
  // Codes are case-sensitive and exact.
  const std::pair<std::string, std::string> cases[] = {
      {"topics", "digid;DigiD"},     {"topics", "toeslagen"},  {"kind", "IDO"},
      {"kind", "bibliotheek"},       {"modes", "In_Person"},   {"modes", "in person"},
      {"access", "Wheelchair"},      {"access", "ramp"},       {"languages", "NL"},
      {"languages", "nld"},          {"languages", "n1"},      {"languages", "xx"},
      {"languages", "nl;Nl"},
  };
  for (const auto& [column, value] : cases) {
    SCOPED_TRACE(column + "=" + value);
    const std::string reason = ProviderRowProblem(ProviderRow(column, value));
    EXPECT_TRUE(Contains(reason, column)) << reason;
    EXPECT_TRUE(Contains(reason, "unknown code")) << reason;
    const std::string code = value.find(';') == std::string::npos
                                 ? value
                                 : value.substr(value.find(';') + 1);
    EXPECT_TRUE(Contains(reason, "'" + code + "'")) << reason;
  }
}

TEST(ProvidersCsv, EveryContractCodeIsKnown) {
  EXPECT_EQ(ProviderRowProblem(ProviderRow(
                "topics",
                "digid;benefits;taxes;permits;health;banking;insurance;jobs;pension;"
                "basics;device;internet;safety;literacy;education")),
            "");
  for (const char* kind : {"ido", "library", "welfare", "volunteer", "phone", "municipal",
                           "other"}) {
    EXPECT_EQ(ProviderRowProblem(ProviderRow("kind", kind)), "") << kind;
  }
  EXPECT_EQ(ProviderRowProblem(ProviderRow(
                "access", "wheelchair;hearing_loop;quiet_room;easy_language;visual_aid")),
            "");
  EXPECT_EQ(ProviderRowProblem(ProviderRow("languages", "nl;en;ar;tr;pl;fy")), "");
}

TEST(ProvidersCsv, CoordinatesAreCheckedForEveryProvider) {
  // Physical provider without coordinates.
  std::string r = ProviderRowProblem("p1,,ido,,,digid,,in_person,,,,");
  EXPECT_TRUE(Contains(r, "lat and lon are required")) << r;
  r = ProviderRowProblem("p1,,volunteer,,,digid,,home_visit,5,,,");
  EXPECT_TRUE(Contains(r, "lat and lon are required")) << r;
  // Half given or unparsable: bad even for a phone line that needs none.
  r = ProviderRowProblem("p1,,phone,52,,digid,,phone,,,,");
  EXPECT_TRUE(Contains(r, "half given")) << r;
  EXPECT_TRUE(Contains(r, "lon")) << r;
  r = ProviderRowProblem("p1,,phone,,5,digid,,phone,,,,");
  EXPECT_TRUE(Contains(r, "half given")) << r;
  r = ProviderRowProblem("p1,,phone,abc,5,digid,,phone,,,,");
  EXPECT_TRUE(Contains(r, "lat: 'abc'")) << r;
  r = ProviderRowProblem("p1,,phone,52,91,digid,,phone,,,,");
  EXPECT_EQ(r, "");  // lon 91 is in range
  r = ProviderRowProblem("p1,,phone,91,5,digid,,phone,,,,");
  EXPECT_TRUE(Contains(r, "lat")) << r;
  EXPECT_TRUE(Contains(r, "-90..90")) << r;
}

TEST(ProvidersCsv, CoordinateRangesAreInclusive) {
  const std::pair<const char*, const char*> good[] = {
      {"90", "180"}, {"-90", "-180"}, {"0", "0"}, {"-0", "-0.0"}, {"1e-400", "5"}};
  for (const auto& [lat, lon] : good) {
    EXPECT_EQ(ProviderRowProblem(ProviderRow({{"lat", lat}, {"lon", lon}})), "")
        << lat << "," << lon;
  }
  const std::pair<const char*, const char*> bad[] = {
      {"lat", "90.000001"}, {"lat", "-90.5"}, {"lon", "180.0000001"},
      {"lon", "-181"},      {"lat", "1e400"}, {"lat", "-1e400"},
      {"lon", "1e309"},     {"lat", "1e99999999999999999999"},
      {"lat", "0.0000001e310"}};
  for (const auto& [column, value] : bad) {
    const std::string reason = ProviderRowProblem(ProviderRow(column, value));
    EXPECT_TRUE(Contains(reason, column)) << value << ": " << reason;
    EXPECT_TRUE(Contains(reason, value)) << value << ": " << reason;
  }
}

TEST(ProvidersCsv, DecimalNumbersFollowTheGrammar) {
  // [+-]?(d+[.d*]|.d+)([eE][+-]?d+)?
  const std::pair<const char*, double> good[] = {
      {"52", 52},      {"52.", 52},        {".5", 0.5},        {"+52.25", 52.25},
      {"-0.5", -0.5},  {"5.2e1", 52},      {"5.2E+1", 52},     {"520e-1", 52},
      {"00052.10", 52.1}, {"0.000000000000000000001", 1e-21}, {"1e-400", 0},
      {"52.370000000000000000000001", 52.37}, {"-.5", -0.5}, {"5.e1", 50}, {"+5.", 5},
      {"0e0", 0}, {"1E1", 10}, {"0.000e500", 0}, {"0e99999999999999999999", 0},
      {"1e-99999999999999999999", 0}, {"-1e-400", 0}};
  for (const auto& [text, value] : good) {
    SCOPED_TRACE(text);
    absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
        std::string(kProviderHeader) + ProviderRow("lat", text) + "\n", "providers.csv");
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).locations[0].position.lat_deg, value);
  }
  const char* bad[] = {"inf",  "-inf",  "Infinity", "nan",    "NaN",   "0x1p3", "0x10",
                       "5 2",  "5e",    "e5",       ".",      "+",     "-",     "5e+",
                       "52.1.2", "1e5.5", "1_000",  "1'000",  "52.37°", "５２", "+-5",
                       "--5",  ".e5",   "5..",      "1.5e3e2", "52,"};
  for (const char* text : bad) {
    SCOPED_TRACE(text);
    const std::string reason = ProviderRowProblem(ProviderRow("lat", std::string("\"") + text + "\""));
    EXPECT_TRUE(Contains(reason, "lat")) << reason;
    EXPECT_TRUE(Contains(reason, "decimal") || Contains(reason, "range")) << reason;
  }
}

TEST(ProvidersCsv, RadiusIsCheckedForEveryProvider) {
  EXPECT_EQ(ProviderRowProblem(ProviderRow("radius_km", "0")), "");
  EXPECT_EQ(ProviderRowProblem(ProviderRow("radius_km", "1000")), "");
  // radius_km must lie in 0..1000 even where no home visit uses it.
  for (const char* value : {"1000.001", "-1", "-0.5", "1e4", "1e400"}) {
    const std::string reason = ProviderRowProblem(ProviderRow("radius_km", value));
    EXPECT_TRUE(Contains(reason, "radius_km")) << value << ": " << reason;
  }
  EXPECT_TRUE(Contains(ProviderRowProblem(ProviderRow("radius_km", "\"2,5\"")), "decimal comma"));
}

TEST(ProvidersCsv, HomeVisitNeedsAPositiveRadius) {
  for (const char* radius : {"", "0", "-0", "0.0"}) {
    const std::string reason = ProviderRowProblem(
        std::string("p1,,volunteer,52,5,digid,,home_visit,") + radius + ",,,");
    EXPECT_TRUE(Contains(reason, "radius_km must be > 0")) << radius << ": " << reason;
  }
  EXPECT_EQ(ProviderRowProblem("p1,,volunteer,52,5,digid,,home_visit,0.001,,,"), "");
  // Without home visits a radius of 0 (the default) is fine.
  EXPECT_EQ(ProviderRowProblem("p1,,ido,52,5,digid,,in_person,0,,,"), "");
}

TEST(ProvidersCsv, CapacityIsAWholeNumberAtLeastZero) {
  const std::pair<const char*, int64_t> good[] = {
      {"0", 0}, {"7", 7}, {"+7", 7}, {"-0", 0}, {"0012", 12},
      // Beyond int64 is still a whole number >= 0: as good as unlimited.
      {"99999999999999999999999", std::numeric_limits<int64_t>::max()}};
  for (const auto& [text, value] : good) {
    absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
        std::string(kProviderHeader) + ProviderRow("capacity", text) + "\n", "p.csv");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).capacity, value) << text;
  }
  for (const char* text : {"3.0", "3.", "3e0", "1e3", "three", "3 0", "0x3", "+", "\"1,5\""}) {
    const std::string reason = ProviderRowProblem(ProviderRow("capacity", text));
    EXPECT_TRUE(Contains(reason, "capacity")) << text << ": " << reason;
    EXPECT_TRUE(Contains(reason, "whole number")) << text << ": " << reason;
  }
  for (const char* text : {"-1", "-99999999999999999999999"}) {
    const std::string reason = ProviderRowProblem(ProviderRow("capacity", text));
    EXPECT_TRUE(Contains(reason, "capacity")) << text << ": " << reason;
    EXPECT_TRUE(Contains(reason, "negative")) << text << ": " << reason;
  }
}

TEST(ProvidersCsv, MunicipalityCodesAreTakenAsWritten) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      std::string(kProviderHeader) + ProviderRow("municipality", "gm0363;GM 0344;0518") +
          "\n",
      "p.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).municipalities,
            (std::vector<std::string>{"gm0363", "GM 0344", "0518"}));
}

// ---------------------------------------------------------------------------
// The order of the reasons and duplicate ids

TEST(ProvidersCsv, OneReasonPerRowInTheContractsOrder) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,kind,topics,modes\n"                 // 1
      "a,phone,digid,phone\n"                  // 2 good
      "b,phone,digid\n"                        // 3 field count (before anything else)
      ",phone,\"x\xFF\",phone\n"               // 4 UTF-8 before empty id
      ",\"phone\"x,digid,phone\n"              // 5 quoting before empty id
      ",phone,bogus,phone\n"                   // 6 empty id before columns
      "a,IDO,bogus,phone\n"                    // 7 duplicate id before columns
      "c,phone,bogus,phone\n"                  // 8 a column
      "\"a\",phone,digid,phone,extra\n",       // 9 field count before duplicate id
      "providers.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<BadRow> bad = BadRows(parsed->report);
  ASSERT_EQ(bad.size(), 7u);
  const std::pair<int, std::string> expected[] = {
      {3, "has 3 fields, the header has 4"},
      {4, "UTF-8"},
      {5, "text after a closing quote"},
      {6, "id is empty"},
      {7, "duplicate id 'a' (first on line 2)"},
      {8, "topics: unknown code 'bogus'"},
      {9, "has 5 fields, the header has 4"},
  };
  for (size_t i = 0; i < bad.size(); ++i) {
    EXPECT_EQ(bad[i].line, expected[i].first);
    EXPECT_TRUE(Contains(bad[i].reason, expected[i].second))
        << "line " << bad[i].line << ": " << bad[i].reason;
  }
  EXPECT_EQ(parsed->directory->size(), 1u);
  EXPECT_EQ(parsed->report.rows, 8);
  EXPECT_EQ(parsed->report.bad_rows, 7);
}

TEST(ProvidersCsv, TheFirstRowCarryingAnIdClaimsItEvenWhenBad) {
  // Row 2 is bad (unknown kind) but claims p1; row 3 is then a duplicate although it
  // is otherwise good. Likewise for a row bad for its field count (decision: its id
  // column is still there, so it carries an id) and for invalid UTF-8.
  for (const std::string& first : std::vector<std::string>
       {"p1,IDO,digid,phone", "p1,phone,digid", "p1,phone,digid,phone,x",
        "p1,phone,\"\xC0\xAF\",phone"}) {
    SCOPED_TRACE(first);
    absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
        "id,kind,topics,modes\n" + first + "\np1,phone,digid,phone\np2,phone,digid,phone\n",
        "providers.csv", {.skip_bad_rows = true});
    ASSERT_TRUE(parsed.ok()) << parsed.status();
    std::vector<BadRow> bad = BadRows(parsed->report);
    ASSERT_EQ(bad.size(), 2u);
    EXPECT_EQ(bad[0].line, 2);
    EXPECT_EQ(bad[1].line, 3);
    EXPECT_TRUE(Contains(bad[1].reason, "duplicate id 'p1' (first on line 2)")) << bad[1].reason;
    ASSERT_EQ(parsed->directory->size(), 1u);
    EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).id, "p2");
  }
  // A row too short to have an id column carries no id.
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "kind,topics,modes,id\nphone,digid,phone\nphone,digid,phone,p1\n", "providers.csv",
      {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(BadRows(parsed->report).size(), 1u);
  EXPECT_EQ(parsed->directory->size(), 1u);
  // Ids are compared after trimming, byte for byte (case-sensitive).
  parsed = ParseProvidersCsv("id,kind,topics,modes\np1,phone,digid,phone\n p1 ,phone,digid,"
                             "phone\nP1,phone,digid,phone\n",
                             "providers.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(BadRows(parsed->report).size(), 1u);
  EXPECT_EQ(BadRows(parsed->report)[0].line, 3);
  EXPECT_EQ(parsed->directory->size(), 2u);
}

TEST(ProvidersCsv, ALineOfCommasIsABadRowWithAnEmptyId) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,kind,topics,modes\n,,,\np1,phone,digid,phone\n   \n", "providers.csv",
      {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<BadRow> bad = BadRows(parsed->report);
  ASSERT_EQ(bad.size(), 2u);
  EXPECT_EQ(bad[0].line, 2);
  EXPECT_TRUE(Contains(bad[0].reason, "id is empty")) << bad[0].reason;
  // A line of spaces is not blank: a row of one field.
  EXPECT_EQ(bad[1].line, 4);
  EXPECT_TRUE(Contains(bad[1].reason, "has 1 fields")) << bad[1].reason;
}

TEST(ProvidersCsv, LineNumbersCountBlankLinesAndMultiLineFields) {
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "\n"                                           // 1
      "id,name,kind,topics,modes\n"                  // 2
      "p1,\"Bieb\nCentrum\",phone,digid,phone\n"     // 3..4
      "\n"                                           // 5
      "p2,\"a\r\nb\",phone,bogus,phone\r\n",         // 6..7
      "providers.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<BadRow> bad = BadRows(parsed->report);
  ASSERT_EQ(bad.size(), 1u);
  EXPECT_EQ(bad[0].line, 6);
  EXPECT_EQ(parsed->directory->provider(ProviderIndex(0)).name, "Bieb\nCentrum");
}

// ---------------------------------------------------------------------------
// Bad rows: rejecting and skipping

TEST(ProvidersCsv, BadRowsRejectTheFileAndEveryOneIsReported) {
  const std::string text =
      "id,kind,topics,modes\n"
      "p1,phone,digid,phone\n"
      "p2,phone,DigiD,phone\n"
      "p3,phone,digid,phone\n"
      "p4,bank,digid,phone\n";
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(text, "providers.csv");
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(parsed.status().message());
  EXPECT_TRUE(Contains(message, "providers.csv:3: bad row: topics: unknown code 'DigiD'"))
      << message;
  EXPECT_TRUE(Contains(message, "providers.csv:5: bad row: kind: unknown code 'bank'"))
      << message;
  EXPECT_TRUE(Contains(message, "2 of 4 rows are bad")) << message;

  absl::StatusOr<ProvidersCsv> skipped =
      ParseProvidersCsv(text, "providers.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(skipped.ok()) << skipped.status();
  ASSERT_EQ(skipped->directory->size(), 2u);
  EXPECT_EQ(skipped->directory->provider(ProviderIndex(0)).id, "p1");
  EXPECT_EQ(skipped->directory->provider(ProviderIndex(1)).id, "p3");
  EXPECT_EQ(skipped->report.rows, 4);
  EXPECT_EQ(skipped->report.bad_rows, 2);
  EXPECT_EQ(skipped->report.ToString(),
            "providers.csv:3: bad row: topics: unknown code 'DigiD'\n"
            "providers.csv:5: bad row: kind: unknown code 'bank'\n"
            "providers.csv: 2 of 4 rows are bad; skipped them\n");
}

TEST(ProvidersCsv, EveryRowBadAndSkippedGivesAnEmptyDirectory) {
  // Not a whole-file error: the rows were there and are reported.
  absl::StatusOr<ProvidersCsv> parsed = ParseProvidersCsv(
      "id,kind,topics\np1,x,digid\n", "providers.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->directory->size(), 0u);
  EXPECT_EQ(parsed->report.bad_rows, 1);
}

// ---------------------------------------------------------------------------
// requests.csv

TEST(RequestsCsv, AppliesTheContractDefaults) {
  absl::StatusOr<RequestsCsv> parsed =
      ParseRequestsCsv("id,lat,lon,topics\nr1,52.37,4.89,benefits\n", "requests.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->requests.size(), 1u);
  const Request& r = parsed->requests[0];
  EXPECT_EQ(r.id, "r1");
  EXPECT_EQ(r.position, (LatLng{52.37, 4.89}));
  EXPECT_EQ(r.topics, TopicSet{Topic::kBenefits});
  EXPECT_EQ(r.languages, Request::DefaultLanguages());
  EXPECT_EQ(r.modes, kAllModes);
  EXPECT_TRUE(r.access.empty());
  EXPECT_EQ(r.max_km, 10);
  EXPECT_EQ(r.priority, 0);
  EXPECT_EQ(r.municipality, "");
  EXPECT_EQ(parsed->lines, std::vector<int>{2});
  EXPECT_TRUE(r.Validate().ok());

  // The same with every optional column present and empty.
  parsed = ParseRequestsCsv(std::string(kRequestHeader) + "r1,52.37,4.89,benefits,,,,,,\n",
                            "requests.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->requests[0].languages, Request::DefaultLanguages());
  EXPECT_EQ(parsed->requests[0].modes, kAllModes);
  EXPECT_EQ(parsed->requests[0].max_km, 10);
  EXPECT_EQ(parsed->requests[0].priority, 0);
}

TEST(RequestsCsv, ReadsEveryColumnInAnyOrder) {
  absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
      "municipality,priority,max_km,access,modes,languages,topics,lon,lat,id,note\n"
      "GM0363,3,2.5,wheelchair;easy_language,in_person;video,ar;nl,digid;taxes,4.9,52.4,"
      "\"r,1\",free text\n",
      "requests.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Request& r = parsed->requests[0];
  EXPECT_EQ(r.id, "r,1");
  EXPECT_EQ(r.position, (LatLng{52.4, 4.9}));
  EXPECT_EQ(r.topics, (TopicSet{Topic::kDigid, Topic::kTaxes}));
  EXPECT_EQ(r.languages.ToString(), "ar;nl");
  EXPECT_EQ(r.modes, (ModeSet{Mode::kInPerson, Mode::kVideo}));
  EXPECT_EQ(r.access, (AccessSet{Access::kWheelchair, Access::kEasyLanguage}));
  EXPECT_EQ(r.max_km, 2.5);
  EXPECT_EQ(r.priority, 3);
  EXPECT_EQ(r.municipality, "GM0363");
  ASSERT_EQ(Warnings(parsed->report).size(), 1u);
  EXPECT_TRUE(Contains(Warnings(parsed->report)[0], "'note'"));
}

TEST(RequestsCsv, MissingRequiredColumnIsAWholeFileError) {
  for (const char* missing : {"id", "lat", "lon", "topics"}) {
    std::string header;
    for (const char* c : {"id", "lat", "lon", "topics", "languages"}) {
      if (std::string_view(c) == missing) continue;
      header += header.empty() ? c : std::string(",") + c;
    }
    absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
        header + "\na,b,c,d\n", "requests.csv", {.skip_bad_rows = true});
    ASSERT_FALSE(parsed.ok()) << missing;
    EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_TRUE(Contains(parsed.status().message(),
                         std::string("requests.csv: missing required column '") + missing))
        << parsed.status();
  }
}

TEST(RequestsCsv, KeepsThePostcodeAsRecorded) {
  // With coordinates given, a postcode column needs no gazetteer; it is kept.
  absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
      "id,lat,lon,topics,postcode\nr1,52.37,4.89,digid,1011 AB\nr2,52.1,5.1,digid,\n",
      "requests.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->requests.size(), 2u);
  EXPECT_EQ(parsed->requests[0].postcode, "1011 AB");
  EXPECT_EQ(parsed->requests[1].postcode, "");
  v1::Request proto;
  parsed->requests[0].ToProto(&proto);
  EXPECT_EQ(proto.postcode(), "1011 AB");
  absl::StatusOr<Request> back = Request::FromProto(proto);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->postcode, "1011 AB");
}

TEST(RequestsCsv, WholeFileErrors) {
  for (const std::string& text : std::vector<std::string>
       {std::string(""), std::string("id,lat,lon,topics,lat\n"),
        std::string("id,l\xE9t,lon,topics\nr1,52,5,digid\n"),
        std::string(kRequestHeader) + "r1,52,5,\"digid\n"}) {
    for (bool skip : {false, true}) {
      absl::StatusOr<RequestsCsv> parsed =
          ParseRequestsCsv(text, "requests.csv", {.skip_bad_rows = skip});
      ASSERT_FALSE(parsed.ok()) << text;
      EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
      EXPECT_TRUE(Contains(parsed.status().message(), "requests.csv")) << parsed.status();
    }
  }
}

TEST(RequestsCsv, PositionIsRequired) {
  std::string r = RequestRowProblem(RequestRow("lat", ""));
  EXPECT_TRUE(Contains(r, "lat is empty")) << r;
  r = RequestRowProblem(RequestRow("lon", ""));
  EXPECT_TRUE(Contains(r, "lon is empty")) << r;
  r = RequestRowProblem("r1,,,digid,,,,,,");
  EXPECT_TRUE(Contains(r, "is empty")) << r;
  r = RequestRowProblem(RequestRow("lat", "-90.01"));
  EXPECT_TRUE(Contains(r, "-90..90")) << r;
  r = RequestRowProblem(RequestRow("lon", "nan"));
  EXPECT_TRUE(Contains(r, "lon: 'nan'")) << r;
  r = RequestRowProblem(RequestRow("lat", "\"52,37\""));
  EXPECT_TRUE(Contains(r, "decimal comma")) << r;
  EXPECT_EQ(RequestRowProblem(RequestRow("lat", "-90")), "");
  EXPECT_EQ(RequestRowProblem(RequestRow("lon", "180")), "");
}

TEST(RequestsCsv, MaxKmLiesIn0To1000) {
  for (const char* good : {"0", "1000", "0.5", "1e3", "10."}) {
    EXPECT_EQ(RequestRowProblem(RequestRow("max_km", good)), "") << good;
  }
  for (const char* bad : {"-1", "-0.001", "1000.0001", "1e400", "inf", "ten", "\"2,5\""}) {
    const std::string r = RequestRowProblem(RequestRow("max_km", bad));
    EXPECT_TRUE(Contains(r, "max_km")) << bad << ": " << r;
  }
}

TEST(RequestsCsv, PriorityIsAWholeNumberIn0To3) {
  for (const auto& [text, value] : std::vector<std::pair<std::string, int>>{
           {"0", 0}, {"3", 3}, {"+2", 2}, {"-0", 0}, {"01", 1}}) {
    absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
        std::string(kRequestHeader) + RequestRow("priority", text) + "\n", "r.csv");
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status();
    EXPECT_EQ(parsed->requests[0].priority, value) << text;
  }
  for (const char* bad : {"4", "-1", "99999999999999999999", "-99999999999999999999"}) {
    const std::string r = RequestRowProblem(RequestRow("priority", bad));
    EXPECT_TRUE(Contains(r, "priority")) << bad << ": " << r;
    EXPECT_TRUE(Contains(r, "0..3")) << bad << ": " << r;
  }
  for (const char* bad : {"3.0", "1.", "1e0", "high", "1 2", "0x1"}) {
    const std::string r = RequestRowProblem(RequestRow("priority", bad));
    EXPECT_TRUE(Contains(r, "whole number")) << bad << ": " << r;
  }
  const std::string r = RequestRowProblem(RequestRow("priority", "3.0"));
  EXPECT_TRUE(Contains(r, "priority: '3.0' is not a whole number")) << r;
}

TEST(RequestsCsv, UnknownCodesAndEmptyTopics) {
  const std::pair<std::string, std::string> cases[] = {
      {"topics", "DigiD"},   {"topics", "digid;Taxes"}, {"languages", "EN"},
      {"languages", "eng"},  {"modes", "visit"},        {"modes", "Phone"},
      {"access", "rolstoel"}};
  for (const auto& [column, value] : cases) {
    const std::string r = RequestRowProblem(RequestRow(column, value));
    EXPECT_TRUE(Contains(r, column + ": unknown code")) << value << ": " << r;
  }
  EXPECT_TRUE(Contains(RequestRowProblem(RequestRow("topics", "")), "topics is empty"));
  EXPECT_TRUE(Contains(RequestRowProblem(RequestRow("id", "")), "id is empty"));
  // Empty list items are ignored; an empty list is the default.
  absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
      std::string(kRequestHeader) + "r1,52,5, digid ;;taxes; , ; ,;phone;,;,,,\n", "r.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->requests[0].topics, (TopicSet{Topic::kDigid, Topic::kTaxes}));
  EXPECT_EQ(parsed->requests[0].languages, Request::DefaultLanguages());
  EXPECT_EQ(parsed->requests[0].modes, ModeSet{Mode::kPhone});
  EXPECT_TRUE(parsed->requests[0].access.empty());
}

TEST(RequestsCsv, MunicipalityIsTakenAsWritten) {
  absl::StatusOr<RequestsCsv> parsed = ParseRequestsCsv(
      std::string(kRequestHeader) + RequestRow("municipality", " gm0363 ") + "\n", "r.csv");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->requests[0].municipality, "gm0363");
}

TEST(RequestsCsv, SkipsBadRowsAndKeepsTheOthersInOrderWithTheirLines) {
  const std::string text = std::string(kRequestHeader) +
                           "r1,52,5,digid,,,,,,\n"
                           "\n"
                           "r2,52,5,digid,,,,,9,\n"
                           "r3,52,5,taxes,,,,,,\n"
                           "r1,52,5,digid,,,,,,\n"
                           "r4,52,5,\"digid\"x,,,,,,\n"
                           "r5,52,5,health,,,,,,\n";
  absl::StatusOr<RequestsCsv> rejected = ParseRequestsCsv(text, "requests.csv");
  ASSERT_FALSE(rejected.ok());
  EXPECT_TRUE(Contains(rejected.status().message(), "requests.csv:4: bad row: priority"))
      << rejected.status();
  EXPECT_TRUE(Contains(rejected.status().message(),
                       "requests.csv:6: bad row: duplicate id 'r1'"))
      << rejected.status();
  EXPECT_TRUE(Contains(rejected.status().message(), "requests.csv:7: bad row:"))
      << rejected.status();
  EXPECT_TRUE(Contains(rejected.status().message(), "3 of 6 rows are bad"))
      << rejected.status();

  absl::StatusOr<RequestsCsv> parsed =
      ParseRequestsCsv(text, "requests.csv", {.skip_bad_rows = true});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  std::vector<std::string> ids;
  for (const Request& r : parsed->requests) ids.push_back(r.id);
  EXPECT_EQ(ids, (std::vector<std::string>{"r1", "r3", "r5"}));
  EXPECT_EQ(parsed->lines, (std::vector<int>{2, 5, 8}));
  EXPECT_EQ(parsed->report.bad_rows, 3);
  EXPECT_EQ(parsed->report.rows, 6);
}

// ---------------------------------------------------------------------------
// Files

TEST(Interchange, ReadersNameTheFileTheyCannotRead) {
  const std::string dir =
      ::testing::TempDir() + "/interchange_read_test." + std::to_string(::getpid());
  std::filesystem::create_directories(dir);
  absl::StatusOr<ProvidersCsv> missing = ReadProvidersCsv(dir + "/nope.csv");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(Contains(missing.status().message(), "nope.csv")) << missing.status();
  absl::StatusOr<RequestsCsv> folder = ReadRequestsCsv(dir);
  EXPECT_EQ(folder.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(Contains(folder.status().message(), dir)) << folder.status();

  const std::string path = dir + "/requests.csv";
  std::ofstream(path, std::ios::binary) << "id,lat,lon,topics\nr1,52,5,dgid\n";
  absl::StatusOr<RequestsCsv> bad = ReadRequestsCsv(path);
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(Contains(bad.status().message(), path + ":2: bad row: topics: unknown code 'dgid'"))
      << bad.status();
  std::filesystem::remove_all(dir);
}

TEST(Interchange, WriteFileAtomicallyReplacesOrLeavesAlone) {
  const std::string dir =
      ::testing::TempDir() + "/interchange_write_test." + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const std::string path = dir + "/out.csv";
  ASSERT_TRUE(WriteFileAtomically(path, "one\n").ok());
  ASSERT_TRUE(WriteFileAtomically(path, "two\n").ok());
  EXPECT_EQ(*ReadFile(path), "two\n");
  // A target that cannot be replaced (a non-empty folder) is left as it was, and no
  // temporary file remains.
  std::filesystem::create_directories(dir + "/folder/inside");
  EXPECT_FALSE(WriteFileAtomically(dir + "/folder", "x").ok());
  EXPECT_TRUE(std::filesystem::is_directory(dir + "/folder/inside"));
  EXPECT_FALSE(WriteFileAtomically(dir + "/no/such/dir/out.csv", "x").ok());
  int entries = 0;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    (void)e;
    ++entries;
  }
  EXPECT_EQ(entries, 2);  // out.csv and folder
  std::filesystem::remove_all(dir);
}

// ---------------------------------------------------------------------------
// Writers: round trips and route.csv

void ExpectSameProviders(const Directory& a, const Directory& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    const ProviderInfo& p = a.provider(ProviderIndex(i));
    const ProviderInfo& q = b.provider(ProviderIndex(i));
    SCOPED_TRACE(p.id);
    EXPECT_EQ(p.id, q.id);
    EXPECT_EQ(p.name, q.name);
    EXPECT_EQ(p.kind, q.kind);
    EXPECT_EQ(p.topics, q.topics);
    EXPECT_EQ(p.languages, q.languages);
    EXPECT_EQ(p.modes, q.modes);
    EXPECT_EQ(p.access, q.access);
    EXPECT_EQ(p.radius_km, q.radius_km);
    EXPECT_EQ(p.capacity, q.capacity);
    EXPECT_EQ(p.municipalities, q.municipalities);
    ASSERT_EQ(p.locations.size(), q.locations.size());
    for (size_t l = 0; l < p.locations.size(); ++l) {
      EXPECT_EQ(p.locations[l].id, q.locations[l].id);
      // Bit for bit: the contract's distance test is on unrounded distances.
      EXPECT_EQ(p.locations[l].position, q.locations[l].position);
    }
  }
}

void ExpectSameRequests(const std::vector<Request>& a, const std::vector<Request>& b) {
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].id);
    EXPECT_EQ(a[i].id, b[i].id);
    EXPECT_EQ(a[i].position, b[i].position);
    EXPECT_EQ(a[i].topics, b[i].topics);
    EXPECT_EQ(a[i].languages, b[i].languages);
    EXPECT_EQ(a[i].modes, b[i].modes);
    EXPECT_EQ(a[i].access, b[i].access);
    EXPECT_EQ(a[i].max_km, b[i].max_km);
    EXPECT_EQ(a[i].priority, b[i].priority);
    EXPECT_EQ(a[i].municipality, b[i].municipality);
  }
}

TEST(Interchange, GeneratedScenariosRoundTripThroughCsv) {
  for (uint64_t seed : {1, 2, 3}) {
    SCOPED_TRACE(seed);
    Scenario scenario = GenerateScenario({.seed = seed, .providers = 400, .requests = 400}).value();
    absl::StatusOr<std::shared_ptr<const Directory>> directory =
        Directory::Create(*scenario.directory);
    ASSERT_TRUE(directory.ok()) << directory.status();
    const std::string providers_csv = FormatProvidersCsv(**directory);
    absl::StatusOr<ProvidersCsv> providers = ParseProvidersCsv(providers_csv, "p.csv");
    ASSERT_TRUE(providers.ok()) << providers.status();
    EXPECT_TRUE(providers->report.problems.empty()) << providers->report.ToString();
    ExpectSameProviders(**directory, *providers->directory);
    // Writing again gives the same text.
    EXPECT_EQ(FormatProvidersCsv(*providers->directory), providers_csv);

    const std::string requests_csv = FormatRequestsCsv(scenario.requests);
    absl::StatusOr<RequestsCsv> requests = ParseRequestsCsv(requests_csv, "r.csv");
    ASSERT_TRUE(requests.ok()) << requests.status();
    ExpectSameRequests(scenario.requests, requests->requests);
    EXPECT_EQ(FormatRequestsCsv(requests->requests), requests_csv);
  }
}

TEST(Interchange, AwkwardValuesRoundTripExactly) {
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("id, with \"quotes\"");
  p->set_name("Naam met\nregeleinde, komma en \"aanhalingstekens\"");
  p->set_kind(v1::PROVIDER_KIND_WELFARE);
  p->add_topics(v1::TOPIC_DIGID);
  p->add_languages("fy");
  p->add_modes(v1::MODE_HOME_VISIT);
  p->set_radius_km(0.1 + 0.2);  // not a short decimal
  p->set_capacity(0);
  p->add_municipalities("GM,0363");
  v1::Location* l = p->add_locations();
  l->mutable_position()->set_lat_deg(52.123456789012345);
  l->mutable_position()->set_lon_deg(-0.0);
  v1::Provider* q = snapshot.add_providers();
  q->set_id("é-ñ-😀");
  q->set_kind(v1::PROVIDER_KIND_PHONE);
  q->add_topics(v1::TOPIC_EDUCATION);
  q->add_modes(v1::MODE_VIDEO);
  q->set_capacity(std::numeric_limits<int64_t>::max());
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();
  absl::StatusOr<ProvidersCsv> back =
      ParseProvidersCsv(FormatProvidersCsv(**directory), "p.csv");
  ASSERT_TRUE(back.ok()) << back.status();
  ExpectSameProviders(**directory, *back->directory);
  EXPECT_TRUE(std::signbit(back->directory->provider(ProviderIndex(0)).locations[0].position.lon_deg));

  Request r;
  r.id = "r \"1\", a";
  r.position = {-33.868820000000001, 151.20929};
  r.topics = {Topic::kHealth};
  r.max_km = 1.0 / 3;
  r.priority = 3;
  r.municipality = "GM0363";
  r.modes = {Mode::kPhone};
  std::vector<Request> requests = {r};
  absl::StatusOr<RequestsCsv> back_requests =
      ParseRequestsCsv(FormatRequestsCsv(requests), "r.csv");
  ASSERT_TRUE(back_requests.ok()) << back_requests.status();
  ExpectSameRequests(requests, back_requests->requests);
}

TEST(Interchange, CsvFieldQuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField(""), "");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("two\nlines"), "\"two\nlines\"");
  EXPECT_EQ(CsvField("cr\rhere"), "\"cr\rhere\"");
}

TEST(Interchange, FormatRouteCsvWritesTheContractsRows) {
  // Positions a hand-checkable distance apart along a meridian.
  absl::StatusOr<ProvidersCsv> providers = ParseProvidersCsv(
      "id,kind,lat,lon,topics,modes,radius_km\n"
      "\"bieb, centrum\",library,52.0,5.0,benefits,in_person,\n"
      "ido-noord,ido,52.01,5.0,benefits,in_person;phone,\n"
      "hulplijn,phone,,,benefits;taxes,phone,\n"
      "ver-weg,welfare,52.5,5.0,benefits,in_person;video,\n",
      "providers.csv");
  ASSERT_TRUE(providers.ok()) << providers.status();
  absl::StatusOr<RequestsCsv> requests = ParseRequestsCsv(
      "id,lat,lon,topics,max_km\n"
      "r1,52.0,5.0,benefits,\n"
      "\"r,2\",52.0,5.0,permits,\n"
      "r3,52.0,5.0,taxes,\n",
      "requests.csv");
  ASSERT_TRUE(requests.ok()) << requests.status();
  Router router(providers->directory);
  std::vector<RouteResult> results = router.RouteBatch(requests->requests, {.k = 5});

  const int64_t d_noord = std::llround(testing::OracleDistanceMeters(52.0, 5.0, 52.01, 5.0));
  ASSERT_EQ(d_noord, 1112);  // 0.01 degree of latitude on the contract's sphere
  const std::string expected =
      "request_id,rank,provider_id,mode,distance_m\n"
      "r1,1,\"bieb, centrum\",in_person,0\n"
      "r1,2,ido-noord,in_person," + std::to_string(d_noord) + "\n"
      // ver-weg is 55.6 km away (beyond max_km 10): by video, remote class, id order.
      "r1,3,hulplijn,phone,\n"
      "r1,4,ver-weg,video,\n"
      "\"r,2\",0,,no_suitable_provider,\n"
      "r3,1,hulplijn,phone,\n";
  EXPECT_EQ(FormatRouteCsv(*providers->directory, requests->requests, results), expected);

  // k cuts the list; ranks stay 1-based.
  results = router.RouteBatch(requests->requests, {.k = 1});
  EXPECT_EQ(FormatRouteCsv(*providers->directory, requests->requests, results),
            "request_id,rank,provider_id,mode,distance_m\n"
            "r1,1,\"bieb, centrum\",in_person,0\n"
            "\"r,2\",0,,no_suitable_provider,\n"
            "r3,1,hulplijn,phone,\n");

  // No requests: only the header.
  EXPECT_EQ(FormatRouteCsv(*providers->directory, {}, {}),
            "request_id,rank,provider_id,mode,distance_m\n");
}

TEST(Interchange, FurtherLocationsAreNamedProviderSlashLocation) {
  // The CSV contract has one location per row; a snapshot provider with several is
  // written as one row per location, and route.csv names a location the same way.
  v1::DirectorySnapshot snapshot;
  v1::Provider* p = snapshot.add_providers();
  p->set_id("bieb");
  p->set_kind(v1::PROVIDER_KIND_LIBRARY);
  p->add_topics(v1::TOPIC_DIGID);
  p->add_modes(v1::MODE_IN_PERSON);
  v1::Location* main = p->add_locations();  // id empty: the provider's own
  main->mutable_position()->set_lat_deg(52);
  main->mutable_position()->set_lon_deg(5);
  v1::Location* branch = p->add_locations();
  branch->set_id("noord");
  branch->mutable_position()->set_lat_deg(52.01);
  branch->mutable_position()->set_lon_deg(5);
  absl::StatusOr<std::shared_ptr<const Directory>> directory = Directory::Create(snapshot);
  ASSERT_TRUE(directory.ok()) << directory.status();

  EXPECT_EQ(FormatProvidersCsv(**directory),
            "id,name,kind,lat,lon,topics,languages,modes,radius_km,access,capacity,"
            "municipality\n"
            "bieb,,library,52,5,digid,nl,in_person,0,,,\n"
            "bieb/noord,,library,52.01,5,digid,nl,in_person,0,,,\n");

  Request r;
  r.id = "r1";
  r.position = {52.01, 5};
  r.topics = {Topic::kDigid};
  std::vector<Request> requests = {r};
  Router router(*directory);
  std::vector<RouteResult> results = router.RouteBatch(requests);
  EXPECT_EQ(FormatRouteCsv(**directory, requests, results),
            "request_id,rank,provider_id,mode,distance_m\n"
            "r1,1,bieb/noord,in_person,0\n"
            "r1,2,bieb,in_person,1112\n");
}

}  // namespace
}  // namespace wegwijzer
