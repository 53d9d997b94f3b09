// A seeded scenario on the real map of the Netherlands: the example in
// include/wegwijzer/dutch_scenario.h.
//   dutch_scenario MUNICIPALITIES.geojson POSTCODES.csv
// (CBS/PDOK data, not shipped with Wegwijzer; see gazetteer.h.)
#include <iostream>
#include <string>

#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/v1/directory.pb.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  if (argc != 3) {
    std::cerr << "usage: dutch_scenario MUNICIPALITIES.geojson POSTCODES.csv\n";
    return 2;
  }
  const std::string municipalities = argv[1], postcodes = argv[2];
  // --- as in dutch_scenario.h ---
  auto gazetteer = Gazetteer::Load(municipalities, postcodes);
  auto people = ReadPostcodeDemographicsCsv(postcodes);
  if (!gazetteer.ok() || !people.ok()) return 1;
  absl::StatusOr<DutchScenario> scenario =
      GenerateDutchScenario(**gazetteer, *people, {.seed = 7, .requests = 20000});
  // ---
  if (!scenario.ok()) {
    std::cerr << scenario.status().message() << "\n";
    return 1;
  }
  std::cout << scenario->requests.size() << " requests, "
            << scenario->directory->providers_size() << " providers\n";
  return 0;
}
