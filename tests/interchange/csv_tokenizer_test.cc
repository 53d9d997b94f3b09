// The tokenizer's fine points (interchange.md v1.1, "Common rules" and "Fine points").
#include "interchange/csv_tokenizer.h"

#include <cstdint>
#include <iterator>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::internal {
namespace {

using Problem = CsvRecord::Problem;

struct Tokenized {
  std::vector<CsvRecord> records;
  absl::Status status;
};

Tokenized Tokenize(std::string_view text) {
  Tokenized out;
  CsvTokenizer tokenizer(text);
  CsvRecord record;
  while (tokenizer.Next(&record)) out.records.push_back(record);
  out.status = tokenizer.status();
  return out;
}

std::vector<std::vector<std::string>> Fields(const Tokenized& t) {
  std::vector<std::vector<std::string>> out;
  for (const CsvRecord& r : t.records) out.push_back(r.fields);
  return out;
}

std::vector<int> Lines(const Tokenized& t) {
  std::vector<int> out;
  for (const CsvRecord& r : t.records) out.push_back(r.line);
  return out;
}

using Rows = std::vector<std::vector<std::string>>;

TEST(CsvTokenizer, SplitsFieldsAndRecords) {
  Tokenized t = Tokenize("id,kind\np1,ido\np2,library\n");
  ASSERT_TRUE(t.status.ok()) << t.status;
  EXPECT_EQ(Fields(t), (Rows{{"id", "kind"}, {"p1", "ido"}, {"p2", "library"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2, 3}));
  for (const CsvRecord& r : t.records) EXPECT_EQ(r.problem, Problem::kNone);
}

TEST(CsvTokenizer, LastLineNeedsNoLineEnd) {
  EXPECT_EQ(Fields(Tokenize("a,b\nc,d")), (Rows{{"a", "b"}, {"c", "d"}}));
}

TEST(CsvTokenizer, EmptyTextHasNoRecords) {
  Tokenized t = Tokenize("");
  EXPECT_TRUE(t.records.empty());
  EXPECT_TRUE(t.status.ok());
}

TEST(CsvTokenizer, SkipsAByteOrderMarkAtTheStartOnly) {
  Tokenized t = Tokenize("\xEF\xBB\xBFid,kind\n");
  EXPECT_EQ(Fields(t), (Rows{{"id", "kind"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1}));
  // A BOM before a quoted first field: the quote still opens the field.
  EXPECT_EQ(Fields(Tokenize("\xEF\xBB\xBF\"id\",kind\n")), (Rows{{"id", "kind"}}));
  // Only the first three bytes are a BOM; U+FEFF later is an ordinary (valid) character.
  Tokenized later = Tokenize("a\n\xEF\xBB\xBF" "b\n");
  EXPECT_EQ(Fields(later), (Rows{{"a"}, {"\xEF\xBB\xBF" "b"}}));
  EXPECT_EQ(later.records[1].problem, Problem::kNone);
  // A file that is only a BOM has no records.
  EXPECT_TRUE(Tokenize("\xEF\xBB\xBF").records.empty());
}

TEST(CsvTokenizer, AcceptsCrlfAndLfLineEndsMixed) {
  Tokenized t = Tokenize("a,b\r\nc,d\ne,f\r\n");
  EXPECT_EQ(Fields(t), (Rows{{"a", "b"}, {"c", "d"}, {"e", "f"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2, 3}));
}

TEST(CsvTokenizer, LoneCarriageReturnIsALiteralCharacter) {
  // A CR that no LF follows (old Mac line end) stays in the field.
  Tokenized t = Tokenize("a\rb,c\nd,e\r");
  EXPECT_EQ(Fields(t), (Rows{{"a\rb", "c"}, {"d", "e\r"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2}));
}

TEST(CsvTokenizer, CarriageReturnsBeforeALineFeedBelongToTheLineEnd) {
  // CR CR LF (a CRLF file converted once more, as exported ORUK files are) is one
  // line end: the last field keeps no CR, and lines count as in an editor.
  Tokenized t = Tokenize("id,municipality\r\r\nx,GM0363\r\r\ny,GM0599\r\r\r\n");
  EXPECT_EQ(Fields(t), (Rows{{"id", "municipality"}, {"x", "GM0363"}, {"y", "GM0599"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2, 3}));
  // Also after a closing quote, and on blank lines; inside quotes CRs are kept.
  EXPECT_EQ(Fields(Tokenize("\"a\"\r\r\n\r\r\n\"b\r\r\nc\"\r\r\n")),
            (Rows{{"a"}, {"b\r\r\nc"}}));
}

TEST(CsvTokenizer, SkipsBlankLinesButCountsThem) {
  Tokenized t = Tokenize("\n\r\nid\n\n\np1\r\n\r\np2\n\n");
  EXPECT_EQ(Fields(t), (Rows{{"id"}, {"p1"}, {"p2"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{3, 6, 8}));
}

TEST(CsvTokenizer, ALineOfSpacesIsNotBlank) {
  // "A blank line has nothing between its line ends": spaces are something, so the
  // line is a record of one (trimmed, empty) field, which the readers reject.
  Tokenized t = Tokenize("a,b\n   \t\nc,d\n");
  EXPECT_EQ(Fields(t), (Rows{{"a", "b"}, {""}, {"c", "d"}}));
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2, 3}));
}

TEST(CsvTokenizer, ALineOfCommasIsARecordOfEmptyFields) {
  Tokenized t = Tokenize("a,b,c\n,,\n");
  EXPECT_EQ(Fields(t), (Rows{{"a", "b", "c"}, {"", "", ""}}));
  EXPECT_EQ(t.records[1].line, 2);
  EXPECT_EQ(Fields(Tokenize("a,\n")), (Rows{{"a", ""}}));
  EXPECT_EQ(Fields(Tokenize(",")), (Rows{{"", ""}}));
}

TEST(CsvTokenizer, QuotedFieldsHoldCommasQuotesAndLineEnds) {
  Tokenized t = Tokenize(
      "id,name\n"
      "p1,\"Bibliotheek, Centrum\"\n"
      "p2,\"De \"\"Wegwijzer\"\"\"\n"
      "p3,\"two\nlines\"\n"
      "p4,\"crlf\r\nkept\"\r\n"
      "p5,\"\"\n");
  ASSERT_TRUE(t.status.ok()) << t.status;
  EXPECT_EQ(Fields(t), (Rows{{"id", "name"},
                             {"p1", "Bibliotheek, Centrum"},
                             {"p2", "De \"Wegwijzer\""},
                             {"p3", "two\nlines"},
                             {"p4", "crlf\r\nkept"},
                             {"p5", ""}}));
  for (const CsvRecord& r : t.records) EXPECT_EQ(r.problem, Problem::kNone);
}

TEST(CsvTokenizer, LineIsWhereTheRecordStartsAlsoAfterMultiLineFields) {
  Tokenized t = Tokenize(
      "id,note\n"             // 1
      "p1,\"a\nb\nc\"\n"      // 2..4
      "\n"                    // 5 (blank)
      "p2,\"x\r\ny\"\r\n"     // 6..7
      "p3,z\n");              // 8
  EXPECT_EQ(Lines(t), (std::vector<int>{1, 2, 6, 8}));
  // A multi-line field in the middle of the record: the record still starts on its
  // first line, and the next record's line counts every line end inside the quotes.
  Tokenized mid = Tokenize("\"a\nb\",c\nd,e\n");
  EXPECT_EQ(Lines(mid), (std::vector<int>{1, 3}));
}

TEST(CsvTokenizer, QuoteInsideAnUnquotedFieldIsLiteral) {
  Tokenized t = Tokenize("id,name\np1,Café \"De Hoek\"\np2,5\"\n");
  EXPECT_EQ(Fields(t), (Rows{{"id", "name"}, {"p1", "Café \"De Hoek\""}, {"p2", "5\""}}));
  for (const CsvRecord& r : t.records) EXPECT_EQ(r.problem, Problem::kNone);
}

TEST(CsvTokenizer, TextAfterClosingQuoteMarksTheRecordAndTheNextRecordIsIntact) {
  Tokenized t = Tokenize(
      "id,name,kind\n"
      "p1,\"Bieb\"lotheek,ido\n"
      "p2,ok,library\n");
  ASSERT_TRUE(t.status.ok()) << t.status;
  ASSERT_EQ(t.records.size(), 3u);
  EXPECT_EQ(t.records[1].problem, Problem::kTextAfterClosingQuote);
  EXPECT_EQ(t.records[1].line, 2);
  // The record keeps its field count: the stray text belongs to the field it follows.
  EXPECT_EQ(t.records[1].fields.size(), 3u);
  EXPECT_EQ(t.records[1].fields[0], "p1");
  EXPECT_EQ(t.records[1].fields[2], "ido");
  EXPECT_EQ(t.records[2].problem, Problem::kNone);
  EXPECT_EQ(t.records[2].fields, (std::vector<std::string>{"p2", "ok", "library"}));
  EXPECT_EQ(t.records[2].line, 3);
}

TEST(CsvTokenizer, TextAfterAMultiLineQuotedFieldKeepsLineNumbers) {
  Tokenized t = Tokenize("\"a\nb\"x,c\nd,e\n");
  ASSERT_EQ(t.records.size(), 2u);
  EXPECT_EQ(t.records[0].problem, Problem::kTextAfterClosingQuote);
  EXPECT_EQ(t.records[1].line, 3);
  EXPECT_EQ(t.records[1].fields, (std::vector<std::string>{"d", "e"}));
}

TEST(CsvTokenizer, BlanksAroundAQuotedFieldAreNotText) {
  // Decision: "Every field is trimmed of surrounding spaces and tabs" applies before
  // quoting is recognised, so `p1, "a,b" ,x` has the quoted field a,b. Spaces after
  // the closing quote are not "text after a closing quote".
  Tokenized t = Tokenize("p1, \t\"a,b\" \t,x\n");
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0].problem, Problem::kNone);
  EXPECT_EQ(t.records[0].fields, (std::vector<std::string>{"p1", "a,b", "x"}));
  EXPECT_EQ(Fields(Tokenize("  \"a\"  \r\nb\n")), (Rows{{"a"}, {"b"}}));
}

TEST(CsvTokenizer, UnclosedQuoteIsAWholeFileErrorNamingItsLine) {
  Tokenized t = Tokenize("id,name\np1,ok\np2,\"never closes\np3,x\n");
  EXPECT_EQ(t.status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(t.status.message().find("line 3"), std::string_view::npos) << t.status;
  EXPECT_NE(t.status.message().find("never closes"), std::string_view::npos) << t.status;
  // The records before it were read; nothing after it is.
  EXPECT_EQ(t.records.size(), 2u);
  // A quote that closes and then reopens at the end is unclosed too.
  EXPECT_FALSE(Tokenize("a,\"b\"\"\n").status.ok());
  EXPECT_FALSE(Tokenize("\"").status.ok());
}

TEST(CsvTokenizer, TrimsSpacesAndTabsOnly) {
  Tokenized t = Tokenize("  a  ,\tb\t, c d ,\" q \",\xC2\xA0n\xC2\xA0\n");
  ASSERT_EQ(t.records.size(), 1u);
  // Inner spaces stay; a no-break space (U+00A0) is not trimmed. Decision: the
  // content of a quoted field is a field too and is trimmed ("every field").
  EXPECT_EQ(t.records[0].fields,
            (std::vector<std::string>{"a", "b", "c d", "q", "\xC2\xA0n\xC2\xA0"}));
}

TEST(CsvTokenizer, MarksInvalidUtf8Records) {
  const std::string cases[] = {
      "\xC0\xAF",          // overlong '/'
      "\xE0\x80\xAF",      // overlong, three bytes
      "\xF0\x80\x80\xAF",  // overlong, four bytes
      "\xED\xA0\x80",      // surrogate U+D800
      "\xED\xBF\xBF",      // surrogate U+DFFF
      "\xC3",              // truncated two-byte sequence
      "\xE2\x82",          // truncated three-byte sequence
      "\x80",              // lone continuation byte
      "\xF4\x90\x80\x80",  // above U+10FFFF
      "\xFF",              // never valid
  };
  for (const std::string& bad : cases) {
    SCOPED_TRACE(testing::PrintToString(bad));
    // In the middle of a field, at the end of the text, and inside quotes.
    for (const std::string& text :
         {"a,x" + bad + "y\nb,c\n", "a,x" + bad, "a,\"" + bad + "\"\nb,c\n"}) {
      Tokenized t = Tokenize(text);
      ASSERT_TRUE(t.status.ok());
      ASSERT_GE(t.records.size(), 1u);
      EXPECT_EQ(t.records[0].problem, Problem::kInvalidUtf8);
      if (t.records.size() > 1) {
        EXPECT_EQ(t.records[1].problem, Problem::kNone);
      }
    }
  }
}

TEST(CsvTokenizer, AcceptsValidUtf8OfEveryLength) {
  const std::string text =
      "Zoë,\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80,\xEF\xBF\xBF,\xF4\x8F\xBF\xBF,\xED\x9F\xBF\n";
  Tokenized t = Tokenize(text);
  ASSERT_EQ(t.records.size(), 1u);
  EXPECT_EQ(t.records[0].problem, Problem::kNone);
  EXPECT_TRUE(IsValidUtf8(""));
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_FALSE(IsValidUtf8(std::string("\xC3", 1)));
}

TEST(CsvTokenizer, ReadsATenMegabyteField) {
  const std::string big(10 << 20, 'x');
  Tokenized unquoted = Tokenize("id,blob\np1," + big + "\np2,y\n");
  ASSERT_EQ(unquoted.records.size(), 3u);
  EXPECT_EQ(unquoted.records[1].fields[1].size(), big.size());
  EXPECT_EQ(unquoted.records[2].line, 3);

  // Quoted, with a line end and doubled quotes inside.
  std::string quoted = "\"" + big + "\"\"\n" + big + "\"";
  Tokenized t = Tokenize("id,blob\np1," + quoted + "\np2,y\n");
  ASSERT_TRUE(t.status.ok());
  ASSERT_EQ(t.records.size(), 3u);
  EXPECT_EQ(t.records[1].fields[1].size(), 2 * big.size() + 2);
  EXPECT_EQ(t.records[1].problem, Problem::kNone);
  EXPECT_EQ(t.records[2].line, 4);
}

// SplitMix64, so the random cases are the same on every platform.
struct Random {
  uint64_t state;
  uint64_t Next() {
    uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  size_t Below(size_t n) { return Next() % n; }
};

TEST(CsvTokenizer, WrittenFieldsReadBackTheSame) {
  // CsvField (the writers' quoting) and the tokenizer agree on any field that has no
  // surrounding blanks (those are trimmed by contract), including quotes, commas,
  // CR, LF and multi-byte characters.
  const std::string_view pieces[] = {"a", "b", ",", "\"", "\n", "\r", "\r\n", " ", "\t",
                                     "é", "😀", "\"\"", ";"};
  Random random{42};
  for (int trial = 0; trial < 2000; ++trial) {
    Rows rows(1 + random.Below(4));
    const size_t columns = 2 + random.Below(4);
    std::string text;
    for (auto& row : rows) {
      for (size_t c = 0; c < columns; ++c) {
        std::string field;
        for (size_t n = random.Below(6); n > 0; --n) field += pieces[random.Below(std::size(pieces))];
        while (!field.empty() && (field.front() == ' ' || field.front() == '\t')) field.erase(0, 1);
        while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.pop_back();
        if (c) text += ',';
        text += wegwijzer::CsvField(field);
        row.push_back(field);
      }
      text += random.Below(2) ? "\n" : "\r\n";
    }
    Tokenized t = Tokenize(text);
    ASSERT_TRUE(t.status.ok()) << testing::PrintToString(text);
    ASSERT_EQ(Fields(t), rows) << testing::PrintToString(text);
    for (const CsvRecord& r : t.records) ASSERT_EQ(r.problem, Problem::kNone);
  }
}

TEST(CsvTokenizer, ArbitraryBytesNeverBreakIt) {
  // Whatever the bytes: no crash, lines never go backwards, and either every byte is
  // consumed or a quoted field never closed.
  const char alphabet[] = {'a', ',', '"', '\n', '\r', ' ', '\t', '\xC3', '\xA9', '\xFF', '\0'};
  Random random{7};
  for (int trial = 0; trial < 5000; ++trial) {
    std::string text(random.Below(40), ' ');
    for (char& c : text) c = alphabet[random.Below(std::size(alphabet))];
    Tokenized t = Tokenize(text);
    int last = 0;
    for (const CsvRecord& r : t.records) {
      ASSERT_GT(r.line, last) << testing::PrintToString(text);
      ASSERT_FALSE(r.fields.empty());
      last = r.line;
    }
    if (!t.status.ok()) {
      ASSERT_NE(text.find('"'), std::string::npos);
      ASSERT_NE(t.status.message().find("never closes"), absl::string_view::npos);
    }
  }
}

}  // namespace
}  // namespace wegwijzer::internal
