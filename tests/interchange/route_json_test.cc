// The hand-written JSON of POST /v1/route (interchange/route_json.h) against
// protobuf's own JSON mapping, the oracle: JsonStringToMessage and
// MessageToJsonString on seeded random messages (every field), on mutations of their
// text, and on a table of bad and odd bodies. Reader: same message or both refuse;
// writer: the same bytes.
#include "interchange/route_json.h"

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "core/random.h"
#include "gmock/gmock.h"
#include "google/protobuf/stubs/logging.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "openreferral/json.h"
#include "wegwijzer/v1/request.pb.h"
#include "core/utf8.h"  // AppendUtf8

namespace wegwijzer {
namespace {

using ::testing::HasSubstr;
using internal::Random;

// Protobuf logs an ERROR when it serializes a string of invalid UTF-8 (its JSON
// printer goes through the binary form); the tests do that on purpose.
class QuietProtobuf : public ::testing::Environment {
 public:
  void SetUp() override {
    google::protobuf::SetLogHandler([](google::protobuf::LogLevel, const char*, int,
                                       const std::string&) {});
  }
};
const auto* const kQuiet = ::testing::AddGlobalTestEnvironment(new QuietProtobuf);

absl::Status ProtobufParse(const std::string& json, v1::RouteRequest* m) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = false;
  m->Clear();
  const auto s = google::protobuf::util::JsonStringToMessage(json, m, options);
  return s.ok() ? absl::OkStatus() : absl::InvalidArgumentError(std::string(s.message()));
}

std::string ProtobufPrint(const google::protobuf::Message& m, bool proto_names,
                          bool always_print = false) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = proto_names;
  options.always_print_primitive_fields = always_print;
  std::string out;
  EXPECT_TRUE(google::protobuf::util::MessageToJsonString(m, &out, options).ok());
  return out;
}

bool Same(const google::protobuf::Message& a, const google::protobuf::Message& b) {
  // Byte-equal serializations: -0.0 and +0.0, and NaN payloads, differ here, where
  // MessageDifferencer would call them equal.
  std::string x, y;
  a.SerializeToString(&x);
  b.SerializeToString(&y);
  return x == y && google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// ---- random text and numbers ----

using ::wegwijzer::internal::AppendUtf8;

// Code points where escaping rules change: controls, quote, backslash, < >, DEL,
// C1, the invisible ones protobuf escapes, non-BMP ones.
constexpr uint32_t kInteresting[] = {
    0x00, 0x01, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1f, 0x20, '"', '\\', '/', '<', '>',
    '&', '\'', 0x7e, 0x7f, 0x80, 0x9f, 0xa0, 0xad, 0xe9, 0x600, 0x603, 0x604, 0x61c,
    0x6dd, 0x70f, 0x17b4, 0x17b5, 0x200a, 0x200b, 0x200f, 0x2010, 0x2028, 0x202e, 0x202f,
    0x2060, 0x2064, 0x2065, 0x206a, 0x206f, 0xd7ff, 0xe000, 0xfeff, 0xfff8, 0xfff9,
    0xfffb, 0xfffc, 0xffff, 0x10000, 0x1d172, 0x1d173, 0x1d17a, 0x1d17b, 0x1f600,
    0xe0000, 0xe0001, 0xe0020, 0xe007f, 0xe0080, 0x10ffff};

// Valid UTF-8, `bad` in a hundred with a byte of invalid UTF-8 somewhere.
std::string RandomText(Random& random, int bad = 0) {
  std::string s;
  const int n = random.Int(0, 12);
  for (int i = 0; i < n; ++i) {
    switch (random.Int(0, 4)) {
      case 0: s.push_back(static_cast<char>(random.Int('a', 'z'))); break;
      case 1: AppendUtf8(kInteresting[random.Int(0, std::size(kInteresting) - 1)], &s); break;
      case 2: AppendUtf8(static_cast<uint32_t>(random.Int(0x80, 0xd7ff)), &s); break;
      case 3: AppendUtf8(static_cast<uint32_t>(random.Int(0xe000, 0x10ffff)), &s); break;
      default: s.push_back(static_cast<char>(random.Int(0x20, 0x7e))); break;
    }
  }
  if (random.Int(0, 99) < bad) {
    static constexpr const char* kBad[] = {"\xff", "\xc3", "\xc3(", "\x80", "\xe2\x82",
                                           "\xed\xa0\x80", "\xc0\x80", "\xc1\xbf",
                                           "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80",
                                           "\xe0\x80\xaf", "\xf0\x9f\x98"};
    s.insert(static_cast<size_t>(random.Int(0, static_cast<int>(s.size()))),
             kBad[random.Int(0, std::size(kBad) - 1)]);
  }
  return s;
}

double RandomDouble(Random& random, bool special) {
  switch (random.Int(0, 7)) {
    case 0: return random.Uniform(-90, 90);
    case 1: return static_cast<double>(random.Int(-1000, 1000));
    case 2: return random.Int(0, 1) ? 0.0 : -0.0;
    case 3: return random.Uniform(0, 1) * std::pow(10.0, random.Int(-320, 308));
    case 4: {
      double d;
      do {
        const uint64_t bits = random.Next();
        std::memcpy(&d, &bits, sizeof d);
      } while (!std::isfinite(d));
      return d;
    }
    case 5: return static_cast<double>(random.Next() >> random.Int(0, 63));
    case 6:
      if (special) {
        switch (random.Int(0, 2)) {
          case 0: return std::numeric_limits<double>::quiet_NaN();
          case 1: return std::numeric_limits<double>::infinity();
          default: return -std::numeric_limits<double>::infinity();
        }
      }
      return 0.1 * random.Int(0, 100);
    default: return std::numeric_limits<double>::denorm_min() * random.Int(1, 5);
  }
}

int64_t RandomInt64(Random& random) {
  switch (random.Int(0, 3)) {
    case 0: return random.Int(-5, 400);
    case 1: return static_cast<int64_t>(random.Next());
    case 2: return random.Int(0, 1) ? std::numeric_limits<int64_t>::max()
                                    : std::numeric_limits<int64_t>::min();
    default: return 1'700'000'000 + random.Int(0, 1'000'000);
  }
}

int32_t RandomInt32(Random& random) {
  switch (random.Int(0, 2)) {
    case 0: return random.Int(-3, 200);
    case 1: return static_cast<int32_t>(random.Next());
    default: return random.Int(0, 1) ? std::numeric_limits<int32_t>::max()
                                     : std::numeric_limits<int32_t>::min();
  }
}

// ---- random messages ----

// `valid_enums`: only declared enum values (protobuf writes others as numbers,
// which the strict form leaves to protobuf).
void RandomRequest(Random& random, bool valid_enums, v1::Request* r) {
  auto enum_value = [&](int max) { return valid_enums ? random.Int(0, max) : random.Int(-2, max + 3); };
  if (random.Chance(0.8)) r->set_id(RandomText(random));
  if (random.Chance(0.8)) {
    v1::LatLng* p = r->mutable_position();
    if (random.Chance(0.9)) p->set_lat_deg(RandomDouble(random, false));
    if (random.Chance(0.9)) p->set_lon_deg(RandomDouble(random, false));
  }
  for (int i = random.Int(0, 3); i > 0; --i) r->add_topics(static_cast<v1::Topic>(enum_value(15)));
  for (int i = random.Int(0, 3); i > 0; --i) r->add_languages(RandomText(random));
  for (int i = random.Int(0, 3); i > 0; --i) r->add_modes(static_cast<v1::Mode>(enum_value(4)));
  for (int i = random.Int(0, 2); i > 0; --i) r->add_access(static_cast<v1::Access>(enum_value(5)));
  if (random.Chance(0.5)) r->set_max_km(RandomDouble(random, false));
  if (random.Chance(0.5)) r->set_priority(RandomInt32(random));
  if (random.Chance(0.5)) r->set_municipality(RandomText(random));
  if (random.Chance(0.5)) r->set_postcode(RandomText(random));
  if (random.Chance(0.5)) r->set_age(RandomInt32(random));
  if (random.Chance(0.5)) r->set_can_pay(random.Chance(0.5));
  if (random.Chance(0.5)) r->set_at_unix_seconds(RandomInt64(random));
  if (random.Chance(0.5)) r->set_within_days(RandomInt32(random));
}

v1::RouteRequest RandomRouteRequest(Random& random, bool valid_enums) {
  v1::RouteRequest m;
  if (random.Chance(0.5)) {
    RandomRequest(random, valid_enums, m.mutable_request());
  } else {
    for (int i = random.Int(0, 4); i > 0; --i) RandomRequest(random, valid_enums, m.add_requests());
  }
  if (random.Chance(0.5)) m.set_k(RandomInt32(random));
  if (random.Chance(0.5)) m.set_explain(random.Chance(0.5));
  if (random.Chance(0.5)) m.set_language(RandomText(random));
  return m;
}

v1::RouteResponse RandomRouteResponse(Random& random) {
  v1::RouteResponse m;
  for (int i = random.Int(0, 3); i > 0; --i) {
    v1::RouteResult* result = m.add_results();
    if (random.Chance(0.8)) result->set_request_id(RandomText(random, 10));
    for (int j = random.Int(0, 3); j > 0; --j) {
      v1::Referral* r = result->add_referrals();
      if (random.Chance(0.8)) r->set_rank(RandomInt32(random));
      if (random.Chance(0.8)) r->set_provider_id(RandomText(random, 10));
      if (random.Chance(0.8)) r->set_location_id(RandomText(random, 10));
      if (random.Chance(0.8)) r->set_mode(static_cast<v1::Mode>(random.Int(-2, 6)));
      if (random.Chance(0.8)) r->set_cost_m(RandomInt64(random));
      if (random.Chance(0.8)) r->set_distance_m(RandomDouble(random, true));
      for (int k = random.Int(0, 3); k > 0; --k) r->add_reasons(RandomText(random, 10));
      if (random.Chance(0.5)) r->set_next_opening_unix_seconds(RandomInt64(random));
    }
    if (random.Chance(0.3)) result->set_no_suitable_provider(RandomText(random, 10));
  }
  if (random.Chance(0.9)) m.set_directory_version(RandomText(random, 10));
  return m;
}

// Checks one body: the reader and protobuf agree (same message, or both refuse).
// Returns whether the strict reader decided it alone.
bool ExpectAgree(const std::string& json) {
  v1::RouteRequest want, strict, got;
  const absl::Status want_status = ProtobufParse(json, &want);
  const bool decided = internal::ParseRouteRequestJsonStrict(json, &strict);
  if (decided) {
    EXPECT_TRUE(want_status.ok()) << "the strict reader accepts what protobuf refuses ("
                                  << want_status.message() << "): " << json;
    EXPECT_TRUE(Same(strict, want)) << json << "\n strict: " << strict.ShortDebugString()
                                    << "\n protobuf: " << want.ShortDebugString();
  }
  const absl::Status got_status = internal::ParseRouteRequestJson(json, &got);
  EXPECT_EQ(got_status.ok(), want_status.ok()) << json;
  if (got_status.ok() && want_status.ok()) {
    EXPECT_TRUE(Same(got, want)) << json;
  } else if (!got_status.ok() && !want_status.ok()) {
    EXPECT_EQ(got_status.message(), want_status.message());
  }
  return decided;
}

TEST(RouteJsonReader, AgreesWithProtobufOnGeneratedMessages) {
  Random random(14);
  int decided = 0, total = 0;
  for (int i = 0; i < 4000; ++i) {
    const bool valid_enums = i % 4 != 0;
    const v1::RouteRequest m = RandomRouteRequest(random, valid_enums);
    // Both spellings of the field names, and with every default written out.
    const std::string json = ProtobufPrint(m, i % 2 == 0, i % 3 == 0);
    const bool strict = ExpectAgree(json);
    decided += strict;
    ++total;
    // What protobuf writes with declared enums is the strict form: decided here.
    if (valid_enums) {
      EXPECT_TRUE(strict) << json;
    }
  }
  EXPECT_GT(decided, total / 2);
}

TEST(RouteJsonReader, AgreesWithProtobufOnMutatedText) {
  Random random(1414);
  static constexpr const char* kPieces[] = {
      "\"", "'", ",", ":", "{", "}", "[", "]", " ", "\t", "\v", "null", "true", "false", "-",
      "0", "1", ".5", "e5", "E-3", "\\", "\\u", "\\ud83d", "\\ude00", "\\u0000", "\"request\"",
      "\"requests\"", "\"maxKm\"", "\"max_km\"", "\"id\"", "\"TOPIC_DIGID\"", "\"MODE_PHONE\"",
      "\"7\"", "\"-0\"", "-0", "1e999", "9223372036854775808", "2147483648", "\xc3", "\xe9",
      "\"NaN\"", "\"Infinity\"", "1.0", "007", "+1", "\"topic_digid\"", "\"t\"", "\"true\""};
  int decided = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string json = ProtobufPrint(RandomRouteRequest(random, true), i % 2 == 0);
    for (int edits = random.Int(1, 3); edits > 0; --edits) {
      const size_t at = json.empty() ? 0 : static_cast<size_t>(random.Int(0, static_cast<int>(json.size())));
      switch (random.Int(0, 3)) {
        case 0:
          if (at < json.size()) json.erase(at, static_cast<size_t>(random.Int(1, 4)));
          break;
        case 1: json.insert(at, kPieces[random.Int(0, std::size(kPieces) - 1)]); break;
        case 2:
          if (at < json.size()) json[at] = static_cast<char>(random.Int(0, 255));
          break;
        default: {  // a member repeated
          const size_t comma = json.find(',', at);
          if (comma != std::string::npos) {
            const size_t start = json.rfind(',', comma == 0 ? 0 : comma - 1);
            if (start != std::string::npos && start < comma) {
              json.insert(comma, json.substr(start, comma - start));
            }
          }
        }
      }
    }
    decided += ExpectAgree(json);
  }
  // Mutations mostly break the text, but not all: some stay in the strict form.
  EXPECT_GT(decided, 100);
}

// Bodies protobuf refuses, each with what its message names; and bodies it accepts
// that are not the strict form. The reader must answer as protobuf does.
TEST(RouteJsonReader, BadAndOddBodies) {
  struct Case {
    std::string json;
    bool accepted;
    std::string message_names;  // for refused ones: a part of the message
  };
  const std::vector<Case> cases = {
      {"", false, ""},
      {"[]", false, "Root element must be a message"},
      {"{\"request\":{\"foo\":1}}", false, "foo"},
      {"{\"request\":{\"ID\":\"x\"}}", false, "ID"},
      {"{\"bogus\":true}", false, "bogus"},
      {"{\"request\":{\"priority\":1e30}}", false, "request.priority"},
      {"{\"request\":{\"priority\":2147483648}}", false, "request.priority"},
      {"{\"request\":{\"priority\":\"x\"}}", false, "request.priority"},
      {"{\"k\":2147483648}", false, "k"},
      {"{\"k\":\"12a\"}", false, "k"},
      {"{\"request\":{\"atUnixSeconds\":9223372036854775808}}", false, "request.at_unix_seconds"},
      {"{\"request\":{\"maxKm\":1e999}}", false, "range of double"},
      {"{\"request\":{\"maxKm\":\"abc\"}}", false, "request.max_km"},
      {"{\"request\":{\"topics\":[\"TOPIC_NOPE\"]}}", false, "request.topics[0]"},
      {"{\"request\":{\"topics\":[\"topic_digid\"]}}", false, "request.topics[0]"},
      {"{\"request\":{\"canPay\":\"maybe\"}}", false, "request.can_pay"},
      {"{\"language\":5}", false, "language"},
      {"{\"request\":{\"id\":\"\\ud83d\"}}", false, "surrogate"},
      {"{\"request\":{\"id\":\"x\"}} x", false, ""},
      {"{\"request\":{\"id\":\"x\"", false, ""},
      {"{\"request\":[]}", false, "request"},
      {"{\"request\":{\"position\":{\"latDeg\":true}}}", false, "request.position.lat_deg"},
      // Accepted by protobuf, left to it by the strict reader.
      {"{\"request\":{\"age\":null}}", true, ""},
      {"{'request':{'id':'x'}}", true, ""},
      {"{request:{}}", true, ""},
      {"{\"request\":{},}", true, ""},
      {"{\"request\":{\"id\":\"x\",\"id\":\"y\"}}", true, ""},
      {"{\"request\":{\"priority\":1.0}}", true, ""},
      {"{\"request\":{\"priority\":\"007\"}}", true, ""},
      {"{\"request\":{\"priority\":-0}}", true, ""},
      {"{\"request\":{\"canPay\":\"true\"}}", true, ""},
      {"{\"request\":{\"topics\":\"TOPIC_DIGID\"}}", true, ""},
      {"{\"request\":{\"topics\":[1, 99]}}", true, ""},
      {"{\"request\":{\"maxKm\":\"1.5\"}}", true, ""},
      {"{\"request\":{\"maxKm\":1e-400}}", true, ""},
      {"{\"k\":1e2}", true, ""},
      {"{\"requests\":{}}", true, ""},  // an object for a repeated field: one element
      // The strict form, decided by the reader.
      {" {\"request\" : { \"id\" : \"a\\u0000b\\/c\\ud83d\\ude00\" } } ", true, ""},
      {"{\"request\":{\"maxKm\":-0,\"age\":\"12\",\"at_unix_seconds\":\"-9223372036854775808\"}}", true, ""},
      {"{\"request\":{\"maxKm\":9007199254740993}}", true, ""},
      {"{}", true, ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.json);
    ExpectAgree(c.json);
    v1::RouteRequest m;
    const absl::Status s = internal::ParseRouteRequestJson(c.json, &m);
    EXPECT_EQ(s.ok(), c.accepted) << s;
    if (!s.ok()) {
      EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
      EXPECT_THAT(std::string(s.message()), HasSubstr(c.message_names));
    }
  }
}

TEST(RouteJsonReader, DecidesTheCommonFormItself) {
  v1::RouteRequest m;
  ASSERT_TRUE(internal::ParseRouteRequestJsonStrict(
      "{\"request\":{\"id\":\"r1\",\"position\":{\"latDeg\":52.37,\"lon_deg\":4.9},"
      "\"topics\":[\"TOPIC_BENEFITS\"],\"languages\":[\"ar\"],\"modes\":[\"MODE_IN_PERSON\"],"
      "\"maxKm\":1,\"atUnixSeconds\":\"1700000000\",\"canPay\":false},\"k\":2,"
      "\"explain\":true,\"language\":\"nl\"}",
      &m));
  EXPECT_EQ(m.request().id(), "r1");
  EXPECT_EQ(m.request().position().lat_deg(), 52.37);
  EXPECT_EQ(m.request().topics(0), v1::TOPIC_BENEFITS);
  EXPECT_TRUE(m.request().has_can_pay());
  EXPECT_EQ(m.request().at_unix_seconds(), 1'700'000'000);
  EXPECT_EQ(m.k(), 2);
  EXPECT_EQ(m.language(), "nl");
}

TEST(RouteJsonWriter, WritesProtobufsBytesForGeneratedMessages) {
  Random random(41);
  for (int i = 0; i < 4000; ++i) {
    const v1::RouteResponse m = RandomRouteResponse(random);
    for (const bool proto_names : {true, false}) {
      std::string mine;
      internal::AppendRouteResponseJson(m, &mine, {.proto_field_names = proto_names});
      ASSERT_EQ(mine, ProtobufPrint(m, proto_names)) << m.ShortDebugString();
    }
  }
}

TEST(RouteJsonWriter, AppendsToWhatIsThere) {
  std::string out = "x";
  internal::AppendRouteResponseJson(v1::RouteResponse(), &out);
  EXPECT_EQ(out, "x{}");
}

// Every code point, and every invalid byte, escaped as protobuf escapes them.
TEST(JsonEscaping, LikeProtobufForEveryCodePointAndBadByte) {
  std::string all;
  for (uint32_t cp = 0; cp <= 0x10ffff; ++cp) {
    if (cp >= 0xd800 && cp <= 0xdfff) continue;
    AppendUtf8(cp, &all);
  }
  for (int b = 0x80; b < 0x100; ++b) {
    all.push_back(static_cast<char>(b));
    all.push_back('a');
  }
  all += "\xe0\x80\x80 \xc1\x81 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82";  // overlong, surrogate, ...
  v1::RouteResponse m;
  m.set_directory_version(all);
  std::string want = ProtobufPrint(m, true);
  std::string mine = "{\"directory_version\":";
  internal::AppendJsonString(all, &mine, internal::JsonEscaping::kLikeProtobuf);
  mine += "}";
  ASSERT_EQ(mine.size(), want.size());
  EXPECT_TRUE(mine == want);
}

TEST(JsonEscaping, MinimalEscapesOnlyWhatJsonRequires) {
  std::string out;
  internal::AppendJsonString("a\"b\\c\n\x01<\xff", &out);
  EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001<\xff\"");
}

}  // namespace
}  // namespace wegwijzer
