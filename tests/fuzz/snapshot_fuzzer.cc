// libFuzzer target: the protobuf snapshot loader. Truncated or random bytes, or a
// well-formed message with hostile values (NaN, huge radii, unknown enum values,
// broken polygons), must give a status; an accepted directory must be routable.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wegwijzer/directory.h"
#include "wegwijzer/router.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto directory = wegwijzer::Directory::FromSerialized(
      std::string_view(reinterpret_cast<const char*>(data), size), "fuzz.bin");
  if (!directory.ok()) return 0;
  wegwijzer::Router router(*directory);
  wegwijzer::Request request;
  request.id = "probe";
  request.position = {52.1, 5.1};
  request.topics = {wegwijzer::Topic::kDigid};
  request.max_km = 1000;
  router.Route(request, {.k = 3});
  return 0;
}
