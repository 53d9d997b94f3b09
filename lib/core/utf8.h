// Internal: what the three JSON readers (lib/openreferral/json.cc,
// lib/geography/geojson.cc, lib/interchange/route_json.cc) share of a string's
// escapes (RFC 8259 section 7): the one-letter escapes, joining a \u surrogate pair,
// and UTF-8 encoding of one code point. Each reader keeps its own positions and
// messages.
#ifndef WEGWIJZER_LIB_CORE_UTF8_H_
#define WEGWIJZER_LIB_CORE_UTF8_H_

#include <cstdint>
#include <string>

namespace wegwijzer::internal {

// Appends code point `cp` as UTF-8: 1 to 4 bytes. REQUIRES: cp <= 0x10FFFF (surrogates
// are the caller's concern: a JSON reader joins a pair before it calls this).
inline void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// The character a one-letter JSON escape stands for (\" \\ \/ \b \f \n \r \t, given
// the letter after the backslash); '\0' for any other letter, `u` included (its four
// hex digits are the caller's).
inline char JsonSimpleEscape(char letter) {
  switch (letter) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return '\0';
  }
}

// UTF-16 surrogates, as \u escapes write a code point above U+FFFF: a high unit
// (D800-DBFF) then a low one (DC00-DFFF). Either alone is not a character.
inline bool IsHighSurrogate(uint32_t unit) { return unit >= 0xD800 && unit <= 0xDBFF; }
inline bool IsLowSurrogate(uint32_t unit) { return unit >= 0xDC00 && unit <= 0xDFFF; }
// REQUIRES: IsHighSurrogate(high) && IsLowSurrogate(low).
inline uint32_t JoinSurrogates(uint32_t high, uint32_t low) {
  return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_UTF8_H_
