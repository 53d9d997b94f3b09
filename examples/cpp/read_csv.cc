// Reads the contract's CSV files and reports what was wrong with them: the example in
// include/wegwijzer/interchange.h.
//   read_csv [DATA_DIR]   (DATA_DIR holds providers.csv and requests.csv; DEFAULT: data)
#include <iostream>
#include <string>

#include "wegwijzer/interchange.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  // --- as in interchange.h ---
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  if (!providers.ok()) { std::cerr << providers.status().message(); return 1; }
  std::cerr << providers->report.ToString();   // warnings, skipped rows
  // ---
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!requests.ok()) { std::cerr << requests.status().message(); return 1; }
  std::cout << providers->directory->size() << " providers, " << requests->requests.size()
            << " requests\n";
  return 0;
}
