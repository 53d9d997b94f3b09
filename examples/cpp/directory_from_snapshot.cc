// A directory built from the protobuf model, validated as a whole: the example in
// include/wegwijzer/directory.h.
//   directory_from_snapshot [DATA_DIR]   (DEFAULT: data)
#include <iostream>
#include <string>

#include "wegwijzer/directory.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/directory.pb.h"

namespace {

absl::Status Run(const wegwijzer::v1::DirectorySnapshot& snapshot,
                 const wegwijzer::Request& request) {
  using namespace wegwijzer;
  // --- as in directory.h ---
  absl::StatusOr<std::shared_ptr<const Directory>> directory =
      Directory::Create(snapshot);
  if (!directory.ok()) return directory.status();   // names the record and reason
  Router router(*directory);
  RouteResult result = router.Route(request, {.k = 5});
  // ---
  std::cout << (*directory)->size() << " providers; " << request.id << ": "
            << result.referrals.size() << " referrals\n";
  return absl::OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  using namespace wegwijzer;
  const std::string data = argc > 1 ? argv[1] : "data";
  absl::StatusOr<ProvidersCsv> providers = ReadProvidersCsv(data + "/providers.csv");
  absl::StatusOr<RequestsCsv> requests = ReadRequestsCsv(data + "/requests.csv");
  if (!providers.ok() || !requests.ok()) return 1;
  if (absl::Status s = Run(providers->directory->snapshot(), requests->requests.front());
      !s.ok()) {
    return 1;
  }
  // A snapshot with a provider without an id is refused, naming the record.
  v1::DirectorySnapshot bad = providers->directory->snapshot();
  bad.mutable_providers(0)->clear_id();
  absl::Status refused = Run(bad, requests->requests.front());
  std::cout << "refused: " << refused.message() << "\n";
  return refused.code() == absl::StatusCode::kInvalidArgument ? 0 : 1;
}
