#include "wegwijzer/dutch_scenario.h"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_format.h"
#include "core/numbers.h"
#include "core/postcode.h"
#include "core/proto_codes.h"
#include "core/random.h"
#include "core/text.h"
#include "scenario/sampling.h"
#include "interchange/files.h"
#include "interchange/table_reader.h"
#include "wegwijzer/v1/directory.pb.h"

namespace wegwijzer {
namespace {

// ---------------------------------------------------------------------------
using internal::Random;

using internal::PickModes;
using internal::Round6;
using internal::Scaled;
using internal::WeightedPick;

constexpr double kKmPerDegreeLat = kEarthRadiusMeters * std::numbers::pi / 180 / 1000;

// A point at `distance_km` in direction `bearing` (radians) from `from`; planar,
// fine at a few km.
LatLng Offset(LatLng from, double distance_km, double bearing) {
  const double dlat = distance_km * std::cos(bearing) / kKmPerDegreeLat;
  const double dlon = distance_km * std::sin(bearing) /
                      (kKmPerDegreeLat * std::cos(from.lat_deg * std::numbers::pi / 180));
  return {from.lat_deg + dlat, from.lon_deg + dlon};
}

double DistanceKm(LatLng a, LatLng b) { return HaversineMeters(a, b) / 1000; }

// Fryslân's municipalities (2023): where some residents prefer Frisian (fy).
constexpr std::string_view kFrisianMunicipalities[] = {
    "GM0059", "GM0060", "GM0072", "GM0074", "GM0080", "GM0085", "GM0086",
    "GM0088", "GM0090", "GM0093", "GM0096", "GM0098", "GM0737", "GM1891",
    "GM1900", "GM1940", "GM1949", "GM1970"};

// Languages other than Dutch that help is asked in, by how often.
constexpr std::string_view kOtherLanguages[] = {"ar", "tr", "pl", "en", "uk", "so", "ti"};
constexpr double kOtherLanguageWeights[] = {0.25, 0.22, 0.15, 0.15, 0.12, 0.06, 0.05};

// Topics asked for, by age group, in the order of the Topic enum (codes.h):
// digid, benefits, taxes, permits, health, banking, insurance, jobs, pension,
// basics, device, internet, safety, literacy, education.
constexpr double kTopicWeights65plus[kTopicCount] = {
    0.16, 0.06, 0.07, 0.04, 0.12, 0.14, 0.04, 0.00, 0.06, 0.15, 0.06, 0.02, 0.06, 0.01, 0.01};
constexpr double kTopicWeightsYounger[kTopicCount] = {
    0.12, 0.16, 0.09, 0.06, 0.06, 0.07, 0.05, 0.10, 0.01, 0.06, 0.04, 0.03, 0.04, 0.08, 0.03};

// The pickers of the two tables above, built once.
const WeightedPick& TopicPick(bool older) {
  static const WeightedPick kOlder(kTopicWeights65plus), kYounger(kTopicWeightsYounger);
  return older ? kOlder : kYounger;
}

Topic PickTopic(Random& rng, bool older) {
  return static_cast<Topic>(TopicPick(older).Pick(rng));
}

std::string_view PickOtherLanguage(Random& rng) {
  static const WeightedPick kPick(kOtherLanguageWeights);
  return kOtherLanguages[kPick.Pick(rng)];
}

void SetPosition(LatLng p, v1::Location* location) {
  location->mutable_position()->set_lat_deg(Round6(p.lat_deg));
  location->mutable_position()->set_lon_deg(Round6(p.lon_deg));
}

void SetTopics(std::initializer_list<Topic> topics, v1::Provider* p) {
  TopicSet set;
  for (Topic t : topics) set.Add(t);
  internal::AppendSet<Topic, kTopicCount>(set, p->mutable_topics());
}

// A postcode area as the generator sees it.
struct Area {
  int pc4;
  LatLng centroid;
  int64_t residents;
  double share_65plus;
  double area_km2;
  uint32_t municipality;  // index into the gazetteer's municipalities
  double density() const { return area_km2 > 0 ? residents / area_km2 : 0; }
};

struct Place {
  std::vector<size_t> areas;  // indices into the area list, densest first
  int64_t residents = 0;
  double residents_65plus = 0;
  bool frisian = false;
  bool city = false;  // over 100,000 residents
};

class Builder {
 public:
  Builder(const Gazetteer& gazetteer, const DutchScenarioOptions& options,
          std::vector<Area> areas, DutchScenario* out, v1::DirectorySnapshot* directory)
      : gazetteer_(gazetteer),
        options_(options),
        areas_(std::move(areas)),
        out_(out),
        directory_(directory),
        rng_(options.seed * 0x2545F4914F6CDD1DULL + 0x5EED) {
    places_.resize(gazetteer.municipality_count());
    for (size_t i = 0; i < areas_.size(); ++i) {
      Place& place = places_[areas_[i].municipality];
      place.areas.push_back(i);
      place.residents += areas_[i].residents;
      place.residents_65plus += areas_[i].residents * areas_[i].share_65plus;
    }
    for (size_t m = 0; m < places_.size(); ++m) {
      Place& place = places_[m];
      std::sort(place.areas.begin(), place.areas.end(), [&](size_t a, size_t b) {
        if (areas_[a].density() != areas_[b].density()) {
          return areas_[a].density() > areas_[b].density();
        }
        return areas_[a].pc4 < areas_[b].pc4;
      });
      const std::string_view code = gazetteer.municipality(m).code;
      place.frisian = std::find(std::begin(kFrisianMunicipalities),
                                std::end(kFrisianMunicipalities),
                                code) != std::end(kFrisianMunicipalities);
      place.city = place.residents > 100'000;
    }
  }

  void Providers() {
    for (size_t m = 0; m < places_.size(); ++m) {
      const Place& place = places_[m];
      if (place.areas.empty()) continue;
      const Municipality municipality = gazetteer_.municipality(m);
      MunicipalDesk(place, municipality);
      Libraries(place, municipality);
      Welfare(place, municipality);
    }
    Volunteers();
    PhoneLine();
  }

  void Requests() {
    std::vector<double> weights;
    for (const Area& a : areas_) {
      weights.push_back(static_cast<double>(a.residents) *
                        ((1 - a.share_65plus) + options_.relative_rate_65plus * a.share_65plus));
    }
    WeightedPick pick(weights);
    out_->requests.reserve(options_.requests);
    for (int i = 0; i < options_.requests; ++i) {
      const Area& area = areas_[pick.Pick(rng_)];
      const Place& place = places_[area.municipality];
      const double s = area.share_65plus, r = options_.relative_rate_65plus;
      const bool older = rng_.Chance(r * s / ((1 - s) + r * s));
      Request q;
      q.id = absl::StrFormat("R%07d", i);
      q.position = area.centroid;
      q.municipality = std::string(gazetteer_.municipality(area.municipality).code);
      if (options_.scatter_homes) Scatter(area, &q);
      q.topics.Add(PickTopic(rng_, older));
      if (rng_.Chance(0.3)) q.topics.Add(PickTopic(rng_, older));
      const double other = place.city ? 0.12 : 0.04;
      if (place.frisian && rng_.Chance(0.05)) {
        q.languages.Add(*Language::FromCode("fy"));
      } else if (rng_.Chance(other)) {
        q.languages = LanguageSet();
        q.languages.Add(*Language::FromCode(PickOtherLanguage(rng_)));
        if (rng_.Chance(0.5)) q.languages.Add(*Language::FromCode("nl"));
      }
      const double modes = rng_.Uniform();
      if (older) {
        q.modes = PickModes(modes, {0.25, 0.40, 0.50});
        if (rng_.Chance(0.08)) q.access.Add(Access::kWheelchair);
        if (rng_.Chance(0.06)) q.access.Add(Access::kHearingLoop);
        if (rng_.Chance(0.03)) q.access.Add(Access::kVisualAid);
        if (rng_.Chance(0.04)) q.access.Add(Access::kEasyLanguage);
        const double km = rng_.Uniform();
        q.max_km = km < 0.4 ? 5 : km < 0.8 ? 10 : 15;
        const double p = rng_.Uniform();
        q.priority = p < 0.55 ? 0 : p < 0.80 ? 1 : p < 0.93 ? 2 : 3;
      } else {
        q.modes = PickModes(modes, {0.10, 0.10, 0.10});
        if (rng_.Chance(0.02)) q.access.Add(Access::kWheelchair);
        if (rng_.Chance(0.06)) q.access.Add(Access::kEasyLanguage);
        const double km = rng_.Uniform();
        q.max_km = km < 0.5 ? 10 : km < 0.8 ? 15 : 25;
        const double p = rng_.Uniform();
        q.priority = p < 0.70 ? 0 : p < 0.90 ? 1 : p < 0.97 ? 2 : 3;
      }
      out_->requests.push_back(std::move(q));
      out_->request_postcodes.push_back(area.pc4);
    }
  }

 private:
  // Moves the request to a random point of its area (approximated by a disc of the
  // same area around the centroid, half its radius), keeping it in the municipality
  // of its postcode; stays at the centroid after a few misses (a sliver area).
  void Scatter(const Area& area, Request* q) {
    const double radius_km = area.area_km2 > 0 ? std::sqrt(area.area_km2 / std::numbers::pi) : 0.3;
    for (int attempt = 0; attempt < 4; ++attempt) {
      const LatLng p = Round6(Offset(area.centroid, 0.5 * radius_km * std::sqrt(rng_.Uniform()),
                                     rng_.Uniform(0, 2 * std::numbers::pi)));
      std::optional<Municipality> m = gazetteer_.MunicipalityAt(p);
      if (m && m->code == q->municipality) {
        q->position = p;
        return;
      }
    }
  }

  v1::Provider* NewProvider(v1::ProviderKind kind, std::string name) {
    v1::Provider* p = directory_->add_providers();
    p->set_id(absl::StrFormat("P%06d", directory_->providers_size() - 1));
    p->set_kind(kind);
    p->set_name(std::move(name));
    return p;
  }

  void Languages(const Place& place, double other_chance, v1::Provider* p) {
    p->add_languages("nl");
    if (place.frisian && rng_.Chance(0.4)) p->add_languages("fy");
    if (rng_.Chance(place.city ? other_chance : other_chance / 3)) {
      p->add_languages(std::string(PickOtherLanguage(rng_)));
    }
    if (rng_.Chance(0.3)) p->add_languages("en");
    // Duplicates are harmless to the directory but untidy in CSV.
    std::sort(p->mutable_languages()->begin(), p->mutable_languages()->end());
    p->mutable_languages()->erase(
        std::unique(p->mutable_languages()->begin(), p->mutable_languages()->end()),
        p->mutable_languages()->end());
  }

  void MunicipalDesk(const Place& place, const Municipality& m) {
    const Area& centre = areas_[place.areas.front()];
    v1::Provider* p = NewProvider(v1::PROVIDER_KIND_MUNICIPAL,
                                  internal::Cat("Gemeente ", m.name, ", publieksbalie"));
    SetPosition(Offset(centre.centroid, 0.2 * rng_.Uniform(), rng_.Uniform(0, 6.283)),
                p->add_locations());
    SetTopics({Topic::kPermits, Topic::kDigid, Topic::kBenefits, Topic::kTaxes}, p);
    Languages(place, 0.2, p);
    p->add_modes(v1::MODE_IN_PERSON);
    p->add_modes(v1::MODE_PHONE);
    p->add_access(v1::ACCESS_WHEELCHAIR);
    p->add_access(v1::ACCESS_HEARING_LOOP);
    if (rng_.Chance(0.5)) p->add_access(v1::ACCESS_EASY_LANGUAGE);
    p->set_capacity(Scaled(5 + place.residents / 5000.0, options_.capacity_scale));
    p->add_municipalities(std::string(m.code));
  }

  void Libraries(const Place& place, const Municipality& m) {
    const int branches = 1 + static_cast<int>(place.residents / 25'000);
    std::vector<LatLng> chosen;
    for (size_t a : place.areas) {
      if (static_cast<int>(chosen.size()) == branches) break;
      const LatLng at = areas_[a].centroid;
      if (std::any_of(chosen.begin(), chosen.end(),
                      [&](LatLng c) { return DistanceKm(c, at) < 1.5; })) {
        continue;
      }
      chosen.push_back(at);
    }
    const int idos = 1 + static_cast<int>(place.residents / 100'000);
    for (size_t b = 0; b < chosen.size(); ++b) {
      const LatLng at = Offset(chosen[b], 0.3 * rng_.Uniform(), rng_.Uniform(0, 6.283));
      v1::Provider* library = NewProvider(
          v1::PROVIDER_KIND_LIBRARY,
          b == 0 ? internal::Cat("Bibliotheek ", m.name)
                 : absl::StrFormat("Bibliotheek %s, vestiging %d", internal::ToAbsl(m.name),
                                   b + 1));
      SetPosition(at, library->add_locations());
      SetTopics({Topic::kBasics, Topic::kDevice, Topic::kInternet, Topic::kSafety,
                 Topic::kLiteracy, Topic::kEducation, Topic::kDigid, Topic::kHealth},
                library);
      Languages(place, 0.3, library);
      library->add_modes(v1::MODE_IN_PERSON);
      if (rng_.Chance(0.3)) library->add_modes(v1::MODE_VIDEO);
      library->add_access(v1::ACCESS_WHEELCHAIR);
      if (rng_.Chance(0.5)) library->add_access(v1::ACCESS_HEARING_LOOP);
      if (rng_.Chance(0.4)) library->add_access(v1::ACCESS_QUIET_ROOM);
      if (rng_.Chance(0.6)) library->add_access(v1::ACCESS_EASY_LANGUAGE);
      if (rng_.Chance(0.2)) library->add_access(v1::ACCESS_VISUAL_AID);
      library->set_capacity(Scaled(rng_.Int(15, 40), options_.capacity_scale));
      if (static_cast<int>(b) >= idos) continue;
      // The IDO desk sits in the library and helps with the government's services.
      v1::Provider* ido = NewProvider(
          v1::PROVIDER_KIND_IDO, internal::Cat("Informatiepunt Digitale Overheid, ",
                                               library->name()));
      *ido->add_locations() = library->locations(0);
      SetTopics({Topic::kDigid, Topic::kBenefits, Topic::kTaxes, Topic::kPermits,
                 Topic::kHealth, Topic::kPension, Topic::kInsurance, Topic::kJobs},
                ido);
      Languages(place, 0.3, ido);
      ido->add_modes(v1::MODE_IN_PERSON);
      if (rng_.Chance(0.5)) ido->add_modes(v1::MODE_PHONE);
      *ido->mutable_access() = library->access();
      ido->set_capacity(Scaled(rng_.Int(20, 60) * (1 + place.residents / 200'000.0),
                               options_.capacity_scale));
    }
  }

  void Welfare(const Place& place, const Municipality& m) {
    const int count = static_cast<int>(place.residents / 40'000);
    // At the most populous areas (not the densest: welfare work follows where
    // people live, not the shopping streets).
    std::vector<size_t> by_residents = place.areas;
    std::sort(by_residents.begin(), by_residents.end(), [&](size_t a, size_t b) {
      if (areas_[a].residents != areas_[b].residents) {
        return areas_[a].residents > areas_[b].residents;
      }
      return areas_[a].pc4 < areas_[b].pc4;
    });
    for (int i = 0; i < count && i < static_cast<int>(by_residents.size()); ++i) {
      const Area& area = areas_[by_residents[i]];
      v1::Provider* p = NewProvider(
          v1::PROVIDER_KIND_WELFARE,
          absl::StrFormat("Welzijn %s %d", internal::ToAbsl(m.name), i + 1));
      SetPosition(Offset(area.centroid, 0.3 * rng_.Uniform(), rng_.Uniform(0, 6.283)),
                  p->add_locations());
      SetTopics({Topic::kBenefits, Topic::kTaxes, Topic::kBanking, Topic::kInsurance,
                 Topic::kHealth, Topic::kPension, Topic::kBasics, Topic::kDigid},
                p);
      Languages(place, 0.5, p);
      p->add_modes(v1::MODE_IN_PERSON);
      if (rng_.Chance(0.5)) {
        p->add_modes(v1::MODE_HOME_VISIT);
        p->set_radius_km(Round6(rng_.Uniform(4, 12)));
      }
      if (rng_.Chance(0.4)) p->add_modes(v1::MODE_PHONE);
      p->add_access(v1::ACCESS_WHEELCHAIR);
      if (rng_.Chance(0.5)) p->add_access(v1::ACCESS_EASY_LANGUAGE);
      if (rng_.Chance(0.3)) p->add_access(v1::ACCESS_QUIET_ROOM);
      p->set_capacity(Scaled(rng_.Int(20, 60), options_.capacity_scale));
    }
  }

  void Volunteers() {
    std::vector<double> weights;
    double total_65plus = 0;
    for (const Area& a : areas_) {
      weights.push_back(a.residents * a.share_65plus);
      total_65plus += weights.back();
    }
    WeightedPick pick(weights);
    const int count =
        static_cast<int>(std::llround(total_65plus / options_.residents_65plus_per_volunteer));
    constexpr Topic kVolunteerTopics[] = {Topic::kBasics, Topic::kDevice, Topic::kInternet,
                                          Topic::kSafety, Topic::kBanking, Topic::kHealth,
                                          Topic::kDigid};
    for (int i = 0; i < count; ++i) {
      const Area& area = areas_[pick.Pick(rng_)];
      const Place& place = places_[area.municipality];
      v1::Provider* p = NewProvider(v1::PROVIDER_KIND_VOLUNTEER,
                                    absl::StrFormat("Digimaatje %d", i + 1));
      const double radius_km =
          area.area_km2 > 0 ? std::sqrt(area.area_km2 / std::numbers::pi) : 0.5;
      SetPosition(Offset(area.centroid, radius_km * std::sqrt(rng_.Uniform()),
                         rng_.Uniform(0, 6.283)),
                  p->add_locations());
      TopicSet topics{Topic::kBasics};
      const int extra = rng_.Int(1, 3);
      while (topics.size() < 1 + extra) topics.Add(kVolunteerTopics[rng_.Int(0, 6)]);
      internal::AppendSet<Topic, kTopicCount>(topics, p->mutable_topics());
      Languages(place, 0.25, p);
      p->add_modes(v1::MODE_HOME_VISIT);
      if (rng_.Chance(0.3)) p->add_modes(v1::MODE_PHONE);
      p->set_radius_km(Round6(rng_.Uniform(2, 8)));
      if (rng_.Chance(0.4)) p->add_access(v1::ACCESS_EASY_LANGUAGE);
      p->set_capacity(Scaled(rng_.Int(2, 6), options_.capacity_scale));
    }
  }

  void PhoneLine() {
    v1::Provider* p = NewProvider(v1::PROVIDER_KIND_PHONE, "Landelijke digihulplijn");
    SetTopics({Topic::kDigid, Topic::kBenefits, Topic::kTaxes, Topic::kPermits,
               Topic::kHealth, Topic::kBanking, Topic::kInsurance, Topic::kJobs,
               Topic::kPension, Topic::kBasics, Topic::kDevice, Topic::kSafety},
              p);
    for (const char* code : {"en", "nl"}) p->add_languages(code);
    p->add_modes(v1::MODE_PHONE);
    p->add_modes(v1::MODE_VIDEO);
    p->add_access(v1::ACCESS_EASY_LANGUAGE);
    // No capacity: unlimited, so a request nothing nearby suits can still be helped.
  }

  const Gazetteer& gazetteer_;
  const DutchScenarioOptions& options_;
  std::vector<Area> areas_;
  std::vector<Place> places_;
  DutchScenario* out_;
  v1::DirectorySnapshot* directory_;  // out_->directory, writable while building
  Random rng_;
};

}  // namespace

// ---------------------------------------------------------------------------
// The demographics table.

absl::StatusOr<std::vector<PostcodeDemographics>> ReadPostcodeDemographicsCsv(
    const std::string& path) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return ParsePostcodeDemographicsCsv(*text, path);
}

absl::StatusOr<std::vector<PostcodeDemographics>> ParsePostcodeDemographicsCsv(
    std::string_view text, std::string_view file_name) {
  // The contract's table rules (table_reader.h); the first bad row ends the read.
  absl::StatusOr<internal::TableReader> table = internal::TableReader::Open(
      text, {.file = file_name, .where = internal::TableOptions::Where::kTable});
  if (!table.ok()) return table.status();
  if (absl::Status s = table->Require({"pc4"}); !s.ok()) return s;
  if (absl::Status s = table->RequireOne({"inwoners_2021", "residents"},
                                         "'inwoners_2021' (or 'residents')");
      !s.ok()) {
    return s;
  }
  const int pc4_column = table->Find("pc4");
  const int residents_column = table->FindAny({"inwoners_2021", "residents"});
  const int pct_column = table->Find("pct_65plus_2021");
  const int area_column = table->Find("area_km2");
  std::vector<PostcodeDemographics> out;
  std::vector<bool> seen(internal::kMaxPc4 + 1, false);
  internal::CsvRecord record;
  std::string problem;
  while (table->Next(&record, &problem)) {
    if (!problem.empty()) return table->Error(record.line, problem);
    PostcodeDemographics d;
    const std::string& pc4 = record.fields[pc4_column];
    std::optional<int> parsed = internal::ParsePc4(pc4);
    if (!parsed) {
      return table->Error(record.line,
                          internal::Cat("pc4: '", pc4, "' is not a postcode 1000..9999"));
    }
    d.pc4 = *parsed;
    if (seen[d.pc4]) {
      return table->Error(record.line, internal::Cat("pc4: ", d.pc4, " is given twice"));
    }
    seen[d.pc4] = true;
    auto number = [&](int c, std::string_view name, double max, double* value) -> std::string {
      if (c < 0 || record.fields[c].empty()) return "";
      if (!internal::ParseDecimal(name, record.fields[c], value).empty() || *value < 0 ||
          *value > max) {
        return internal::Cat(name, ": '", record.fields[c], "' is not a number in 0..", max);
      }
      return "";
    };
    double residents = 0, pct = -1, area = 0;
    for (std::string reason :
         {number(residents_column, "residents", 1e8, &residents),
          number(pct_column, "pct_65plus_2021", 100, &pct),
          number(area_column, "area_km2", 1e5, &area)}) {
      if (!reason.empty()) return table->Error(record.line, reason);
    }
    d.residents = std::llround(residents);
    d.share_65plus = pct < 0 ? kUnknownShare65plus : pct / 100;
    d.area_km2 = area;
    out.push_back(d);
  }
  if (absl::Status s = table->status(); !s.ok()) return s;
  return out;
}

absl::StatusOr<DutchScenario> GenerateDutchScenario(
    const Gazetteer& gazetteer, std::span<const PostcodeDemographics> demographics,
    const DutchScenarioOptions& options) {
  if (options.requests < 0) {
    return absl::InvalidArgumentError("DutchScenarioOptions::requests must be >= 0");
  }
  if (!(options.relative_rate_65plus > 0) || !(options.residents_65plus_per_volunteer > 0) ||
      !(options.capacity_scale > 0)) {
    return absl::InvalidArgumentError(
        "DutchScenarioOptions: relative_rate_65plus, residents_65plus_per_volunteer and "
        "capacity_scale must be > 0");
  }
  if (gazetteer.postcode_count() == 0) {
    return absl::InvalidArgumentError(
        "the Dutch scenario needs a gazetteer with a postcode table");
  }
  absl::flat_hash_map<std::string_view, uint32_t> municipality_index;
  for (size_t m = 0; m < gazetteer.municipality_count(); ++m) {
    municipality_index.emplace(gazetteer.municipality(m).code, static_cast<uint32_t>(m));
  }
  DutchScenario scenario;
  std::vector<Area> areas;
  std::vector<PostcodeDemographics> sorted(demographics.begin(), demographics.end());
  std::sort(sorted.begin(), sorted.end(),
            [](const auto& a, const auto& b) { return a.pc4 < b.pc4; });
  int64_t total_residents = 0;
  for (const PostcodeDemographics& d : sorted) {
    std::optional<PostcodeArea> postcode = gazetteer.Postcode(d.pc4);
    if (!postcode || postcode->municipality_code.empty()) {
      ++scenario.skipped_postcodes;
      continue;
    }
    const uint32_t m = municipality_index.at(postcode->municipality_code);
    areas.push_back({d.pc4, postcode->centroid, std::max<int64_t>(0, d.residents),
                     std::clamp(d.share_65plus, 0.0, 1.0), d.area_km2, m});
    total_residents += areas.back().residents;
  }
  if (total_residents == 0) {
    return absl::InvalidArgumentError(
        "the demographics give no residents in any postcode area of the gazetteer");
  }
  auto directory = std::make_shared<v1::DirectorySnapshot>();
  scenario.directory = directory;
  directory->set_source(absl::StrFormat(
      "Dutch scenario (seed %d) on %d municipalities and %d postcode areas", options.seed,
      gazetteer.municipality_count(), areas.size()));
  Builder builder(gazetteer, options, std::move(areas), &scenario, directory.get());
  builder.Providers();
  builder.Requests();
  return scenario;
}

}  // namespace wegwijzer
