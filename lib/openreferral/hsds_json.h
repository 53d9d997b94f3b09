// Internal: HSDS 3.0 / 3.1 JSON (the API's response shapes) to and from the
// normalised model wegwijzer.v1.HsdsDirectory.
//
// Reading. A document is one record or a page ({"contents": [...], ...}) of records of
// one kind, told by the file's name as the HSDS API names its endpoints:
// service_*.json (service_full, service_list), organization_*.json,
// service_at_location_*.json, location*.json. base.json gives the version;
// taxonomy*.json and tabular.json are recognised and not read (their terms arrive
// inside the records that use them). Nested records are normalised: a service's
// "organization" and "service_at_locations" (each with its "location"), an
// organization's "services" and "locations", a service_at_location's "service" and
// "location" become records of their own, linked by id. A record met twice (the
// same organization nested in two services) must be the same both times.
//
// Properties the model types (openreferral.proto) must have the JSON type it
// declares; every other property is kept verbatim in the record's `extra`, as is a
// null or an empty array anywhere, so that writing back loses nothing.
//
// Errors (kInvalidArgument) name the file, the record ("service ac14...") and the
// field: wrong type, missing or empty id, a number that is not whole where HSDS
// wants an integer, an unknown `freq`, a record twice with different content.
//
// Thread-safety: pure functions; thread-safe.
#ifndef WEGWIJZER_LIB_OPENREFERRAL_HSDS_JSON_H_
#define WEGWIJZER_LIB_OPENREFERRAL_HSDS_JSON_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>
#include <string_view>

#include "absl/status/status.h"

namespace google::protobuf {
class Message;
}
namespace wegwijzer::v1 {
class HsdsDirectory;
}
namespace wegwijzer {
enum class HsdsServiceView;
}

namespace wegwijzer::internal {

enum class HsdsDocumentKind {
  kService, kOrganization, kServiceAtLocation, kLocation, kBase, kIgnored, kUnknown
};

// The kind a file name (the last path component) announces.
HsdsDocumentKind HsdsKindFromFileName(std::string_view file_name);

// Parses `text` (named `file` in messages) as a document of `kind` and adds its
// records to `directory`. REQUIRES: kind is not kUnknown.
absl::Status ReadHsdsJsonDocument(std::string_view text, std::string_view file,
                                  HsdsDocumentKind kind, v1::HsdsDirectory* directory);

// Checks the links: every organization_id, service_id and location_id names a record
// of the directory. Messages name `source`, the record and the field. With `notes`,
// each dangling link is noted there instead (and kept: a link is only an id).
absl::Status CheckHsdsReferences(const v1::HsdsDirectory& directory, std::string_view source,
                                 std::vector<std::string>* notes = nullptr);

// One JSON object per service of `view`'s shape (FormatHsdsServices), in directory
// order; kFull is the service_full record WriteHsdsJson writes.
std::vector<std::string> WriteHsdsServices(const v1::HsdsDirectory& directory,
                                           HsdsServiceView view);

// One record of the model (its typed fields, then its `extra`, in order) as a JSON
// object, without nested records: what organization_list.json and the taxonomy
// term of an attribute hold.
std::string WriteHsdsRecord(const google::protobuf::Message& record);

// The page's text before its first record (FormatHsdsPageFrame).
std::string WriteHsdsPageHead(int64_t total_items, int64_t page, int64_t per_page, size_t size);

// A page of `contents` with HSDS's paging properties (FormatHsdsPage).
std::string WriteHsdsPage(std::span<const std::string> contents, int64_t total_items,
                          int64_t page, int64_t per_page);

// The files an export writes, as (file name, JSON text) pairs: service_list.json
// (a page of service_full records with their organization and service_at_locations
// nested), and, only when there are records no service reaches,
// organization_list.json and location_list.json. Reading these files back gives
// a directory equivalent to `directory` (same records by id, field by field).
std::vector<std::pair<std::string, std::string>> WriteHsdsJson(
    const v1::HsdsDirectory& directory);

}  // namespace wegwijzer::internal

namespace wegwijzer {
struct HsdsServiceFilter;
}

namespace wegwijzer::internal {

// hsds_api.cc: keeps in `found` (positions of services) those that pass the filters
// of HsdsServiceFilter beyond search, organization_id and taxonomy_term_id (which
// FindHsdsServices applies). O(records of the directory).
void ApplyHsdsFilters(const v1::HsdsDirectory& directory, const HsdsServiceFilter& filter,
                      std::vector<int>* found);

}  // namespace wegwijzer::internal

#endif  // WEGWIJZER_LIB_OPENREFERRAL_HSDS_JSON_H_
