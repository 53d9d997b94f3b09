// An HSDS 3.0 directory of N services generated from the model (GenerateScenario):
// one organisation and one service per provider, a location per provider location,
// with the properties a real directory carries (phones, contacts, languages,
// taxonomy terms, service areas, cost options, addresses, schedules). Shared by
// openreferral_benchmark.cc and server_load.cc so both measure the same directory.
#ifndef WEGWIJZER_BENCH_HSDS_DIRECTORY_H_
#define WEGWIJZER_BENCH_HSDS_DIRECTORY_H_

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>

#include "wegwijzer/codes.h"
#include "wegwijzer/scenario.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer {

inline std::string HsdsTopicName(int proto_topic) {
  return std::string(TopicCode(static_cast<Topic>(proto_topic - 1)));
}

inline v1::HsdsDirectory MakeHsdsDirectory(int services, uint64_t seed) {
  absl::StatusOr<Scenario> scenario = GenerateScenario({.seed = seed, .providers = services, .requests = 0});
  if (!scenario.ok()) std::abort();  // the options are valid
  const v1::DirectorySnapshot& snapshot = *scenario->directory;
  v1::HsdsDirectory d;
  d.set_version("3.0");
  auto extra = [](auto* m, std::string name, std::string json) {
    v1::HsdsProperty* p = m->add_extra();
    p->set_name(std::move(name));
    p->set_json(std::move(json));
  };
  for (const v1::Provider& p : snapshot.providers()) {
    v1::HsdsOrganization* org = d.add_organizations();
    org->set_id("org-" + p.id());
    org->set_name(p.name() + " (organisatie)");
    extra(org, "website", "\"https://example.nl/" + p.id() + "\"");
    v1::HsdsService* s = d.add_services();
    s->set_id(p.id());
    s->set_name(p.name());
    s->set_organization_id(org->id());
    s->set_status("active");
    s->set_minimum_age(18);
    s->set_maximum_age(120);
    s->set_eligibility_description("Inwoners van de gemeente, 18 jaar en ouder");
    extra(s, "description", "\"Hulp bij digitale zaken: DigiD, toeslagen, belastingaangifte en meer.\"");
    extra(s, "phones", "[{\"id\":\"ph-" + p.id() + "\",\"number\":\"+31 20 123 4567\",\"type\":\"voice\"}]");
    extra(s, "contacts", "[{\"id\":\"ct-" + p.id() + "\",\"name\":\"Balie\",\"email\":\"balie@example.nl\"}]");
    for (const std::string& code : p.languages()) {
      v1::HsdsLanguage* l = s->add_languages();
      l->set_id("lang-" + p.id() + "-" + code);
      l->set_code(code);
    }
    if (s->languages().empty()) s->add_languages()->set_code("nl");
    for (int topic : p.topics()) {
      v1::HsdsAttribute* a = s->add_attributes();
      a->set_id("attr-" + p.id() + "-" + HsdsTopicName(topic));
      v1::HsdsTaxonomyTerm* t = a->mutable_taxonomy_term();
      t->set_id("term-" + HsdsTopicName(topic));
      t->set_taxonomy("wegwijzer");
      t->set_code(HsdsTopicName(topic));
      t->set_name(HsdsTopicName(topic));
    }
    for (const std::string& gm : p.municipalities()) {
      v1::HsdsServiceArea* area = s->add_service_areas();
      area->set_id("area-" + p.id() + "-" + gm);
      area->set_uri("https://www.cbs.nl/gemeente/" + gm);
    }
    v1::HsdsCostOption* cost = s->add_cost_options();
    cost->set_id("cost-" + p.id());
    cost->set_option("gratis");
    cost->set_amount(0);
    for (const v1::Location& loc : p.locations()) {
      v1::HsdsLocation* l = d.add_locations();
      l->set_id("loc-" + p.id() + "-" + loc.id());
      l->set_name(loc.name().empty() ? p.name() : loc.name());
      l->set_location_type("physical");
      l->set_latitude(loc.position().lat_deg());
      l->set_longitude(loc.position().lon_deg());
      l->set_organization_id(org->id());
      v1::HsdsAddress* a = l->add_addresses();
      a->set_id("addr-" + l->id());
      a->set_address_1("Stationsplein 1");
      a->set_postal_code("1012 AB");
      a->set_city("Amsterdam");
      a->set_country("NL");
      v1::HsdsAccessibility* acc = l->add_accessibility();
      acc->set_id("acc-" + l->id());
      acc->set_description("Rolstoeltoegankelijk; ringleiding aan de balie");
      for (auto [open, close] : {std::pair{"09:00", "12:30"}, std::pair{"13:30", "17:00"}}) {
        v1::HsdsSchedule* sc = l->add_schedules();
        sc->set_id("sc-" + l->id() + "-" + open);
        sc->set_freq("WEEKLY");
        sc->set_byday("MO,TU,WE,TH,FR");
        sc->set_opens_at(open);
        sc->set_closes_at(close);
        sc->set_attending_type("in person");
      }
      v1::HsdsServiceAtLocation* sal = d.add_service_at_locations();
      sal->set_id("sal-" + l->id());
      sal->set_service_id(s->id());
      sal->set_location_id(l->id());
    }
    if (p.locations().empty()) {
      v1::HsdsSchedule* sc = s->add_schedules();
      sc->set_id("sc-" + p.id());
      sc->set_freq("WEEKLY");
      sc->set_byday("MO,TU,WE,TH,FR");
      sc->set_opens_at("09:00");
      sc->set_closes_at("21:00");
      sc->set_attending_type("by phone or video");
    }
  }
  return d;
}

}  // namespace wegwijzer

#endif  // WEGWIJZER_BENCH_HSDS_DIRECTORY_H_
