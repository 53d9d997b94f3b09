// libFuzzer target: route and match on small directories decoded from the input,
// checked inside the fuzzer against the brute-force oracle (route) and the
// Boost.Graph reference solver (match). Any difference aborts.
#include <cstddef>
#include <cstdint>
#include <string>

#include "testing/brute_force.h"
#include "wegwijzer/matcher.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

namespace {

class Bytes {
 public:
  Bytes(const uint8_t* data, size_t size) : data_(data), size_(size) {}
  uint8_t Next() { return pos_ < size_ ? data_[pos_++] : 0; }
  bool empty() const { return pos_ >= size_; }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Positions on a coarse grid over a few km, so ties and duplicates are common.
double Lat(uint8_t b) { return 52.0 + (b % 32) * 0.004; }
double Lon(uint8_t b) { return 5.0 + (b % 32) * 0.006; }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Bytes in(data, size);
  wegwijzer::v1::DirectorySnapshot snapshot;
  const int providers = 1 + in.Next() % 12;
  const char* languages[] = {"nl", "en", "ar"};
  for (int i = 0; i < providers; ++i) {
    wegwijzer::v1::Provider* p = snapshot.add_providers();
    p->set_id(std::string(1, static_cast<char>('a' + i)) + std::to_string(in.Next() % 3));
    p->set_id(p->id() + "-" + std::to_string(i));
    p->set_kind(wegwijzer::v1::PROVIDER_KIND_OTHER);
    const uint8_t topics = in.Next();
    for (int t = 0; t < 3; ++t) {
      if (topics & (1 << t)) p->add_topics(static_cast<wegwijzer::v1::Topic>(t + 1));
    }
    if (p->topics_size() == 0) p->add_topics(wegwijzer::v1::TOPIC_DIGID);
    const uint8_t modes = in.Next();
    for (int m = 0; m < 4; ++m) {
      if (modes & (1 << m)) p->add_modes(static_cast<wegwijzer::v1::Mode>(m + 1));
    }
    if (modes & 0x10) p->add_languages(languages[(modes >> 5) % 3]);
    const bool physical = p->modes_size() == 0 || (modes & 3);
    if (physical) {
      auto* l = p->add_locations();
      l->mutable_position()->set_lat_deg(Lat(in.Next()));
      l->mutable_position()->set_lon_deg(Lon(in.Next()));
    }
    if (modes & 2) p->set_radius_km(0.5 + in.Next() % 8);
    const uint8_t access = in.Next();
    for (int a = 0; a < 5; ++a) {
      if (access & (1 << a)) p->add_access(static_cast<wegwijzer::v1::Access>(a + 1));
    }
    const uint8_t capacity = in.Next();
    if (capacity < 200) p->set_capacity(capacity % 4);
    if (access & 0x80) p->add_municipalities((access & 0x40) ? "GM0001" : "GM0002");
  }
  auto directory = wegwijzer::Directory::Create(snapshot);
  if (!directory.ok()) __builtin_trap();  // the decoder only makes valid providers
  std::vector<wegwijzer::Request> requests;
  const int count = 1 + in.Next() % 16;
  for (int i = 0; i < count; ++i) {
    wegwijzer::Request r;
    r.id = "r" + std::to_string(i);
    r.position = {Lat(in.Next()), Lon(in.Next())};
    const uint8_t needs = in.Next();
    r.topics.Add(static_cast<wegwijzer::Topic>(needs % 3));
    if (needs & 0x08) {
      r.languages = wegwijzer::LanguageSet();
      r.languages.Add(*wegwijzer::Language::FromCode(languages[(needs >> 4) % 3]));
    }
    const uint8_t modes = in.Next();
    if (modes & 0x0f) r.modes = wegwijzer::ModeSet::FromBits(modes & 0x0f);
    if (modes & 0x10) r.access.Add(wegwijzer::Access::kWheelchair);
    if (modes & 0x20) r.access.Add(wegwijzer::Access::kEasyLanguage);
    r.max_km = (in.Next() % 40) * 0.25;
    r.priority = (modes >> 6) & 3;
    if (needs & 0x80) r.municipality = (needs & 0x40) ? "GM0001" : "GM0002";
    requests.push_back(r);
  }

  wegwijzer::Router router(*directory);
  for (const wegwijzer::Request& r : requests) {
    for (int k : {1, 4, 40}) {
      const auto expected = wegwijzer::testing::BruteForceRoute(snapshot, r, k);
      const auto actual = router.Route(r, {.k = k, .explain_no_match = false});
      if (actual.referrals.size() != expected.size()) __builtin_trap();
      for (size_t i = 0; i < expected.size(); ++i) {
        const auto& a = actual.referrals[i];
        if ((*directory)->provider(a.provider).id != expected[i].provider_id ||
            a.cost_m != expected[i].cost_m ||
            wegwijzer::ModeCode(a.mode) != expected[i].mode) {
          __builtin_trap();
        }
      }
    }
  }
  wegwijzer::Matcher matcher(*directory);
  const auto fast = matcher.Match(requests, {.threads = 1});
  const auto reference =
      matcher.Match(requests, {.solver = wegwijzer::MatchSolver::kBoostReference});
  if (fast.objective != reference.objective) __builtin_trap();
  return 0;
}
