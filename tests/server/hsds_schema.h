// Test-only: a validator for HSDS API responses, with the facts of the Open Referral
// schemas transcribed by hand into our own table (the specification's files are not
// copied into this repository).
//
// Where the facts come from (openreferral/specification, read through the library's
// reader tool):
//   * the record kinds below: schema/<kind>.json at commit
//     149f77cdef6e8a2d617114a0ad31d3861a3bfe8a (the 3.2 branch; a superset of 3.0 and
//     3.1: the same required lists, plus additional_urls, capacities, url, unit and
//     service_capacity). Each property's JSON type, `format` (uuid, uri, date-time,
//     email), `datapackage_type: date` (written here as kDate: YYYY-MM-DD), `enum`,
//     nested records ($ref) and arrays of them ("items": {"$ref"}), and `required`.
//   * the paging envelope: schema/openapi.json at commit
//     0adc618fc73f0f867a9a878f79bfa7f188876bde, components.schemas.Page (integers
//     total_items, total_pages, page_number, size; booleans first_page, last_page,
//     empty; required: empty) with each list's "contents" array; and GET /'s object
//     (version string; profile and openapi_url strings of format uri).
//   * service_list (GET /services' records): schema/compiled/service_list.json at
//     commit 0aadc412d959f27166709c3d15d478886afc9c67: the service's one-to-one
//     properties and its organization and program, required id, name, status.
// The schemas do not forbid properties beyond those they list (no
// additionalProperties: false), so neither does this validator; a property it lists
// must have its type, format and enum, and null is no value of any listed type.
#ifndef WEGWIJZER_TESTS_SERVER_HSDS_SCHEMA_H_
#define WEGWIJZER_TESTS_SERVER_HSDS_SCHEMA_H_

#include <algorithm>
#include <cmath>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "google/protobuf/struct.pb.h"

namespace wegwijzer::server::hsds_schema {

using ::google::protobuf::Value;

enum class Type { kString, kNumber, kInteger, kBoolean, kObject, kArray };
enum class Format { kNone, kUuid, kUri, kDateTime, kDate, kEmail };

struct Property {
  std::string name;
  Type type = Type::kString;
  Format format = Format::kNone;
  // kObject: the kind of the nested record; kArray: the kind of its items.
  std::string kind{};
  std::vector<std::string> values{};  // enum, when given
};

struct Kind {
  std::vector<Property> properties;
  std::vector<std::string> required;
};

// Shorthands for the table.
inline Property S(std::string name, Format f = Format::kNone) { return {std::move(name), Type::kString, f}; }
inline Property N(std::string name) { return {std::move(name), Type::kNumber}; }
inline Property Obj(std::string name, std::string kind) { return {std::move(name), Type::kObject, Format::kNone, std::move(kind)}; }
inline Property Arr(std::string name, std::string kind) { return {std::move(name), Type::kArray, Format::kNone, std::move(kind)}; }
inline Property E(std::string name, std::vector<std::string> values) {
  return {std::move(name), Type::kString, Format::kNone, "", std::move(values)};
}
inline Property Id(std::string name = "id") { return S(std::move(name), Format::kUuid); }

inline const std::map<std::string, Kind>& Kinds() {
  using F = Format;
  // Every record kind of 3.2 but metadata itself has `attributes` and `metadata` arrays.
  auto with_links = [](std::vector<Property> p, bool attributes = true) {
    if (attributes) p.push_back(Arr("attributes", "attribute"));
    p.push_back(Arr("metadata", "metadata"));
    return p;
  };
  static const auto* kinds = new std::map<std::string, Kind>{
      {"service",
       {with_links({Id(), Id("organization_id"), Id("program_id"), S("name"), S("alternate_name"),
                    S("description"), S("url", F::kUri), Arr("additional_urls", "url"),
                    S("email", F::kEmail),
                    E("status", {"active", "inactive", "defunct", "temporarily closed"}),
                    S("interpretation_services"), S("application_process"), S("fees_description"),
                    S("wait_time"), S("fees"), S("accreditations"), S("eligibility_description"),
                    N("minimum_age"), N("maximum_age"), S("assured_date", F::kDate),
                    S("assurer_email", F::kEmail), S("licenses"), S("alert"),
                    S("last_modified", F::kDateTime), Arr("phones", "phone"),
                    Arr("schedules", "schedule"), Arr("service_areas", "service_area"),
                    Arr("service_at_locations", "service_at_location"), Arr("languages", "language"),
                    Obj("organization", "organization"), Arr("funding", "funding"),
                    Arr("cost_options", "cost_option"), Obj("program", "program"),
                    Arr("required_documents", "required_document"), Arr("contacts", "contact"),
                    Arr("capacities", "service_capacity")}),
        {"id", "name", "status"}}},
      {"organization",
       {with_links({Id(), S("name"), S("alternate_name"), S("description"), S("email", F::kEmail),
                    S("website", F::kUri), Arr("additional_websites", "url"), S("tax_status"),
                    S("tax_id"), N("year_incorporated"), S("legal_status"), S("logo"),
                    S("uri", F::kUri), Id("parent_organization_id"), Arr("funding", "funding"),
                    Arr("contacts", "contact"), Arr("phones", "phone"), Arr("locations", "location"),
                    Arr("programs", "program"),
                    Arr("organization_identifiers", "organization_identifier")}),
        {"id", "name", "description"}}},
      {"service_at_location",
       {with_links({Id(), Id("service_id"), Id("location_id"), S("description"),
                    Arr("service_areas", "service_area"), Arr("contacts", "contact"),
                    Arr("phones", "phone"), Arr("schedules", "schedule"),
                    Obj("location", "location")}),
        {"id"}}},
      {"location",
       {with_links({Id(), E("location_type", {"physical", "postal", "virtual"}), S("url", F::kUri),
                    Id("organization_id"), S("name"), S("alternate_name"), S("description"),
                    S("transportation"), N("latitude"), N("longitude"), S("external_identifier"),
                    S("external_identifier_type"), Arr("languages", "language"),
                    Arr("addresses", "address"), Arr("contacts", "contact"),
                    Arr("accessibility", "accessibility"), Arr("phones", "phone"),
                    Arr("schedules", "schedule")}),
        {"id", "location_type"}}},
      {"address",
       {with_links({Id(), Id("location_id"), S("attention"), S("address_1"), S("address_2"),
                    S("city"), S("region"), S("state_province"), S("postal_code"), S("country"),
                    E("address_type", {"physical", "postal", "virtual"})}),
        {"id", "address_1", "city", "state_province", "postal_code", "country", "address_type"}}},
      {"phone",
       {with_links({Id(), Id("location_id"), Id("service_id"), Id("organization_id"),
                    Id("contact_id"), Id("service_at_location_id"), S("number"), N("extension"),
                    S("type"), S("description"), Arr("languages", "language")}),
        {"id", "number"}}},
      {"schedule",
       {with_links({Id(), Id("service_id"), Id("location_id"), Id("service_at_location_id"),
                    S("valid_from", F::kDate), S("valid_to", F::kDate), S("dtstart", F::kDate),
                    N("timezone"), S("until", F::kDate), N("count"),
                    E("wkst", {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}),
                    E("freq", {"WEEKLY", "MONTHLY"}), N("interval"), S("byday"), S("byweekno"),
                    S("bymonthday"), S("byyearday"), S("description"), S("opens_at"),
                    S("closes_at"), S("schedule_link", F::kUri), S("attending_type"), S("notes")}),
        {"id"}}},
      {"service_area",
       {with_links({Id(), Id("service_id"), Id("service_at_location_id"), S("name"),
                    S("description"), S("extent"), S("extent_type"), S("uri")}),
        {"id"}}},
      {"language",
       {with_links({Id(), Id("service_id"), Id("location_id"), Id("phone_id"), S("name"),
                    S("code"), S("note")}),
        {"id"}}},
      {"funding", {with_links({Id(), Id("organization_id"), Id("service_id"), S("source")}), {"id"}}},
      {"cost_option",
       {with_links({Id(), Id("service_id"), S("valid_from", F::kDate), S("valid_to", F::kDate),
                    S("option"), S("currency"), N("amount"), S("amount_description")}),
        {"id"}}},
      {"required_document",
       {with_links({Id(), Id("service_id"), S("document"), S("uri", F::kUri)}), {"id"}}},
      {"contact",
       {with_links({Id(), Id("organization_id"), Id("service_id"), Id("service_at_location_id"),
                    Id("location_id"), S("name"), S("title"), S("department"),
                    S("email", F::kEmail), Arr("phones", "phone")}),
        {"id"}}},
      {"attribute",
       {with_links({Id(), Id("link_id"), Id("taxonomy_term_id"), S("link_type"), S("link_entity"),
                    S("value"), Obj("taxonomy_term", "taxonomy_term"), S("label")},
                   /*attributes=*/false),
        {"id"}}},
      {"metadata",
       {{Id(), Id("resource_id"), S("resource_type"), S("last_action_date", F::kDate),
         S("last_action_type"), S("field_name"), S("previous_value"), S("replacement_value"),
         S("updated_by")},
        {"id", "last_action_date", "last_action_type", "field_name", "previous_value",
         "replacement_value", "updated_by"}}},
      {"taxonomy_term",
       {with_links({Id(), S("code"), S("name"), S("description"), Id("parent_id"), S("taxonomy"),
                    Obj("taxonomy_detail", "taxonomy"), S("language"), Id("taxonomy_id"),
                    S("term_uri", F::kUri)},
                   /*attributes=*/false),
        {"id", "name", "description"}}},
      {"taxonomy",
       {with_links({Id(), S("name"), S("description"), S("uri", F::kUri), S("version")},
                   /*attributes=*/false),
        {"id", "name", "description"}}},
      {"accessibility",
       {with_links({Id(), Id("location_id"), S("description"), S("details"), S("url", F::kUri)}),
        {"id"}}},
      {"organization_identifier",
       {with_links({Id(), Id("organization_id"), S("identifier_scheme"), S("identifier_type"),
                    S("identifier")}),
        {"id", "identifier_type", "identifier"}}},
      {"program",
       {with_links({Id(), Id("organization_id"), S("name"), S("alternate_name"), S("description")}),
        {"id", "name", "description"}}},
      {"url",
       {with_links({Id(), S("label"), S("url", F::kUri), Id("organization_id"), Id("service_id")}),
        {"id", "url"}}},
      {"service_capacity",
       {with_links({Id(), Id("service_id"), Obj("unit", "unit"), Id("unit_id"), N("available"),
                    N("maximum"), S("description"), S("updated", F::kDateTime)}),
        {"id", "unit", "available", "updated"}}},
      {"unit",
       {with_links({Id(), S("name"), S("scheme"), S("identifier"), S("uri", F::kUri)}),
        {"id", "name"}}},
      // GET /services?minimal=true: the OpenAPI's "just 'id' and 'modified_date'", as
      // this server answers it (openreferral.h, HsdsServiceView::kMinimal).
      {"service_minimal", {{Id(), S("last_modified", F::kDateTime)}, {"id"}}},
      // GET /: openapi.json paths./.get (version, profile, openapi_url, description,
      // publisher).
      {"base",
       {{S("version"), S("profile", F::kUri), S("openapi_url", F::kUri), S("description"),
         Obj("publisher", "publisher")},
        {}}},
      {"publisher",
       {{S("name"), S("identifier"), S("email", F::kEmail), S("website", F::kUri)}, {}}},
  };
  return *kinds;
}

inline bool Digits(std::string_view s, size_t at, size_t n) {
  if (s.size() < at + n) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

// RFC 3339 full-date.
inline bool IsDate(std::string_view s) {
  return s.size() == 10 && Digits(s, 0, 4) && s[4] == '-' && Digits(s, 5, 2) && s[7] == '-' &&
         Digits(s, 8, 2) && s.substr(5, 2) >= "01" && s.substr(5, 2) <= "12" &&
         s.substr(8, 2) >= "01" && s.substr(8, 2) <= "31";
}

// RFC 3339 date-time: full-date "T" HH:MM:SS[.frac] ("Z" | +HH:MM | -HH:MM).
inline bool IsDateTime(std::string_view s) {
  if (s.size() < 20 || !IsDate(s.substr(0, 10)) || (s[10] != 'T' && s[10] != 't')) return false;
  if (!Digits(s, 11, 2) || s[13] != ':' || !Digits(s, 14, 2) || s[16] != ':' || !Digits(s, 17, 2)) {
    return false;
  }
  size_t at = 19;
  if (at < s.size() && s[at] == '.') {
    ++at;
    const size_t digits = at;
    while (at < s.size() && s[at] >= '0' && s[at] <= '9') ++at;
    if (at == digits) return false;
  }
  const std::string_view zone = s.substr(at);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && Digits(zone, 1, 2) &&
         zone[3] == ':' && Digits(zone, 4, 2);
}

inline bool IsUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    const bool dash = i == 8 || i == 13 || i == 18 || i == 23;
    const char c = s[i];
    const bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    if (dash ? c != '-' : !hex) return false;
  }
  return true;
}

// RFC 3986 URI: a scheme (a letter, then letters, digits, + - .), ':', and a non-empty
// rest without spaces or control characters.
inline bool IsUri(std::string_view s) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 >= s.size()) return false;
  auto alpha = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  if (!alpha(s[0])) return false;
  for (size_t i = 1; i < colon; ++i) {
    const char c = s[i];
    if (!alpha(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.') return false;
  }
  for (char c : s.substr(colon + 1)) {
    if (static_cast<unsigned char>(c) <= ' ' || c == '"' || c == '<' || c == '>') return false;
  }
  return true;
}

// One '@' with a non-empty local part and a domain holding a dot.
inline bool IsEmail(std::string_view s) {
  const size_t at = s.find('@');
  return at != std::string_view::npos && at > 0 && s.find('@', at + 1) == std::string_view::npos &&
         s.find('.', at + 2) != std::string_view::npos && s.back() != '.' &&
         s.find(' ') == std::string_view::npos;
}

struct Options {
  // Check `format` and datapackage dates; off for hand-made test data whose ids are
  // short names ("s1") rather than UUIDs. DEFAULT: true.
  bool formats = true;
};

inline const char* TypeName(Type t) {
  switch (t) {
    case Type::kString: return "string";
    case Type::kNumber: return "number";
    case Type::kInteger: return "integer";
    case Type::kBoolean: return "boolean";
    case Type::kObject: return "object";
    case Type::kArray: return "array";
  }
  return "?";
}

// Appends to *errors one line per fault of `value` as a record of `kind`, each naming
// the JSON path ("contents[3].service_at_locations[0].location.location_type").
inline void Validate(const Value& value, const std::string& kind, const std::string& path,
                     const Options& options, std::vector<std::string>* errors) {
  auto kind_it = Kinds().find(kind);
  if (kind_it == Kinds().end()) {
    errors->push_back(path + ": no schema for kind '" + kind + "' (test table)");
    return;
  }
  if (value.kind_case() != Value::kStructValue) {
    errors->push_back(path + ": a " + kind + " must be an object");
    return;
  }
  const auto& fields = value.struct_value().fields();
  for (const std::string& name : kind_it->second.required) {
    if (!fields.contains(name)) errors->push_back(path + ": " + kind + " lacks required '" + name + "'");
  }
  for (const Property& p : kind_it->second.properties) {
    auto it = fields.find(p.name);
    if (it == fields.end()) continue;
    const Value& v = it->second;
    const std::string where = path + "." + p.name;
    auto wrong = [&] {
      errors->push_back(where + ": must be " + (p.type == Type::kObject ? "a " + p.kind + " object"
                                                 : p.type == Type::kArray  ? "an array of " + p.kind
                                                                           : std::string(TypeName(p.type))));
    };
    switch (p.type) {
      case Type::kString: {
        if (v.kind_case() != Value::kStringValue) {
          wrong();
          break;
        }
        const std::string& s = v.string_value();
        if (!p.values.empty() && std::find(p.values.begin(), p.values.end(), s) == p.values.end()) {
          std::string allowed;
          for (const std::string& e : p.values) allowed += (allowed.empty() ? "" : ", ") + e;
          errors->push_back(where + ": '" + s + "' is not one of " + allowed);
        }
        if (!options.formats) break;
        const bool ok = p.format == Format::kNone || (p.format == Format::kUuid && IsUuid(s)) ||
                        (p.format == Format::kUri && IsUri(s)) ||
                        (p.format == Format::kDateTime && IsDateTime(s)) ||
                        (p.format == Format::kDate && IsDate(s)) ||
                        (p.format == Format::kEmail && IsEmail(s));
        if (!ok) {
          static const char* kNames[] = {"", "uuid", "uri", "date-time", "date (YYYY-MM-DD)", "email"};
          errors->push_back(where + ": '" + s + "' is not a " + kNames[static_cast<int>(p.format)]);
        }
        break;
      }
      case Type::kNumber:
        if (v.kind_case() != Value::kNumberValue) wrong();
        break;
      case Type::kInteger:
        if (v.kind_case() != Value::kNumberValue || std::floor(v.number_value()) != v.number_value()) {
          wrong();
        }
        break;
      case Type::kBoolean:
        if (v.kind_case() != Value::kBoolValue) wrong();
        break;
      case Type::kObject:
        if (v.kind_case() != Value::kStructValue) {
          wrong();
          break;
        }
        Validate(v, p.kind, where, options, errors);
        break;
      case Type::kArray:
        if (v.kind_case() != Value::kListValue) {
          wrong();
          break;
        }
        for (int i = 0; i < v.list_value().values_size(); ++i) {
          Validate(v.list_value().values(i), p.kind, where + "[" + std::to_string(i) + "]", options,
                   errors);
        }
        break;
    }
  }
}

// The paging envelope of an HSDS API list (openapi.json components.schemas.Page) with
// its `contents` records of `kind`; and its own consistency: size is the number of
// records, empty says whether there are none, page_number <= total_pages unless empty.
inline void ValidatePage(const Value& page, const std::string& kind, const Options& options,
                         std::vector<std::string>* errors) {
  if (page.kind_case() != Value::kStructValue) {
    errors->push_back("page: must be an object");
    return;
  }
  const auto& f = page.struct_value().fields();
  auto integer = [&](const char* name) {
    auto it = f.find(name);
    if (it == f.end()) return;  // optional in Page
    if (it->second.kind_case() != Value::kNumberValue ||
        std::floor(it->second.number_value()) != it->second.number_value()) {
      errors->push_back(std::string("page.") + name + ": must be integer");
    }
  };
  auto boolean = [&](const char* name) {
    auto it = f.find(name);
    if (it == f.end()) return;
    if (it->second.kind_case() != Value::kBoolValue) errors->push_back(std::string("page.") + name + ": must be boolean");
  };
  for (const char* name : {"total_items", "total_pages", "page_number", "size"}) integer(name);
  for (const char* name : {"first_page", "last_page", "empty"}) boolean(name);
  if (!f.contains("empty")) errors->push_back("page: lacks required 'empty'");
  auto contents = f.find("contents");
  if (contents == f.end() || contents->second.kind_case() != Value::kListValue) {
    errors->push_back("page.contents: must be an array of " + kind);
    return;
  }
  const auto& records = contents->second.list_value().values();
  for (int i = 0; i < records.size(); ++i) {
    Validate(records[i], kind, "contents[" + std::to_string(i) + "]", options, errors);
  }
  if (auto size = f.find("size"); size != f.end() && size->second.number_value() != records.size()) {
    errors->push_back("page.size: " + std::to_string(size->second.number_value()) + " but " +
                      std::to_string(records.size()) + " records");
  }
  if (auto empty = f.find("empty"); empty != f.end() && empty->second.bool_value() != records.empty()) {
    errors->push_back("page.empty: disagrees with the contents");
  }
}

}  // namespace wegwijzer::server::hsds_schema

#endif  // WEGWIJZER_TESTS_SERVER_HSDS_SCHEMA_H_
