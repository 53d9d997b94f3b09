// Points and postcodes to municipalities on the real map: the example in
// include/wegwijzer/gazetteer.h.
//   gazetteer_lookup MUNICIPALITIES.geojson POSTCODES.csv
// (CBS/PDOK data, not shipped with Wegwijzer; see gazetteer.h.)
#include <iostream>
#include <string>

#include "wegwijzer/gazetteer.h"

namespace {

absl::Status Run(const std::string& municipalities, const std::string& postcodes) {
  using namespace wegwijzer;
  // --- as in gazetteer.h ---
  absl::StatusOr<std::shared_ptr<const Gazetteer>> gazetteer = Gazetteer::Load(
      municipalities, postcodes);
  if (!gazetteer.ok()) return gazetteer.status();   // names file, feature or line
  if (auto m = (*gazetteer)->MunicipalityAt({52.3731, 4.8926})) std::cout << m->code;
  if (auto pc = (*gazetteer)->Postcode("1011AB")) std::cout << pc->municipality_code;
  for (const PolygonRepair& r : (*gazetteer)->repairs()) std::cerr << r.ToString();
  // ---
  std::cout << "\n";
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: gazetteer_lookup MUNICIPALITIES.geojson POSTCODES.csv\n";
    return 2;
  }
  absl::Status status = Run(argv[1], argv[2]);
  if (!status.ok()) std::cerr << status.message() << "\n";
  return status.ok() ? 0 : 1;
}
