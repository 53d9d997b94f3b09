// The test oracle: suitability and ranking written directly from interchange.md
// v1.1, reading the protobuf snapshot, with no index, no bit sets and no pruning.
// Slow (it looks at every provider) and deliberately plain, so that it shares no
// code path with the Router it checks.
#ifndef WEGWIJZER_TESTS_TESTING_BRUTE_FORCE_H_
#define WEGWIJZER_TESTS_TESTING_BRUTE_FORCE_H_

#include <cstdint>
#include <string>
#include <vector>

#include "wegwijzer/request.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer::testing {

struct OracleReferral {
  std::string provider_id;
  std::string location_id;  // empty for remote
  std::string mode;         // contract code
  int64_t cost_m = 0;
  int klass = 0;            // 0 physical, 1 remote
  bool operator==(const OracleReferral&) const = default;
};

// All suitable (provider location, mode) pairs in contract order, cut at k.
std::vector<OracleReferral> BruteForceRoute(const v1::DirectorySnapshot& snapshot,
                                            const Request& request, int k);

// The contract's haversine, written out again (not wegwijzer::HaversineMeters).
double OracleDistanceMeters(double lat1, double lon1, double lat2, double lon2);

}  // namespace wegwijzer::testing

#endif  // WEGWIJZER_TESTS_TESTING_BRUTE_FORCE_H_
