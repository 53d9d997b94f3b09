#include "openreferral/hsds_csv.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <optional>
#include <system_error>

#include "absl/container/flat_hash_set.h"
#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "core/text.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "interchange/csv_tokenizer.h"
#include "openreferral/json.h"
#include "wegwijzer/v1/openreferral.pb.h"

namespace wegwijzer::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;

constexpr int kExtraFieldNumber = 100;

enum class Owner { kOrganization, kService, kLocation, kServiceAtLocation };

struct OwnerKey {
  std::string_view column;  // the foreign key column
  Owner owner;
  std::string_view field;   // the owner's repeated field that holds the rows
};

// The interpreted sub-tables, with their owners in the order tried (most specific first).
struct SubTable {
  std::string_view name;
  std::vector<OwnerKey> owners;
};

const std::vector<SubTable>& SubTables() {
  static const auto* const kTables = new std::vector<SubTable>{
      {"addresses", {{"location_id", Owner::kLocation, "addresses"}}},
      {"accessibility", {{"location_id", Owner::kLocation, "accessibility"}}},
      {"languages",
       {{"service_id", Owner::kService, "languages"}, {"location_id", Owner::kLocation, "languages"}}},
      {"schedules",
       {{"service_at_location_id", Owner::kServiceAtLocation, "schedules"},
        {"location_id", Owner::kLocation, "schedules"},
        {"service_id", Owner::kService, "schedules"}}},
      {"service_areas",
       {{"service_at_location_id", Owner::kServiceAtLocation, "service_areas"},
        {"service_id", Owner::kService, "service_areas"}}},
      {"cost_options", {{"service_id", Owner::kService, "cost_options"}}},
      {"required_documents", {{"service_id", Owner::kService, "required_documents"}}},
      {"service_capacity", {{"service_id", Owner::kService, "capacities"}}},
      {"attributes", {{"link_id", Owner::kService, "attributes"}}},
  };
  return *kTables;
}

std::string_view OwnerName(Owner o) {
  switch (o) {
    case Owner::kOrganization: return "organization";
    case Owner::kService: return "service";
    case Owner::kLocation: return "location";
    case Owner::kServiceAtLocation: return "service_at_location";
  }
  return "?";
}

struct Table {
  std::string file;
  std::vector<std::string> columns;
  std::vector<CsvRecord> rows;
};

absl::Status ParseTable(const HsdsCsvFile& file, std::string_view folder, Table* table,
                        std::vector<std::string>* notes) {
  table->file = Cat(folder, "/", file.name);
  std::string text = file.text;
  if (text.find("\r\r\n") != std::string::npos) {
    // ORUK's files: a stray CR before each CRLF. Read as CRLF, say so.
    std::string fixed;
    fixed.reserve(text.size());
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\r' && i + 2 < text.size() + 1 && text.compare(i, 3, "\r\r\n") == 0) continue;
      fixed.push_back(text[i]);
    }
    text = std::move(fixed);
    notes->push_back(Cat(table->file, ": \\r\\r\\n line ends read as \\r\\n"));
  }
  CsvTokenizer tokenizer(text);
  CsvRecord record;
  bool header = true;
  while (tokenizer.Next(&record)) {
    if (record.problem != CsvRecord::Problem::kNone) {
      return absl::InvalidArgumentError(Cat(table->file, ":", record.line, ": ",
                                            record.problem == CsvRecord::Problem::kInvalidUtf8
                                                ? "invalid UTF-8"
                                                : "text after a closing quote"));
    }
    if (header) {
      header = false;
      table->columns = record.fields;
      // A hash set, not a scan per column (quadratic in a 10 MB header: issue 15).
      absl::flat_hash_set<std::string_view> seen;
      seen.reserve(table->columns.size());
      for (const std::string& column : table->columns) {
        if (!seen.insert(column).second) {
          return absl::InvalidArgumentError(
              Cat(table->file, ":1: column \"", column, "\" appears twice"));
        }
      }
      continue;
    }
    if (record.fields.size() != table->columns.size()) {
      return absl::InvalidArgumentError(Cat(table->file, ":", record.line, ": ",
                                            record.fields.size(), " fields, the header has ",
                                            table->columns.size()));
    }
    table->rows.push_back(record);
  }
  if (!tokenizer.status().ok()) {
    return absl::InvalidArgumentError(Cat(table->file, ": ", tokenizer.status().message()));
  }
  if (header) return absl::InvalidArgumentError(Cat(table->file, ": empty, no header"));
  return absl::OkStatus();
}

int Column(const Table& t, std::string_view name) {
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (t.columns[i] == name) return static_cast<int>(i);
  }
  return -1;
}

// Whether `text` is a JSON number literal (RFC 8259: -?int frac? exp?).
bool IsJsonNumber(std::string_view text) {
  size_t i = 0;
  auto digits = [&] {
    const size_t from = i;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') ++i;
    return i > from;
  };
  if (i < text.size() && text[i] == '-') ++i;
  if (i < text.size() && text[i] == '0') {
    ++i;
  } else if (!digits()) {
    return false;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < text.size() && (text[i] == 'e' || text[i] == 'E')) {
    ++i;
    if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
    if (!digits()) return false;
  }
  return i == text.size();
}

// Columns that HSDS's schema types as numbers but openreferral.proto keeps in
// `extra` (organization.json year_incorporated, phone.json extension): a cell that
// is a number is kept as a JSON number, so that the API's records have the schema's
// type; any other cell stays text.
bool IsNumberColumn(std::string_view name) {
  return name == "year_incorporated" || name == "extension";
}

// Fills `message` from one row; column `skip` (a consumed key) is left out.
absl::Status FillFromRow(const Table& t, const CsvRecord& row, int skip, Message* message) {
  const auto* descriptor = message->GetDescriptor();
  const auto* reflection = message->GetReflection();
  const int id_column = Column(t, "id");
  const std::string_view id = id_column >= 0 ? std::string_view(row.fields[id_column]) : "";
  for (size_t i = 0; i < t.columns.size(); ++i) {
    if (static_cast<int>(i) == skip) continue;
    const std::string& value = row.fields[i];
    if (value.empty()) continue;
    const std::string& name = t.columns[i];
    const FieldDescriptor* field = descriptor->FindFieldByName(name);
    auto fail = [&](std::string_view reason) {
      return absl::InvalidArgumentError(
          Cat(t.file, ":", row.line, ": record ", id, ": field \"", name, "\": \"", value, "\" ", reason));
    };
    if (field == nullptr || field->number() == kExtraFieldNumber || field->is_repeated() ||
        field->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      auto* property = static_cast<v1::HsdsProperty*>(
          reflection->AddMessage(message, descriptor->FindFieldByNumber(kExtraFieldNumber)));
      property->set_name(name);
      if (IsNumberColumn(name) && IsJsonNumber(value)) {
        property->set_json(value);
      } else {
        AppendJsonString(value, property->mutable_json());
      }
      continue;
    }
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        reflection->SetString(message, field, value);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        double d = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), d);
        if (r.ec != std::errc() || r.ptr != value.data() + value.size() || !std::isfinite(d)) {
          return fail("is not a number");
        }
        reflection->SetDouble(message, field, d);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        int64_t n = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), n);
        if (r.ec != std::errc() || r.ptr != value.data() + value.size()) {
          return fail("is not a whole number");
        }
        reflection->SetInt64(message, field, n);
        break;
      }
      default:
        break;
    }
  }
  return absl::OkStatus();
}

v1::HsdsTable* VerbatimTable(v1::HsdsDirectory* d, const std::string& name,
                             const std::vector<std::string>& columns) {
  for (auto& t : *d->mutable_tables()) {
    if (t.name() == name) return &t;
  }
  v1::HsdsTable* t = d->add_tables();
  t->set_name(name);
  for (const std::string& c : columns) t->add_columns(c);
  return t;
}

void KeepVerbatim(v1::HsdsDirectory* d, const std::string& name, const Table& t, const CsvRecord& row) {
  v1::HsdsTable* table = VerbatimTable(d, name, t.columns);
  auto* out = table->add_rows();
  for (const std::string& v : row.fields) out->add_values(v);
}

std::string TableName(std::string_view file) {
  return std::string(file.substr(0, file.size() - 4));  // without ".csv"
}

// ---- writing ----

bool NeedsQuotes(std::string_view v) {
  if (v.empty()) return false;
  if (v.front() == ' ' || v.front() == '\t' || v.back() == ' ' || v.back() == '\t') return true;
  return v.find_first_of(",\"\r\n") != std::string_view::npos;
}

void AppendCell(std::string_view v, std::string* out) {
  if (!NeedsQuotes(v)) {
    out->append(v);
    return;
  }
  out->push_back('"');
  for (char c : v) {
    if (c == '"') out->push_back('"');
    out->push_back(c);
  }
  out->push_back('"');
}

// The cell text of one property of a record: typed fields formatted, extras as
// their string (a JSON string) or their JSON.
std::optional<std::string> Cell(const Message& m, std::string_view column) {
  const auto* descriptor = m.GetDescriptor();
  const auto* reflection = m.GetReflection();
  const FieldDescriptor* field = descriptor->FindFieldByName(std::string(column));
  if (field != nullptr && field->number() != kExtraFieldNumber && !field->is_repeated() &&
      field->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) {
    if (!reflection->HasField(m, field)) return std::nullopt;
    std::string out;
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING: return reflection->GetString(m, field);
      case FieldDescriptor::CPPTYPE_DOUBLE: AppendJsonNumber(reflection->GetDouble(m, field), &out); return out;
      case FieldDescriptor::CPPTYPE_INT64: return Cat(reflection->GetInt64(m, field));
      default: return std::nullopt;
    }
  }
  const FieldDescriptor* extra = descriptor->FindFieldByNumber(kExtraFieldNumber);
  for (int i = 0; i < reflection->FieldSize(m, extra); ++i) {
    const auto& p = static_cast<const v1::HsdsProperty&>(reflection->GetRepeatedMessage(m, extra, i));
    if (p.name() != column) continue;
    if (!p.json().empty() && p.json().front() == '"') {
      absl::StatusOr<JsonValue> v = ParseJson(p.json(), "extra");
      if (v.ok()) return v->text;
    }
    if (p.json() == "null") return std::string();
    return p.json();
  }
  return std::nullopt;
}

// The columns a record offers: typed scalar fields set, then its extras.
void OfferedColumns(const Message& m, std::vector<std::string>* columns) {
  const auto* descriptor = m.GetDescriptor();
  const auto* reflection = m.GetReflection();
  auto add = [&](const std::string& c) {
    if (std::find(columns->begin(), columns->end(), c) == columns->end()) columns->push_back(c);
  };
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* f = descriptor->field(i);
    if (f->number() == kExtraFieldNumber || f->is_repeated() ||
        f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
      continue;
    }
    if (reflection->HasField(m, f)) add(f->name());
  }
  const FieldDescriptor* extra = descriptor->FindFieldByNumber(kExtraFieldNumber);
  for (int i = 0; i < reflection->FieldSize(m, extra); ++i) {
    add(static_cast<const v1::HsdsProperty&>(reflection->GetRepeatedMessage(m, extra, i)).name());
  }
}

struct OutRow {
  const Message* record;
  std::vector<std::pair<std::string, std::string>> keys;  // (column, value) not in the record
};

std::string FormatTable(const std::vector<std::string>& columns, const std::vector<OutRow>& rows,
                        const v1::HsdsTable* verbatim) {
  std::string out;
  for (size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendCell(columns[i], &out);
  }
  out.push_back('\n');
  for (const OutRow& row : rows) {
    for (size_t i = 0; i < columns.size(); ++i) {
      if (i > 0) out.push_back(',');
      std::optional<std::string> v;
      for (const auto& [c, value] : row.keys) {
        if (c == columns[i]) v = value;
      }
      if (!v) v = Cell(*row.record, columns[i]);
      if (v) AppendCell(*v, &out);
    }
    out.push_back('\n');
  }
  if (verbatim != nullptr) {
    for (const auto& r : verbatim->rows()) {
      for (size_t i = 0; i < columns.size(); ++i) {
        if (i > 0) out.push_back(',');
        for (int j = 0; j < verbatim->columns_size(); ++j) {
          if (verbatim->columns(j) == columns[i] && j < r.values_size()) AppendCell(r.values(j), &out);
        }
      }
      out.push_back('\n');
    }
  }
  return out;
}

}  // namespace

absl::Status ReadHsdsCsv(const std::vector<HsdsCsvFile>& files, std::string_view folder,
                         bool skip_bad_records, v1::HsdsDirectory* d,
                         std::vector<std::string>* notes) {
  absl::flat_hash_map<std::string, Table> tables;
  std::vector<std::string> order;
  for (const HsdsCsvFile& f : files) {
    Table t;
    if (absl::Status s = ParseTable(f, folder, &t, notes); !s.ok()) return s;
    order.push_back(TableName(f.name));
    tables.emplace(order.back(), std::move(t));
  }
  absl::flat_hash_map<std::string, int> index[4];
  auto problem = [&](std::string what) -> absl::Status {
    if (!skip_bad_records) return SkippableRecordError(what);
    notes->push_back(Cat(what, "; row kept verbatim, not interpreted"));
    return absl::OkStatus();
  };
  auto layout = [&](const std::string& name, const Table& t) {
    v1::HsdsTable* l = d->add_csv_layout();
    l->set_name(name);
    for (const std::string& c : t.columns) l->add_columns(c);
  };
  // The records first, so that the sub-tables can name them.
  struct Top {
    const char* table;
    Owner owner;
  };
  for (const Top& top : {Top{"organizations", Owner::kOrganization}, Top{"services", Owner::kService},
                         Top{"locations", Owner::kLocation},
                         Top{"service_at_location", Owner::kServiceAtLocation}}) {
    auto it = tables.find(top.table);
    if (it == tables.end()) continue;
    const Table& t = it->second;
    layout(top.table, t);
    const int id_column = Column(t, "id");
    if (id_column < 0) return absl::InvalidArgumentError(Cat(t.file, ":1: no \"id\" column"));
    for (const CsvRecord& row : t.rows) {
      const std::string& id = row.fields[id_column];
      if (id.empty()) {
        return absl::InvalidArgumentError(Cat(t.file, ":", row.line, ": field \"id\" is empty"));
      }
      Message* m = nullptr;
      switch (top.owner) {
        case Owner::kOrganization: m = d->add_organizations(); break;
        case Owner::kService: m = d->add_services(); break;
        case Owner::kLocation: m = d->add_locations(); break;
        case Owner::kServiceAtLocation: m = d->add_service_at_locations(); break;
      }
      // Positions are filled in below, once every list is complete.
      if (!index[static_cast<int>(top.owner)].emplace(id, 0).second) {
        return absl::InvalidArgumentError(
            Cat(t.file, ":", row.line, ": record ", id, ": field \"id\": a duplicate id"));
      }
      if (absl::Status s = FillFromRow(t, row, -1, m); !s.ok()) return s;
    }
    tables.erase(it);
  }
  for (int i = 0; i < d->organizations_size(); ++i) index[0][d->organizations(i).id()] = i;
  for (int i = 0; i < d->services_size(); ++i) index[1][d->services(i).id()] = i;
  for (int i = 0; i < d->locations_size(); ++i) index[2][d->locations(i).id()] = i;
  for (int i = 0; i < d->service_at_locations_size(); ++i) index[3][d->service_at_locations(i).id()] = i;
  auto owner_record = [&](Owner o, int i) -> Message* {
    switch (o) {
      case Owner::kOrganization: return d->mutable_organizations(i);
      case Owner::kService: return d->mutable_services(i);
      case Owner::kLocation: return d->mutable_locations(i);
      case Owner::kServiceAtLocation: return d->mutable_service_at_locations(i);
    }
    return nullptr;
  };
  // Taxonomy terms by id, for attributes (the table itself is kept verbatim).
  absl::flat_hash_map<std::string, v1::HsdsTaxonomyTerm> terms;
  if (auto it = tables.find("taxonomy_terms"); it != tables.end()) {
    const int id_column = Column(it->second, "id");
    for (const CsvRecord& row : it->second.rows) {
      v1::HsdsTaxonomyTerm term;
      if (absl::Status s = FillFromRow(it->second, row, -1, &term); !s.ok()) return s;
      if (id_column >= 0) terms[row.fields[id_column]] = std::move(term);
    }
  }
  for (const SubTable& sub : SubTables()) {
    auto it = tables.find(std::string(sub.name));
    // The ORUK 3.0 profile names one interpreted table in the singular.
    if (it == tables.end() && sub.name == "attributes") it = tables.find("attribute");
    if (it == tables.end()) continue;
    const Table& t = it->second;
    layout(it->first, t);
    const int id_column = Column(t, "id");
    const int term_column = Column(t, "taxonomy_term_id");
    for (const CsvRecord& row : t.rows) {
      const std::string_view id = id_column >= 0 ? std::string_view(row.fields[id_column]) : "";
      int key_column = -1;
      const OwnerKey* key = nullptr;
      for (const OwnerKey& k : sub.owners) {
        const int c = Column(t, k.column);
        if (c >= 0 && !row.fields[c].empty()) {
          key_column = c;
          key = &k;
          break;
        }
      }
      if (key == nullptr) {
        if (absl::Status s = problem(Cat(t.file, ":", row.line, ": record ", id,
                                         ": no foreign key names its owner"));
            !s.ok()) {
          return s;
        }
        KeepVerbatim(d, it->first, t, row);
        continue;
      }
      const std::string& owner_id = row.fields[key_column];
      auto owner = index[static_cast<int>(key->owner)].find(owner_id);
      if (owner == index[static_cast<int>(key->owner)].end()) {
        // An attribute may describe any entity; only a service's is interpreted.
        const bool other_entity = sub.name == "attributes" &&
                                  (index[0].contains(owner_id) || index[2].contains(owner_id) ||
                                   index[3].contains(owner_id));
        if (other_entity) {
          notes->push_back(Cat(t.file, ":", row.line, ": record ", id,
                               ": an attribute of a record other than a service; kept verbatim"));
        } else if (absl::Status s = problem(Cat(t.file, ":", row.line, ": record ", id, ": field \"",
                                                key->column, "\": \"", owner_id, "\" refers to no ",
                                                OwnerName(key->owner), " (dangling reference)"));
                   !s.ok()) {
          return s;
        }
        KeepVerbatim(d, it->first, t, row);
        continue;
      }
      Message* record = owner_record(key->owner, owner->second);
      const FieldDescriptor* list = record->GetDescriptor()->FindFieldByName(std::string(key->field));
      Message* child = record->GetReflection()->AddMessage(record, list);
      int skip = key_column;
      if (absl::Status s = FillFromRow(t, row, skip, child); !s.ok()) return s;
      if (sub.name == "attributes" && term_column >= 0 && !row.fields[term_column].empty()) {
        // taxonomy_term_id became an extra; replace it by the term itself.
        auto* attribute = static_cast<v1::HsdsAttribute*>(child);
        auto* extra = attribute->mutable_extra();
        extra->erase(std::remove_if(extra->begin(), extra->end(),
                                    [](const v1::HsdsProperty& p) { return p.name() == "taxonomy_term_id"; }),
                     extra->end());
        auto term = terms.find(row.fields[term_column]);
        if (term == terms.end()) {
          if (absl::Status s = problem(Cat(t.file, ":", row.line, ": record ", id,
                                           ": field \"taxonomy_term_id\": \"", row.fields[term_column],
                                           "\" refers to no taxonomy term (dangling reference)"));
              !s.ok()) {
            return s;
          }
          attribute->mutable_taxonomy_term()->set_id(row.fields[term_column]);
        } else {
          *attribute->mutable_taxonomy_term() = term->second;
        }
      }
    }
    tables.erase(it);
  }
  // Everything else, verbatim, in file order.
  for (const std::string& name : order) {
    auto it = tables.find(name);
    if (it == tables.end()) continue;
    v1::HsdsTable* table = VerbatimTable(d, name, it->second.columns);
    for (const CsvRecord& row : it->second.rows) {
      auto* out = table->add_rows();
      for (const std::string& v : row.fields) out->add_values(v);
    }
  }
  if (d->version().empty()) d->set_version("3.0");
  return absl::OkStatus();
}

std::vector<std::pair<std::string, std::string>> WriteHsdsCsv(const v1::HsdsDirectory& d) {
  std::vector<std::pair<std::string, std::string>> files;
  auto layout_of = [&](std::string_view name) -> const v1::HsdsTable* {
    for (const auto& l : d.csv_layout()) {
      if (l.name() == name) return &l;
    }
    return nullptr;
  };
  auto verbatim_of = [&](std::string_view name) -> const v1::HsdsTable* {
    for (const auto& t : d.tables()) {
      if (t.name() == name) return &t;
    }
    return nullptr;
  };
  auto emit = [&](std::string_view name, std::vector<std::string> key_columns, const std::vector<OutRow>& rows) {
    // Written under the name it was read by (ORUK's attribute.csv).
    if (name == "attributes" && layout_of(name) == nullptr && layout_of("attribute") != nullptr) {
      name = "attribute";
    }
    const v1::HsdsTable* verbatim = verbatim_of(name);
    if (rows.empty() && verbatim == nullptr && layout_of(name) == nullptr) return;
    std::vector<std::string> columns;
    if (const v1::HsdsTable* l = layout_of(name)) {
      columns.assign(l->columns().begin(), l->columns().end());
    } else {
      columns.push_back("id");
      for (std::string& k : key_columns) {
        if (std::find(columns.begin(), columns.end(), k) == columns.end()) columns.push_back(k);
      }
    }
    for (const OutRow& r : rows) {
      OfferedColumns(*r.record, &columns);
      for (const auto& [c, v] : r.keys) {
        if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
      }
    }
    if (verbatim != nullptr) {
      for (const std::string& c : verbatim->columns()) {
        if (std::find(columns.begin(), columns.end(), c) == columns.end()) columns.push_back(c);
      }
    }
    files.emplace_back(Cat(name, ".csv"), FormatTable(columns, rows, verbatim));
  };
  std::vector<OutRow> rows;
  for (const auto& o : d.organizations()) rows.push_back({&o, {}});
  emit("organizations", {}, rows);
  rows.clear();
  for (const auto& s : d.services()) rows.push_back({&s, {}});
  emit("services", {"organization_id"}, rows);
  rows.clear();
  for (const auto& l : d.locations()) rows.push_back({&l, {}});
  emit("locations", {"organization_id"}, rows);
  rows.clear();
  for (const auto& sal : d.service_at_locations()) rows.push_back({&sal, {}});
  emit("service_at_location", {"service_id", "location_id"}, rows);

  for (const SubTable& sub : SubTables()) {
    rows.clear();
    std::vector<std::string> keys;
    for (const OwnerKey& k : sub.owners) keys.emplace_back(k.column);
    auto collect = [&](const Message& owner, Owner kind, std::string_view id) {
      for (const OwnerKey& k : sub.owners) {
        if (k.owner != kind) continue;
        const FieldDescriptor* f = owner.GetDescriptor()->FindFieldByName(std::string(k.field));
        if (f == nullptr) continue;
        const auto* reflection = owner.GetReflection();
        for (int i = 0; i < reflection->FieldSize(owner, f); ++i) {
          const Message& child = reflection->GetRepeatedMessage(owner, f, i);
          OutRow row{&child, {{std::string(k.column), std::string(id)}}};
          if (sub.name == "attributes") {
            const auto& a = static_cast<const v1::HsdsAttribute&>(child);
            if (a.has_taxonomy_term()) row.keys.emplace_back("taxonomy_term_id", a.taxonomy_term().id());
          }
          rows.push_back(std::move(row));
        }
      }
    };
    for (const auto& sal : d.service_at_locations()) collect(sal, Owner::kServiceAtLocation, sal.id());
    for (const auto& l : d.locations()) collect(l, Owner::kLocation, l.id());
    for (const auto& s : d.services()) collect(s, Owner::kService, s.id());
    emit(sub.name, keys, rows);
  }
  // Verbatim tables (and a taxonomy_terms table made from the attributes when the
  // directory came from JSON, where terms are nested).
  bool have_terms = verbatim_of("taxonomy_terms") != nullptr;
  for (const auto& t : d.tables()) {
    bool interpreted = false;
    for (const SubTable& sub : SubTables()) interpreted = interpreted || sub.name == t.name();
    interpreted = interpreted || (t.name() == "attribute" && layout_of("attribute") != nullptr);
    if (interpreted) continue;  // written with its table above
    std::string out;
    for (int i = 0; i < t.columns_size(); ++i) {
      if (i > 0) out.push_back(',');
      AppendCell(t.columns(i), &out);
    }
    out.push_back('\n');
    for (const auto& r : t.rows()) {
      for (int i = 0; i < r.values_size(); ++i) {
        if (i > 0) out.push_back(',');
        AppendCell(r.values(i), &out);
      }
      out.push_back('\n');
    }
    files.emplace_back(Cat(t.name(), ".csv"), std::move(out));
  }
  if (!have_terms) {
    rows.clear();
    std::vector<std::string> seen;
    for (const auto& s : d.services()) {
      for (const auto& a : s.attributes()) {
        if (!a.has_taxonomy_term() ||
            std::find(seen.begin(), seen.end(), a.taxonomy_term().id()) != seen.end()) {
          continue;
        }
        seen.push_back(a.taxonomy_term().id());
        rows.push_back({&a.taxonomy_term(), {}});
      }
    }
    if (!rows.empty()) emit("taxonomy_terms", {}, rows);
  }
  return files;
}

}  // namespace wegwijzer::internal
