// Internal: UTF-8 encoding of one code point, the one encoder the JSON readers
// (lib/openreferral/json.cc, lib/geography/geojson.cc, lib/interchange/route_json.cc)
// share.
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

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_CORE_UTF8_H_
