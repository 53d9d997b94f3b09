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
//    a scan of the remote-capable providers in id order for the remote class. The
//    predicate checks each value; unlike the Router's tree, no subtree is skipped
//    for lacking a topic, language, mode or feature.
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
  // How many nearest values to ask Boost for. Boost 1.74's incremental nearest
  // query keeps every value it has produced (up to the count asked for) in one
  // vector and re-sorts it at each leaf it opens, so asking for all of them costs
  // O(m² log m) in the m values seen.
  enum class Count {
    kAll,      // nearest(p, size()): the obvious first version.
    kGrowing,  // nearest(p, 4k + 16), starting over with 4x as many when they run out
               // before a stop condition holds (rare); what one writes after profiling.
  };

  // REQUIRES: no provider has a service area.
  explicit RtreeRouter(std::shared_ptr<const Directory> directory,
                       Count count = Count::kGrowing);
  ~RtreeRouter();
  RtreeRouter(const RtreeRouter&) = delete;
  RtreeRouter& operator=(const RtreeRouter&) = delete;

  std::vector<Referral> Route(const Request& request, int k) const;

 private:
  struct Index;  // Boost.Geometry types stay in route_baselines.cc.
  std::shared_ptr<const Directory> directory_;
  Count count_;
  std::unique_ptr<Index> index_;
};

}  // namespace wegwijzer::bench

#endif  // WEGWIJZER_BENCH_ROUTE_BASELINES_H_
