// The one CSV table reader (interchange/table_reader.h), the one number grammar
// (core/numbers.h) and the one postcode parser (core/postcode.h), and the postcode
// tables that now read through them (the gazetteer's, the Dutch scenario's
// demographics) with the contract's strictness.
#include "interchange/table_reader.h"

#include <cstdlib>
#include <string>
#include <vector>

#include "core/numbers.h"
#include "core/postcode.h"
#include "gtest/gtest.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"

namespace wegwijzer::internal {
namespace {

std::string Message(const absl::Status& s) { return std::string(s.message()); }

constexpr char kMap[] = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"gemeentecode":"GM0001","gemeentenaam":"West"},
 "geometry":{"type":"Polygon","coordinates":[[[4.0,52.0],[4.1,52.0],[4.1,52.1],[4.0,52.1],[4.0,52.0]]]}}
]})";

TEST(TableReader, HeaderRules) {
  struct Case {
    std::string text;
    TableOptions::Where where;
    std::string message;  // exact
  };
  const auto kContract = TableOptions::Where::kContract;
  const auto kTable = TableOptions::Where::kTable;
  const std::vector<Case> cases = {
      {"", kContract, "t.csv: the file is empty (no header row)"},
      {"", kTable, "t.csv: the file is empty (no header row)"},
      {"a,b,a\n1,2,3\n", kContract, "t.csv: line 1: duplicate column 'a'"},
      {"a,b,a\n1,2,3\n", kTable, "t.csv:1: duplicate column 'a'"},
      {"a,\xff\n", kContract, "t.csv: line 1: the header is not valid UTF-8"},
      {"\xff\xfe" "a\0,\0", kTable,
       "t.csv:1: the header is not valid UTF-8 (the file looks like UTF-16: save it as UTF-8)"},
      {"\"a\"x,b\n", kTable, "t.csv:1: text after a closing quote in the header"},
      {"a,\"b\n", kContract, "t.csv: line 1: a quoted field never closes"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    absl::StatusOr<TableReader> t = TableReader::Open(c.text, {.file = "t.csv", .where = c.where});
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(Message(t.status()), c.message);
  }
}

TEST(TableReader, ColumnsRowsAndWarnings) {
  const std::string text = "\xEF\xBB\xBFpc4,lat,extra\n1011,52,x\n\n1012,53\n1013,\"5\"4,z\n"
                           "1014,\xC0\xAF,y\n";
  absl::StatusOr<TableReader> t = TableReader::Open(text, {.file = "t.csv"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->Find("pc4"), 0);  // the byte-order mark is not part of the name
  EXPECT_EQ(t->Find("lat"), 1);
  EXPECT_EQ(t->Find("lon"), -1);
  EXPECT_EQ(t->FindAny({"lon", "extra", "lat"}), 2);
  EXPECT_TRUE(t->Require({"pc4", "lat"}).ok());
  EXPECT_EQ(Message(t->Require({"pc4", "lon"})), "t.csv: missing required column 'lon'");
  EXPECT_EQ(Message(t->RequireOne({"x", "y"}, "'x' (or 'y')")),
            "t.csv: missing required column 'x' (or 'y')");
  constexpr std::string_view kKnown[] = {"pc4", "lat"};
  EXPECT_EQ(t->UnknownColumns(kKnown), std::vector<std::string>{"unknown column 'extra' ignored"});

  CsvRecord row;
  std::string problem;
  std::vector<std::pair<int, std::string>> rows;
  while (t->Next(&row, &problem)) rows.push_back({row.line, problem});
  EXPECT_TRUE(t->status().ok());
  const std::vector<std::pair<int, std::string>> expected = {
      {2, ""},
      {4, "has 2 fields, the header has 3"},  // the blank line 3 is skipped
      {5, "has text after a closing quote"},
      {6, "is not valid UTF-8"}};
  EXPECT_EQ(rows, expected);

  absl::StatusOr<TableReader> semicolons = TableReader::Open("pc4;lat\n", {.file = "t.csv"});
  ASSERT_TRUE(semicolons.ok());
  EXPECT_NE(Message(semicolons->Require({"pc4"})).find("separated by ';'"), std::string::npos);
  absl::StatusOr<TableReader> table =
      TableReader::Open("a\n", {.file = "t.csv", .where = TableOptions::Where::kTable});
  ASSERT_TRUE(table.ok());
  EXPECT_EQ(Message(table->Require({"pc4"})), "t.csv:1: missing required column 'pc4'");
}

// The grammar against an independent reading (strtod) on numbers it accepts, and its
// rejections.
TEST(Numbers, DecimalGrammar) {
  for (const char* s : {"0", "-0", "+1", "52.37", ".5", "5.", "1e3", "1E-3", "-2.5e+2",
                        "000123.4500", "1e-400", "1.7976931348623157e308"}) {
    double value = -1;
    EXPECT_EQ(ParseDecimal("x", s, &value), "") << s;
    EXPECT_EQ(value, std::strtod(s, nullptr)) << s;
  }
  struct Bad {
    const char* text;
    const char* reason;
  };
  for (const Bad& b : {Bad{"", "x: '' is not a decimal number"},
                       Bad{"inf", "x: 'inf' is not a decimal number"},
                       Bad{"nan", "x: 'nan' is not a decimal number"},
                       Bad{"0x1p3", "x: '0x1p3' is not a decimal number"},
                       Bad{"1e", "x: '1e' is not a decimal number"},
                       Bad{".", "x: '.' is not a decimal number"},
                       Bad{"1 000", "x: '1 000' is not a decimal number"},
                       Bad{"52,37", "x: '52,37' uses a decimal comma; write a decimal point (52.37)"},
                       Bad{"1e400", "x: '1e400' is out of range"}}) {
    double value = 7;
    EXPECT_EQ(ParseDecimal("x", b.text, &value), b.reason);
    EXPECT_EQ(value, 7) << "untouched on failure";
  }
}

TEST(Numbers, WholeGrammar) {
  int64_t value = 0;
  EXPECT_EQ(ParseWhole("n", "+42", &value), "");
  EXPECT_EQ(value, 42);
  EXPECT_EQ(ParseWhole("n", "-7", &value), "");
  EXPECT_EQ(value, -7);
  EXPECT_EQ(ParseWhole("n", "99999999999999999999", &value), "");
  EXPECT_EQ(value, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ParseWhole("n", "1.0", &value), "n: '1.0' is not a whole number");
  EXPECT_EQ(ParseWhole("n", "-", &value), "n: '-' is not a whole number");
  EXPECT_EQ(ParseWhole("n", "", &value), "n: '' is not a whole number");
}

TEST(Postcode, OneParserForRequestsAndTables) {
  for (auto [text, pc4] : std::vector<std::pair<std::string, int>>{
           {"1011", 1011}, {"1011AB", 1011}, {"1011 ab", 1011}, {" 9999 ZZ\t", 9999},
           {"1000", 1000}}) {
    EXPECT_EQ(ParsePostcode(text), pc4) << text;
    EXPECT_EQ(Gazetteer::ParsePostcode(text), pc4) << text;
  }
  for (const char* bad : {"", "0999", "999", "10111", "1011A", "1011  AB", "1011-AB", "AB1011"}) {
    EXPECT_EQ(ParsePostcode(bad), std::nullopt) << bad;
  }
  EXPECT_EQ(ParsePc4("1011"), 1011);
  EXPECT_EQ(ParsePc4("1011AB"), std::nullopt);  // a table's pc4 column is the digits alone
  EXPECT_EQ(ParsePc4("01011"), std::nullopt);
  EXPECT_EQ(ParsePc4("0999"), std::nullopt);
}

// Behaviour new with the shared table reader: the contract's strictness.
TEST(PostcodeTables, FollowTheContractsTableRules) {
  struct Case {
    std::string csv;
    std::string reason;  // a part of the message
  };
  const std::vector<Case> cases = {
      {"pc4,lat,lon\n1011,\"52\"x,4.05\n", "postcodes.csv:2: has text after a closing quote"},
      {"pc4,lat,lon,gm_code\n1011,52.05,4.05,GM\xff\n", "postcodes.csv:2: is not valid UTF-8"},
      {"pc4,lat,pc4,lon\n1011,52.05,1012,4.05\n", "postcodes.csv:1: duplicate column 'pc4'"},
      {"pc4,lat,lon\n01011,52.05,4.05\n", "postcodes.csv:2: pc4: '01011' is not a postcode"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    absl::StatusOr<std::shared_ptr<const Gazetteer>> g =
        Gazetteer::Parse(kMap, c.csv, {}, "municipalities.geojson", "postcodes.csv");
    ASSERT_FALSE(g.ok());
    EXPECT_EQ(g.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_NE(Message(g.status()).find(c.reason), std::string::npos) << g.status();
  }
  // Numbers in the contract's grammar, exponents included; a byte-order mark is fine.
  absl::StatusOr<std::shared_ptr<const Gazetteer>> ok = Gazetteer::Parse(
      kMap, "\xEF\xBB\xBFpc4,lat,lon,note\n1011,5.205e1,+4.05,\"a, b\"\n");
  ASSERT_TRUE(ok.ok()) << ok.status();
  ASSERT_TRUE((*ok)->Postcode(1011).has_value());
  EXPECT_EQ((*ok)->Postcode(1011)->centroid.lat_deg, 52.05);
  EXPECT_EQ((*ok)->Postcode(1011)->municipality_code, "GM0001");

  for (const Case& c : std::vector<Case>{
           {"pc4,residents\n1011,\"5\"x\n", "postcodes.csv:2: has text after a closing quote"},
           {"pc4,residents,residents\n1011,5,6\n", "postcodes.csv:1: duplicate column 'residents'"},
           {"pc4,residents\n1011,1e2\n", ""},  // accepted: 100 residents
           {"pc4,residents\n1011,5\xff\n", "postcodes.csv:2: is not valid UTF-8"}}) {
    absl::StatusOr<std::vector<PostcodeDemographics>> d =
        ParsePostcodeDemographicsCsv(c.csv, "postcodes.csv");
    if (c.reason.empty()) {
      ASSERT_TRUE(d.ok()) << d.status();
      EXPECT_EQ((*d)[0].residents, 100);
      continue;
    }
    ASSERT_FALSE(d.ok()) << c.csv;
    EXPECT_NE(Message(d.status()).find(c.reason), std::string::npos) << d.status();
  }
}

}  // namespace
}  // namespace wegwijzer::internal
