// libFuzzer target: the HSDS JSON reader. Any bytes, read as each kind of HSDS
// document, must give a status, never a crash; a document that reads must write back
// to JSON and CSV that read again to the same directory, and its providers (with
// skip_bad_records) must make a valid Directory.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "openreferral/hsds_csv.h"
#include "openreferral/hsds_json.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/openreferral.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace {

using wegwijzer::internal::HsdsDocumentKind;

wegwijzer::v1::HsdsDirectory Canonical(wegwijzer::v1::HsdsDirectory d) {
  auto by_id = [](auto* list) {
    std::stable_sort(list->begin(), list->end(), [](const auto& a, const auto& b) { return a.id() < b.id(); });
  };
  by_id(d.mutable_organizations());
  by_id(d.mutable_services());
  by_id(d.mutable_locations());
  by_id(d.mutable_service_at_locations());
  return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (HsdsDocumentKind kind : {HsdsDocumentKind::kService, HsdsDocumentKind::kOrganization,
                                HsdsDocumentKind::kServiceAtLocation, HsdsDocumentKind::kLocation}) {
    wegwijzer::v1::HsdsDirectory directory;
    if (!wegwijzer::internal::ReadHsdsJsonDocument(text, "fuzz.json", kind, &directory).ok()) continue;
    if (!wegwijzer::internal::CheckHsdsReferences(directory, "fuzz.json").ok()) continue;
    // JSON round trip.
    wegwijzer::v1::HsdsDirectory again;
    for (const auto& [name, written] : wegwijzer::internal::WriteHsdsJson(directory)) {
      if (!wegwijzer::internal::ReadHsdsJsonDocument(written, name,
                                                     wegwijzer::internal::HsdsKindFromFileName(name), &again)
               .ok()) {
        std::abort();  // what we wrote does not read back
      }
    }
    again.set_version(directory.version());
    if (Canonical(directory).SerializeAsString() != Canonical(again).SerializeAsString()) std::abort();
    // CSV: what we write must read back.
    std::vector<wegwijzer::internal::HsdsCsvFile> files;
    for (auto& [name, written] : wegwijzer::internal::WriteHsdsCsv(directory)) files.push_back({name, written});
    wegwijzer::v1::HsdsDirectory from_csv;
    std::vector<std::string> notes;
    if (!wegwijzer::internal::ReadHsdsCsv(files, "fuzz", true, &from_csv, &notes).ok()) std::abort();
    // Providers: whatever the conversion accepts, the directory accepts.
    absl::StatusOr<wegwijzer::HsdsImport> converted =
        wegwijzer::ConvertHsds(directory, "fuzz.json", {.skip_bad_records = true});
    if (converted.ok() && !wegwijzer::Directory::Create(*converted->snapshot).ok()) std::abort();
  }
  return 0;
}
