// Replacing the providers while requests are routed: the example in
// include/wegwijzer/live_directory.h. A router keeps the snapshot it was given.
//   live_directory_swap [DATA_DIR]   (DEFAULT: data)
#include <iostream>
#include <string>

#include "wegwijzer/interchange.h"
#include "wegwijzer/live_directory.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  const v1::DirectorySnapshot& snapshot = providers->directory->snapshot();
  // Tonight's import: the same providers but the first one, which closed.
  v1::DirectorySnapshot new_snapshot = snapshot;
  new_snapshot.mutable_providers()->erase(new_snapshot.mutable_providers()->begin());
  // --- as in live_directory.h ---
  LiveDirectory live(*Directory::Create(snapshot));
  // request threads:
  Router router(live.Current());
  // the nightly import:
  live.Replace(*Directory::Create(new_snapshot));
  // ---
  Router tomorrow(live.Current());
  std::cout << "version " << live.version() << ": " << router.directory().size()
            << " providers in the router's snapshot, " << tomorrow.directory().size()
            << " in the current one\n";
  return router.directory().size() == tomorrow.directory().size() + 1 ? 0 : 1;
}
