// Internal: conversions between the protobuf enums and the compact C++ codes.
// Each proto enum value is the C++ enumerator plus one (zero is UNSPECIFIED).
#ifndef WEGWIJZER_LIB_PROTO_CODES_H_
#define WEGWIJZER_LIB_PROTO_CODES_H_

#include <optional>

#include "wegwijzer/codes.h"
#include "wegwijzer/v1/codes.pb.h"

namespace wegwijzer::internal {

// nullopt for UNSPECIFIED and for values outside the enum (unknown values survive
// proto3 parsing as plain integers).
template <typename Enum, int kCount>
std::optional<Enum> FromProtoEnum(int value) {
  if (value < 1 || value > kCount) return std::nullopt;
  return static_cast<Enum>(value - 1);
}

template <typename Enum>
int ToProtoEnum(Enum value) {
  return static_cast<int>(value) + 1;
}

// Appends each member of `set` (in enum order) to a repeated proto enum field.
template <typename Enum, int kCount, typename RepeatedEnum>
void AppendSet(EnumSet<Enum> set, RepeatedEnum* field) {
  for (int i = 0; i < kCount; ++i) {
    if (set.Contains(static_cast<Enum>(i))) field->Add(i + 1);
  }
}

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_PROTO_CODES_H_
