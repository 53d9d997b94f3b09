#include "wegwijzer/router.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <thread>

#include "text.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "directory_index.h"
#include "geo_internal.h"
#include "proto_codes.h"
#include "wegwijzer/v1/request.pb.h"

namespace wegwijzer {
namespace {

using internal::DirectoryIndex;
using internal::kNoMunicipality;
using internal::TreeNode;
using internal::UnitVector;

constexpr uint8_t kInPersonBit = 1u << static_cast<int>(Mode::kInPerson);
constexpr uint8_t kHomeVisitBit = 1u << static_cast<int>(Mode::kHomeVisit);
constexpr uint8_t kPhoneBit = 1u << static_cast<int>(Mode::kPhone);

// The chord bound R·c underestimates the haversine distance by at most ~1e-9 m from
// rounding; this slack keeps pruning conservative by a wide margin.
constexpr double kSlackMeters = 1e-3;

// A request compiled for the search.
struct Query {
  uint32_t topics;
  LanguageSet languages;
  uint8_t modes;
  uint8_t remote_modes;
  uint8_t access;          // all features needed (in person)
  uint8_t service_access;  // features needed in every mode
  double max_m;
  uint32_t municipality;
  LatLng position;
  double cos_lat;
  UnitVector unit;
};

Query Compile(const Request& r, const DirectoryIndex& index) {
  Query q;
  q.topics = r.topics.bits();
  q.languages = r.languages;
  q.modes = static_cast<uint8_t>(r.modes.bits());
  q.remote_modes = static_cast<uint8_t>((r.modes & kRemoteModes).bits());
  q.access = static_cast<uint8_t>(r.access.bits());
  q.service_access = static_cast<uint8_t>((r.access & kServiceFeatures).bits());
  q.max_m = r.max_km * 1000;
  q.municipality = r.municipality.empty() ? kNoMunicipality
                                          : index.FindMunicipality(r.municipality);
  q.position = r.position;
  q.cos_lat = internal::CosLatitude(r.position.lat_deg);
  q.unit = internal::ToUnitVector(r.position);
  return q;
}

double LowerBoundMeters(const UnitVector& q, const TreeNode& node) {
  const double dx = std::max({node.lo.x - q.x, 0.0, q.x - node.hi.x});
  const double dy = std::max({node.lo.y - q.y, 0.0, q.y - node.hi.y});
  const double dz = std::max({node.lo.z - q.z, 0.0, q.z - node.hi.z});
  return kEarthRadiusMeters * std::sqrt(dx * dx + dy * dy + dz * dz);
}

double LowerBoundMeters(const UnitVector& q, const UnitVector& p) {
  const double dx = p.x - q.x, dy = p.y - q.y, dz = p.z - q.z;
  return kEarthRadiusMeters * std::sqrt(dx * dx + dy * dy + dz * dz);
}

// How far a node's entries could be from the request and still suit it physically;
// negative when no entry of the node can suit it physically at all.
double NodeReach(const Query& q, const TreeNode& node) {
  if ((q.topics & ~node.topics) != 0 || !q.languages.Intersects(node.languages)) return -1;
  const uint8_t modes = q.modes & node.modes;
  double reach = -1;
  if ((modes & kInPersonBit) && (q.access & ~node.access) == 0) reach = q.max_m;
  if ((modes & kHomeVisitBit) && (q.service_access & ~node.access) == 0) {
    reach = std::max(reach, node.max_radius_m);
  }
  return reach;
}

struct Candidate {
  int64_t cost;
  uint32_t tie_rank;
  uint32_t entry;
  Mode mode;
  double distance;
  bool operator<(const Candidate& o) const {
    return cost != o.cost ? cost < o.cost : tie_rank < o.tie_rank;
  }
};

// The k best class-0 candidates, sorted. `best` has room for k.
class TopK {
 public:
  TopK(Candidate* storage, int k) : best_(storage), k_(k) {}
  bool full() const { return size_ == k_; }
  int size() const { return size_; }
  // Distance beyond which nothing can enter any more (rounds above the worst cost).
  double Bound() const {
    return full() ? static_cast<double>(best_[k_ - 1].cost) + 0.5
                  : std::numeric_limits<double>::infinity();
  }
  void Offer(const Candidate& c) {
    if (full() && !(c < best_[k_ - 1])) return;
    int i = full() ? k_ - 1 : size_++;
    while (i > 0 && c < best_[i - 1]) {
      best_[i] = best_[i - 1];
      --i;
    }
    best_[i] = c;
  }
  const Candidate& operator[](int i) const { return best_[i]; }

 private:
  Candidate* best_;
  int k_;
  int size_ = 0;
};

void SearchPhysical(const Query& q, const DirectoryIndex& index, TopK* top) {
  const internal::PhysicalEntries& e = index.physical;
  if (index.tree.empty() || (q.modes & (kInPersonBit | kHomeVisitBit)) == 0) return;
  struct Pending {
    uint32_t node;
    double lower_bound;
    double reach;
  };
  // Depth is about log2(n / 8) + 1; 2 pending nodes per level is the most a
  // nearest-first depth-first walk holds.
  Pending stack[160];
  int depth = 0;
  const double root_reach = NodeReach(q, index.tree[0]);
  if (root_reach < 0) return;
  stack[depth++] = {0, LowerBoundMeters(q.unit, index.tree[0]), root_reach};
  while (depth > 0) {
    const Pending pending = stack[--depth];
    if (pending.lower_bound > std::min(pending.reach, top->Bound()) + kSlackMeters) continue;
    const TreeNode& node = index.tree[pending.node];
    if (node.left != 0) {
      const TreeNode& a = index.tree[node.left];
      const TreeNode& b = index.tree[node.right];
      Pending pa{node.left, LowerBoundMeters(q.unit, a), NodeReach(q, a)};
      Pending pb{node.right, LowerBoundMeters(q.unit, b), NodeReach(q, b)};
      if (pa.lower_bound < pb.lower_bound) std::swap(pa, pb);  // nearer one on top
      if (pa.reach >= 0 && pa.lower_bound <= pa.reach + kSlackMeters) stack[depth++] = pa;
      if (pb.reach >= 0 && pb.lower_bound <= pb.reach + kSlackMeters) stack[depth++] = pb;
      continue;
    }
    for (uint32_t i = node.begin; i < node.end; ++i) {
      if ((q.topics & ~e.topics[i]) != 0 || !q.languages.Intersects(e.languages[i])) continue;
      const uint8_t modes = q.modes & e.modes[i];
      bool in_person = (modes & kInPersonBit) && (q.access & ~e.access[i]) == 0;
      bool home_visit = (modes & kHomeVisitBit) && (q.service_access & ~e.access[i]) == 0;
      if (!in_person && !home_visit) continue;
      const double reach = std::max(in_person ? q.max_m : -1.0,
                                    home_visit ? e.radius_m[i] : -1.0);
      if (LowerBoundMeters(q.unit, e.unit[i]) > std::min(reach, top->Bound()) + kSlackMeters) {
        continue;
      }
      const uint32_t p = e.provider[i];
      if (!index.Serves(p, q.municipality) || !index.InServiceArea(p, q.position)) continue;
      const double d =
          internal::HaversineWithCos(q.position, q.cos_lat, e.position[i], e.cos_lat[i]);
      in_person = in_person && d <= q.max_m;
      home_visit = home_visit && d <= e.radius_m[i];
      if (!in_person && !home_visit) continue;
      const int64_t cost = CostMeters(d);
      // Dearer than a phone call that also suits: the pair ranks in the remote class.
      if (cost > kRemoteCostMeters && (modes & q.remote_modes) != 0) continue;
      top->Offer({cost, e.tie_rank[i], i, in_person ? Mode::kInPerson : Mode::kHomeVisit, d});
    }
  }
}

// Appends remote referrals in provider id order until `out` holds k.
void FillRemote(const Query& q, const DirectoryIndex& index, int k,
                std::vector<Referral>* out) {
  const internal::RemoteEntries& r = index.remote;
  if (q.remote_modes == 0) return;
  const size_t class0 = out->size();
  for (size_t block = 0; block * internal::kRemoteBlock < r.size(); ++block) {
    if ((q.topics & ~r.block_topics[block]) != 0 || (q.remote_modes & r.block_modes[block]) == 0 ||
        (q.service_access & ~r.block_access[block]) != 0 ||
        !q.languages.Intersects(r.block_languages[block])) {
      continue;
    }
    const size_t end = std::min(r.size(), (block + 1) * internal::kRemoteBlock);
    for (size_t i = block * internal::kRemoteBlock; i < end; ++i) {
      const uint8_t modes = q.remote_modes & r.modes[i];
      if (modes == 0 || (q.topics & ~r.topics[i]) != 0 ||
          (q.service_access & ~r.access[i]) != 0 || !q.languages.Intersects(r.languages[i])) {
        continue;
      }
      const uint32_t p = r.provider[i];
      if (!index.Serves(p, q.municipality) || !index.InServiceArea(p, q.position)) continue;
      bool in_class0 = false;
      for (size_t c = 0; c < class0; ++c) in_class0 |= (*out)[c].provider == p;
      if (in_class0) continue;
      out->push_back({p, -1, (modes & kPhoneBit) ? Mode::kPhone : Mode::kVideo,
                      kRemoteCostMeters, std::nullopt});
      if (static_cast<int>(out->size()) == k) return;
    }
  }
}

std::string JoinTopics(TopicSet topics) { return ToString(topics, " and "); }

std::string Kilometres(double metres) { return absl::StrFormat("%.1f km", metres / 1000); }

// The rare path: walks every provider and reports the first constraint that left
// no candidate. Each stage keeps the providers that pass it and all before it.
std::string ExplainNoMatch(const Request& r, const Directory& directory) {
  const DirectoryIndex& index = directory.index();
  const uint32_t municipality =
      r.municipality.empty() ? kNoMunicipality : index.FindMunicipality(r.municipality);
  // Per provider: the modes still possible after each stage.
  int helps = 0, reachable = 0, speaks = 0, accessible = 0, serves = 0, in_area = 0;
  for (ProviderIndex p = 0; p < directory.size(); ++p) {
    const ProviderInfo& info = directory.provider(p);
    if (!info.topics.ContainsAll(r.topics)) continue;
    ++helps;
    ModeSet modes = (info.modes & r.modes) & kRemoteModes;
    for (const ProviderInfo::Location& l : info.locations) {
      const double d = HaversineMeters(r.position, l.position);
      if (info.modes.Contains(Mode::kInPerson) && r.modes.Contains(Mode::kInPerson) &&
          d <= r.max_km * 1000) {
        modes.Add(Mode::kInPerson);
      }
      if (info.modes.Contains(Mode::kHomeVisit) && r.modes.Contains(Mode::kHomeVisit) &&
          d <= info.radius_km * 1000) {
        modes.Add(Mode::kHomeVisit);
      }
    }
    if (modes.empty()) continue;
    ++reachable;
    if (!info.languages.Intersects(r.languages)) continue;
    ++speaks;
    if (!info.access.ContainsAll(r.access & kServiceFeatures)) continue;
    if (!info.access.ContainsAll(r.access)) modes = modes - ModeSet{Mode::kInPerson};
    if (modes.empty()) continue;
    ++accessible;
    if (!index.Serves(p, municipality)) continue;
    ++serves;
    if (!index.InServiceArea(p, r.position)) continue;
    ++in_area;
  }
  const std::string topics = JoinTopics(r.topics);
  if (helps == 0) return internal::Cat("no provider helps with ", topics);
  const std::string reach =
      r.modes == ModeSet{Mode::kInPerson}
          ? internal::Cat("within ", absl::StrFormat("%g", r.max_km), " km")
          : std::string("within reach");
  auto providers = [](int count) {
    return count == 1 ? std::string("1 provider helps")
                      : internal::Cat(count, " providers help");
  };
  auto of_them = [](int count, std::string_view one, std::string_view many) {
    return internal::Cat(count, " of them ", count == 1 ? one : many);
  };
  if (reachable == 0) {
    return internal::Cat(providers(helps), " with ", topics, ", none ", reach);
  }
  std::string why = internal::Cat(providers(reachable), " with ", topics, " ", reach);
  const std::string languages = r.languages.ToString(" or ");
  if (speaks == 0) return internal::Cat(why, ", none speaks ", languages);
  if (speaks < reachable) {
    internal::Append(&why, ", ", of_them(speaks, "speaks ", "speak "), languages);
  }
  if (accessible == 0) {
    return internal::Cat(why, ", none offers ", ToString(r.access, " and "),
                         " in a mode the request accepts");
  }
  if (serves == 0) {
    return r.municipality.empty()
               ? internal::Cat(why, ", but ", accessible == 1 ? "it serves" : "they serve",
                               " only listed municipalities and the request names none")
               : internal::Cat(why, ", none serves residents of ", r.municipality);
  }
  if (in_area == 0) return internal::Cat(why, ", none has the address in its service area");
  return internal::Cat(why, ", but ", in_area == 1 ? "it is" : "all are",
                       " full (capacity 0)");
}

}  // namespace

Router::Router(std::shared_ptr<const Directory> directory)
    : directory_(std::move(directory)) {}

RouteResult Router::Route(const Request& request, const RouteOptions& options) const {
  const DirectoryIndex& index = directory_->index();
  const int k = std::max(1, options.k);
  const Query q = Compile(request, index);
  RouteResult result;
  // Small k on the stack; a caller asking for thousands gets a heap buffer.
  Candidate local[16];
  std::vector<Candidate> heap;
  Candidate* storage = local;
  if (k > 16) {
    heap.resize(std::min<size_t>(k, index.physical.size() + 1));
    storage = heap.data();
  }
  const int capacity = k > 16 ? static_cast<int>(heap.size()) : k;
  TopK top(storage, capacity);
  SearchPhysical(q, index, &top);
  result.referrals.reserve(std::min<size_t>(k, 64));
  for (int i = 0; i < top.size(); ++i) {
    const Candidate& c = top[i];
    result.referrals.push_back({index.physical.provider[c.entry],
                                static_cast<int>(index.physical.location[c.entry]), c.mode,
                                c.cost, c.distance});
  }
  if (static_cast<int>(result.referrals.size()) < k) FillRemote(q, index, k, &result.referrals);
  if (result.referrals.empty() && options.explain_no_match) {
    result.no_suitable_provider = ExplainNoMatch(request, *directory_);
  }
  return result;
}

std::vector<RouteResult> Router::RouteBatch(std::span<const Request> requests,
                                            const RouteOptions& options) const {
  std::vector<RouteResult> results(requests.size());
  int threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::thread::hardware_concurrency());
  threads = std::max(1, std::min<int>(threads, static_cast<int>(requests.size() / 64) + 1));
  // Work is handed out in chunks from a shared counter so a slow region of the map
  // does not leave a thread idle; each result lands in its own slot, so the output
  // does not depend on the thread count.
  constexpr size_t kChunk = 256;
  std::atomic<size_t> next{0};
  auto work = [&] {
    for (size_t begin; (begin = next.fetch_add(kChunk)) < requests.size();) {
      const size_t end = std::min(requests.size(), begin + kChunk);
      for (size_t i = begin; i < end; ++i) results[i] = Route(requests[i], options);
    }
  };
  std::vector<std::thread> pool;
  for (int t = 1; t < threads; ++t) pool.emplace_back(work);
  work();
  for (std::thread& t : pool) t.join();
  return results;
}

std::vector<std::string> Router::Reasons(const Request& request,
                                         const Referral& referral) const {
  const ProviderInfo& info = directory_->provider(referral.provider);
  std::vector<std::string> reasons;
  reasons.push_back(internal::Cat("helps with ", JoinTopics(request.topics)));
  LanguageSet common;
  for (std::string_view code : request.languages.codes()) {
    Language language = *Language::FromCode(code);
    if (info.languages.Contains(language)) common.Add(language);
  }
  reasons.push_back(internal::Cat("speaks ", common.ToString(" and ")));
  switch (referral.mode) {
    case Mode::kInPerson:
      reasons.push_back(internal::Cat("in person, ", Kilometres(*referral.distance_m),
                                     " away (you travel up to ",
                                     absl::StrFormat("%g", request.max_km), " km)"));
      break;
    case Mode::kHomeVisit:
      reasons.push_back(internal::Cat("home visit, ", Kilometres(*referral.distance_m),
                                     " away (the helper travels up to ",
                                     absl::StrFormat("%g", info.radius_km), " km)"));
      break;
    case Mode::kPhone:
      reasons.push_back("by phone");
      break;
    case Mode::kVideo:
      reasons.push_back("by video call");
      break;
  }
  if (!request.access.empty()) {
    AccessSet needed = referral.mode == Mode::kInPerson ? request.access
                                                        : request.access & kServiceFeatures;
    if (!needed.empty()) reasons.push_back(internal::Cat("offers ", ToString(needed, " and ")));
  }
  if (!info.municipalities.empty()) {
    reasons.push_back(internal::Cat("serves residents of ", request.municipality));
  }
  return reasons;
}

void Router::ToProto(const Request& request, const RouteResult& result,
                     v1::RouteResult* proto) const {
  proto->Clear();
  proto->set_request_id(request.id);
  int rank = 0;
  for (const Referral& r : result.referrals) {
    const ProviderInfo& info = directory_->provider(r.provider);
    v1::Referral* out = proto->add_referrals();
    out->set_rank(++rank);
    out->set_provider_id(info.id);
    if (r.location >= 0) out->set_location_id(info.locations[r.location].id);
    out->set_mode(static_cast<v1::Mode>(internal::ToProtoEnum(r.mode)));
    out->set_cost_m(r.cost_m);
    if (r.distance_m) out->set_distance_m(*r.distance_m);
    for (std::string& reason : Reasons(request, r)) out->add_reasons(std::move(reason));
  }
  proto->set_no_suitable_provider(result.no_suitable_provider);
}

}  // namespace wegwijzer
