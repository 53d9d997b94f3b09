// Request: the contract's defaults and rules (core/rules.h), the same on every entry
// point: the struct (Validate), the protobuf model (FromProto) and requests.csv.
#include "wegwijzer/request.h"

#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "core/rules.h"
#include "gtest/gtest.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

Request Valid() {
  Request r;
  r.id = "r1";
  r.position = {52.37, 4.9};
  r.topics.Add(Topic::kDigid);
  return r;
}

TEST(Request, DefaultsAreTheContracts) {
  const Request r;
  EXPECT_EQ(r.languages.ToString(), "nl");
  EXPECT_EQ(r.languages, Request::DefaultLanguages());
  EXPECT_EQ(r.modes, kAllModes);
  EXPECT_TRUE(r.access.empty());
  EXPECT_EQ(r.max_km, 10);
  EXPECT_EQ(r.priority, 0);
  EXPECT_TRUE(r.municipality.empty());
  EXPECT_TRUE(r.postcode.empty());
  EXPECT_TRUE(Valid().Validate().ok());

  LanguageSet languages;
  ModeSet modes;
  internal::ApplyRequestDefaults(&languages, &modes);
  EXPECT_EQ(languages, r.languages);
  EXPECT_EQ(modes, r.modes);
  // Given lists are kept.
  languages = LanguageSet();
  languages.Add(*Language::FromCode("ar"));
  modes = ModeSet{Mode::kPhone};
  internal::ApplyRequestDefaults(&languages, &modes);
  EXPECT_EQ(languages.ToString(), "ar");
  EXPECT_EQ(modes, ModeSet{Mode::kPhone});
}

TEST(Request, EveryEntryPointAppliesTheSameDefaults) {
  // requests.csv with every optional field empty.
  absl::StatusOr<RequestsCsv> csv = ParseRequestsCsv(
      "id,lat,lon,topics,languages,modes,access,max_km,priority,municipality\n"
      "r1,52.37,4.9,digid,,,,,,\n",
      "requests.csv");
  ASSERT_TRUE(csv.ok()) << csv.status();
  ASSERT_EQ(csv->requests.size(), 1u);
  // The protobuf model with every optional field unset.
  v1::Request proto;
  proto.set_id("r1");
  proto.mutable_position()->set_lat_deg(52.37);
  proto.mutable_position()->set_lon_deg(4.9);
  proto.add_topics(v1::TOPIC_DIGID);
  absl::StatusOr<Request> from_proto = Request::FromProto(proto);
  ASSERT_TRUE(from_proto.ok()) << from_proto.status();

  const Request expected = Valid();
  for (const Request& r : {csv->requests[0], *from_proto}) {
    EXPECT_EQ(r.id, expected.id);
    EXPECT_EQ(r.topics, expected.topics);
    EXPECT_EQ(r.languages, expected.languages);
    EXPECT_EQ(r.modes, expected.modes);
    EXPECT_EQ(r.access, expected.access);
    EXPECT_EQ(r.max_km, expected.max_km);
    EXPECT_EQ(r.priority, expected.priority);
    EXPECT_EQ(r.municipality, expected.municipality);
  }
}

TEST(Request, ValidateNamesTheRequestAndTheFirstWrongField) {
  struct Case {
    const char* name;
    void (*change)(Request*);
    const char* message;  // exact
  };
  const Case cases[] = {
      {"empty id", [](Request* r) { r->id.clear(); }, "request with an empty id"},
      {"latitude", [](Request* r) { r->position.lat_deg = 91; },
       "request 'r1': position (91, 4.9) is not finite or out of range"},
      {"NaN position", [](Request* r) { r->position.lon_deg = std::nan(""); },
       "request 'r1': position (52.37, nan) is not finite or out of range"},
      {"no topics", [](Request* r) { r->topics = TopicSet(); }, "request 'r1': no topics"},
      {"no languages", [](Request* r) { r->languages = LanguageSet(); },
       "request 'r1': no languages"},
      {"no modes", [](Request* r) { r->modes = ModeSet(); }, "request 'r1': no modes"},
      {"max_km below", [](Request* r) { r->max_km = -0.5; },
       "request 'r1': max_km -0.5 is outside 0..1000"},
      {"max_km above", [](Request* r) { r->max_km = 1000.5; },
       "request 'r1': max_km 1000.5 is outside 0..1000"},
      {"max_km infinite", [](Request* r) { r->max_km = std::numeric_limits<double>::infinity(); },
       "request 'r1': max_km inf is outside 0..1000"},
      {"max_km NaN", [](Request* r) { r->max_km = std::nan(""); },
       "request 'r1': max_km nan is outside 0..1000"},
      {"priority below", [](Request* r) { r->priority = -1; },
       "request 'r1': priority -1 is outside 0..3"},
      {"priority above", [](Request* r) { r->priority = 4; },
       "request 'r1': priority 4 is outside 0..3"},
      // The first wrong field is named, in the documented order.
      {"two wrong", [](Request* r) { r->topics = TopicSet(); r->priority = 9; },
       "request 'r1': no topics"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Request r = Valid();
    c.change(&r);
    absl::Status s = r.Validate();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(s), c.message);
  }
  // Bounds are inclusive.
  for (double km : {0.0, 1000.0}) {
    Request r = Valid();
    r.max_km = km;
    EXPECT_TRUE(r.Validate().ok()) << km;
  }
  for (int priority : {0, 3}) {
    Request r = Valid();
    r.priority = priority;
    EXPECT_TRUE(r.Validate().ok()) << priority;
  }
}

// The CSV reader and Validate apply one rule: a value is accepted by one exactly when
// it is accepted by the other.
TEST(Request, CsvAndValidateAgreeOnEveryBound) {
  for (double km : {-1.0, -0.0, 0.0, 0.001, 10.0, 999.999, 1000.0, 1000.001, 5000.0}) {
    Request r = Valid();
    r.max_km = km;
    absl::StatusOr<RequestsCsv> csv = ParseRequestsCsv(
        absl::StrCat("id,lat,lon,topics,max_km\nr1,52.37,4.9,digid,", absl::StrFormat("%.17g", km),
                     "\n"),
        "requests.csv");
    EXPECT_EQ(csv.ok(), r.Validate().ok()) << km;
    if (csv.ok()) {
      EXPECT_EQ(csv->requests[0].max_km, km);
    }
  }
  for (int priority : {-2, -1, 0, 1, 2, 3, 4, 100}) {
    Request r = Valid();
    r.priority = priority;
    absl::StatusOr<RequestsCsv> csv = ParseRequestsCsv(
        absl::StrCat("id,lat,lon,topics,priority\nr1,52.37,4.9,digid,", priority, "\n"),
        "requests.csv");
    EXPECT_EQ(csv.ok(), r.Validate().ok()) << priority;
    if (!csv.ok()) {
      EXPECT_NE(Message(csv.status()).find("is outside 0..3"), std::string::npos)
          << csv.status();
    }
  }
}

TEST(Request, ValidateUniqueIds) {
  std::vector<Request> requests(4, Valid());
  for (int i = 0; i < 4; ++i) requests[i].id = absl::StrCat("r", i);
  EXPECT_TRUE(ValidateUniqueIds(requests).ok());
  EXPECT_TRUE(ValidateUniqueIds({}).ok());
  requests[3].id = "r1";
  absl::Status s = ValidateUniqueIds(requests);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Message(s), "request id 'r1' is used twice (positions 1 and 3)");
}

}  // namespace
}  // namespace wegwijzer
