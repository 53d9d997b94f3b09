// Seeded random instances for property tests: small and dense, so that the awkward
// cases come up often (ties on integer cost, duplicate coordinates, capacity 0 and
// small capacities, unlimited providers, municipality limits, remote-only providers,
// providers both physical and remote beyond 25 km, several locations, home-visit
// radii, place vs service access).
#ifndef WEGWIJZER_TESTS_TESTING_RANDOM_INSTANCE_H_
#define WEGWIJZER_TESTS_TESTING_RANDOM_INSTANCE_H_

#include <cstdint>
#include <vector>

#include "wegwijzer/request.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::testing {

struct Instance {
  v1::DirectorySnapshot snapshot;
  std::vector<Request> requests;
};

// Up to `max_providers` providers (at least 1) and exactly `requests` requests.
Instance MakeInstance(uint32_t seed, int requests = 20, int max_providers = 40);

}  // namespace wegwijzer::testing

#endif  // WEGWIJZER_TESTS_TESTING_RANDOM_INSTANCE_H_
