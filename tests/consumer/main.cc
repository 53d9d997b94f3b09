// Routes one request through an installed wegwijzer and prints the referral.
#include <iostream>

#include "wegwijzer/directory.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

int main() {
  wegwijzer::v1::DirectorySnapshot snapshot;
  wegwijzer::v1::Provider* p = snapshot.add_providers();
  p->set_id("bibliotheek-centrum");
  p->set_kind(wegwijzer::v1::PROVIDER_KIND_LIBRARY);
  p->add_topics(wegwijzer::v1::TOPIC_DIGID);
  wegwijzer::v1::Location* l = p->add_locations();
  l->mutable_position()->set_lat_deg(52.37);
  l->mutable_position()->set_lon_deg(4.89);
  auto directory = wegwijzer::Directory::Create(snapshot);
  if (!directory.ok()) {
    std::cerr << directory.status() << "\n";
    return 1;
  }
  wegwijzer::Router router(*directory);
  wegwijzer::Request request;
  request.id = "r1";
  request.position = {52.36, 4.89};
  request.topics = {wegwijzer::Topic::kDigid};
  wegwijzer::RouteResult result = router.Route(request);
  if (result.referrals.size() != 1) return 1;
  std::cout << router.directory().provider(result.referrals[0].provider).id << " "
            << result.referrals[0].cost_m << "\n";
  return 0;
}
