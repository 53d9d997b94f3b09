// Baselines the Router is measured against, in the same binary, on the same
// directory and requests, so that a ratio can be quoted.
//
// Both answer `route` exactly as interchange.md v1.1 defines it and return the same
// RouteResult::referrals as Router::Route (provider, location, mode, cost and the
// unrounded distance), which router_benchmark.cc checks at startup:
//  * BruteForceRouter looks at every provider of the directory, reading the
//    compiled ProviderInfo (Directory::provider), and keeps the k best.
//  * RtreeRouter is what a competent engineer would write with
//    boost::geometry::index in an afternoon: an R*-tree over the provider locations,
//    an incremental `nearest && satisfies` query, exact haversine per candidate, and
//    a scan of the remote-capable providers in id order for the remote class.
//
// Neither knows service areas (a library extension the CSV contract lacks): their
// constructors abort when a provider has one. GenerateScenario never draws one.
//
// Thread-safety: immutable after construction; Route is const and may be called
// concurrently.
#ifndef WEGWIJZER_BENCH_ROUTE_BASELINES_H_
#define WEGWIJZER_BENCH_ROUTE_BASELINES_H_

#include <memory>
#include <vector>

#include "wegwijzer/directory.h"
#include "wegwijzer/request.h"
#include "wegwijzer/router.h"

namespace wegwijzer::bench {

class BruteForceRouter {
 public:
  // REQUIRES: no provider has a service area.
  explicit BruteForceRouter(std::shared_ptr<const Directory> directory);

  // The first k referrals (k >= 1) in contract order. O(providers + locations).
  std::vector<Referral> Route(const Request& request, int k) const;

 private:
  std::shared_ptr<const Directory> directory_;
};

class RtreeRouter {
 public:
  // REQUIRES: no provider has a service area.
  explicit RtreeRouter(std::shared_ptr<const Directory> directory);
  ~RtreeRouter();
  RtreeRouter(const RtreeRouter&) = delete;
  RtreeRouter& operator=(const RtreeRouter&) = delete;

  std::vector<Referral> Route(const Request& request, int k) const;

 private:
  struct Index;  // Boost.Geometry types stay in route_baselines.cc.
  std::shared_ptr<const Directory> directory_;
  std::unique_ptr<Index> index_;
};

}  // namespace wegwijzer::bench

#endif  // WEGWIJZER_BENCH_ROUTE_BASELINES_H_
