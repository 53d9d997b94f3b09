#include "interchange/csv_tokenizer.h"

#include "core/text.h"

namespace wegwijzer::internal {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// The length of the line end at `pos`, 0 if there is none: an LF, with every CR
// directly before it. So CRLF is one line end, and so is CRCRLF, which a file gets
// when a CRLF file is converted to CRLF once more (common in exported Open Referral
// files); a CR that no LF follows is an ordinary character.
size_t LineEndAt(std::string_view text, size_t pos) {
  size_t i = pos;
  while (i < text.size() && text[i] == '\r') ++i;
  return i < text.size() && text[i] == '\n' ? i + 1 - pos : 0;
}

void TrimInPlace(std::string* s) {
  size_t begin = 0, end = s->size();
  while (begin < end && IsBlank((*s)[begin])) ++begin;
  while (end > begin && IsBlank((*s)[end - 1])) --end;
  if (begin != 0 || end != s->size()) *s = s->substr(begin, end - begin);
}

}  // namespace

bool IsValidUtf8(std::string_view bytes) {
  const auto* s = reinterpret_cast<const unsigned char*>(bytes.data());
  const size_t n = bytes.size();
  size_t i = 0;
  while (i < n) {
    const unsigned char c = s[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      extra = 1;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      extra = 2;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      extra = 3;
      cp = c & 0x07;
    } else {
      return false;  // continuation byte, overlong lead (C0, C1) or F5..FF
    }
    if (i + extra >= n) return false;  // truncated sequence
    for (int k = 1; k <= extra; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

CsvTokenizer::CsvTokenizer(std::string_view text) : text_(text) {
  if (text_.substr(0, 3) == "\xEF\xBB\xBF") pos_ = 3;
}

bool CsvTokenizer::Next(CsvRecord* record) {
  const size_t n = text_.size();
  // Skip blank lines.
  while (pos_ < n) {
    const size_t end = LineEndAt(text_, pos_);
    if (end == 0) break;
    pos_ += end;
    ++line_;
  }
  if (pos_ >= n || !status_.ok()) return false;

  record->line = line_;
  record->problem = CsvRecord::Problem::kNone;
  record->fields.clear();
  const size_t record_begin = pos_;
  bool end_of_record = false;
  while (!end_of_record) {
    std::string field;
    // Blanks before an opening quote are trimmed like any surrounding blanks, so
    // `a, "b,c"` is two fields, not three.
    size_t first = pos_;
    while (first < n && IsBlank(text_[first])) ++first;
    if (first < n && text_[first] == '"') {
      pos_ = first;
      const int quote_line = line_;
      ++pos_;
      bool closed = false;
      while (pos_ < n) {
        const char c = text_[pos_];
        if (c == '"') {
          if (pos_ + 1 < n && text_[pos_ + 1] == '"') {
            field.push_back('"');
            pos_ += 2;
            continue;
          }
          ++pos_;
          closed = true;
          break;
        }
        if (c == '\n') ++line_;
        field.push_back(c);
        ++pos_;
      }
      if (!closed) {
        status_ = absl::InvalidArgumentError(
            internal::Cat("line ", quote_line, ": a quoted field never closes"));
        return false;
      }
      while (pos_ < n && IsBlank(text_[pos_])) ++pos_;
      if (pos_ < n && text_[pos_] != ',' && LineEndAt(text_, pos_) == 0) {
        record->problem = CsvRecord::Problem::kTextAfterClosingQuote;
        while (pos_ < n && text_[pos_] != ',' && LineEndAt(text_, pos_) == 0) {
          ++pos_;
        }
      }
    } else {
      const size_t begin = pos_;
      while (pos_ < n && text_[pos_] != ',' &&
             ((text_[pos_] != '\n' && text_[pos_] != '\r') || LineEndAt(text_, pos_) == 0)) {
        ++pos_;
      }
      field.assign(text_.substr(begin, pos_ - begin));
    }
    TrimInPlace(&field);
    record->fields.push_back(std::move(field));
    if (pos_ >= n) {
      end_of_record = true;
    } else if (text_[pos_] == ',') {
      ++pos_;
    } else {  // line end
      pos_ += LineEndAt(text_, pos_);
      ++line_;
      end_of_record = true;
    }
  }
  if (record->problem == CsvRecord::Problem::kNone &&
      !IsValidUtf8(text_.substr(record_begin, pos_ - record_begin))) {
    record->problem = CsvRecord::Problem::kInvalidUtf8;
  }
  return true;
}

}  // namespace wegwijzer::internal
