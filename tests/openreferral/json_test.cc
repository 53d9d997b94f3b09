#include "openreferral/json.h"

#include <chrono>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wegwijzer::internal {
namespace {

using ::testing::HasSubstr;

std::string Message(std::string_view text, int depth = kDefaultJsonMaxDepth) {
  absl::StatusOr<JsonValue> v = ParseJson(text, "t.json", depth);
  return v.ok() ? std::string("ok") : std::string(v.status().message());
}

TEST(Json, ParsesEveryTypeAndKeepsNumberText) {
  absl::StatusOr<JsonValue> v =
      ParseJson(R"({"a": [1, -0.5e3, true, false, null, "x\u00e9\n"], "b": {}})", "t.json");
  ASSERT_TRUE(v.ok()) << v.status();
  ASSERT_EQ(v->type, JsonValue::Type::kObject);
  const JsonValue* a = v->Find("a");
  ASSERT_NE(a, nullptr);
  ASSERT_EQ(a->array.size(), 6u);
  EXPECT_EQ(a->array[1].text, "-0.5e3");  // as written, not reformatted
  EXPECT_TRUE(a->array[2].boolean);
  EXPECT_EQ(a->array[4].type, JsonValue::Type::kNull);
  EXPECT_EQ(a->array[5].text, "x\xC3\xA9\n");
  EXPECT_EQ(v->Find("b")->type, JsonValue::Type::kObject);
  EXPECT_EQ(v->Find("c"), nullptr);
}

TEST(Json, CompactWriteReadsBackTheSame) {
  const std::string text = R"({"k":["a\"b\\c",1.25,{"z":null}],"u":"\u0001\ud83d\ude00"})";
  absl::StatusOr<JsonValue> v = ParseJson(text, "t.json");
  ASSERT_TRUE(v.ok()) << v.status();
  std::string out;
  AppendJson(*v, &out);
  absl::StatusOr<JsonValue> again = ParseJson(out, "t.json");
  ASSERT_TRUE(again.ok()) << again.status();
  std::string out2;
  AppendJson(*again, &out2);
  EXPECT_EQ(out, out2);
  EXPECT_EQ(again->Find("u")->text, "\x01\xF0\x9F\x98\x80");
}

TEST(Json, ShortestNumberReadsBackExactly) {
  for (double d : {0.1, 52.3719123456789, -4.9e-7, 1e21, 100.0}) {
    std::string s;
    AppendJsonNumber(d, &s);
    EXPECT_EQ(std::stod(s), d) << s;
  }
}

TEST(Json, InvalidInputs) {
  EXPECT_THAT(Message(R"({"a":1,"a":2})"), HasSubstr("byte 7: key \"a\" appears twice"));
  EXPECT_THAT(Message("[1,]"), HasSubstr("not a JSON value"));
  EXPECT_THAT(Message(R"({"a":1,})"), HasSubstr("expected a key string"));
  EXPECT_THAT(Message("[01]"), HasSubstr("leading zero"));
  EXPECT_THAT(Message("[1.]"), HasSubstr("decimal point"));
  EXPECT_THAT(Message("[NaN]"), HasSubstr("not a JSON value"));
  EXPECT_THAT(Message(R"(["\x"])"), HasSubstr("unknown escape"));
  EXPECT_THAT(Message(R"(["\ud800"])"), HasSubstr("high surrogate"));
  EXPECT_THAT(Message(R"(["\udc00"])"), HasSubstr("lone low surrogate"));
  EXPECT_THAT(Message("[\"\xC0\xAF\"]"), HasSubstr("invalid UTF-8"));
  EXPECT_THAT(Message("[\"a\nb\"]"), HasSubstr("control character"));
  EXPECT_THAT(Message("[\"abc"), HasSubstr("never closes"));
  EXPECT_THAT(Message("{} {}"), HasSubstr("text after the end"));
  EXPECT_THAT(Message(""), HasSubstr("unexpected end"));
  EXPECT_THAT(Message("// c\n{}"), HasSubstr("byte 0: not a JSON value"));
  EXPECT_THAT(Message("[[[[1]]]]", 3), HasSubstr("nested deeper than 3"));
  EXPECT_EQ(Message("[[[1]]]", 3), "ok");
  EXPECT_EQ(Message("\xEF\xBB\xBF{}"), "ok");  // a byte-order mark is skipped
  EXPECT_THAT(Message("[1]", 0), HasSubstr("nested deeper than 0"));
  EXPECT_THAT(Message(std::string(100000, '[')), HasSubstr("nested deeper than 64"));
}

TEST(Json, ManyKeysAreCheckedForDuplicatesInLinearTime) {
  // 400,000 distinct keys (5 MB): the scan per key took minutes (issue 15).
  auto object = [](int n, const std::string& last) {
    std::string text = "{";
    for (int i = 0; i < n; ++i) {
      text += "\"k";
      text += std::to_string(i);
      text += "\":0,";
    }
    text += last;
    text += "}";
    return text;
  };
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(Message(object(400'000, "\"end\":1")), "ok");
  // A repeat far from the first, and one within the first few keys, are still found.
  EXPECT_THAT(Message(object(400'000, "\"k3\":1")), HasSubstr("key \"k3\" appears twice"));
  EXPECT_THAT(Message(object(40, "\"k39\":1")), HasSubstr("key \"k39\" appears twice"));
  EXPECT_THAT(Message(object(31, "\"k0\":1")), HasSubstr("key \"k0\" appears twice"));
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10);
}

}  // namespace
}  // namespace wegwijzer::internal
