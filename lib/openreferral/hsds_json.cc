#include "openreferral/hsds_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <optional>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "google/protobuf/arena.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/reflection.h"
#include "openreferral/json.h"
#include "core/text.h"
#include "wegwijzer/v1/openreferral.pb.h"
#include "wegwijzer/openreferral.h"

namespace wegwijzer::internal {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

constexpr int kExtraFieldNumber = 100;

// A handler for a property the generic mapping does not cover (nested records that
// are normalised out). Returns true when it took the property; sets *status on error.
using SpecialKey = std::function<bool(std::string_view key, JsonValue& value,
                                      absl::Status* status)>;

std::string Quoted(std::string_view s) { return Cat("\"", s, "\""); }

absl::Status FieldError(std::string_view file, std::string_view record, std::string_view field,
                        std::string_view reason) {
  return absl::InvalidArgumentError(
      Cat(file, ": ", record, ": field ", Quoted(field), ": ", reason));
}

void AddExtra(std::string_view key, const JsonValue& value, Message* message) {
  const FieldDescriptor* extra = message->GetDescriptor()->FindFieldByNumber(kExtraFieldNumber);
  auto* property = static_cast<v1::HsdsProperty*>(
      message->GetReflection()->AddMessage(message, extra));
  property->set_name(std::string(key));
  AppendJson(value, property->mutable_json());
}

// The field named `name` of `descriptor` (one of openreferral.proto's messages), or
// nullptr: as Descriptor::FindFieldByName, from a table built once for all of the
// file's messages (the descriptor pool's lookup was a tenth of an import's time).
// Thread-safe (the table is built at the first call and then only read).
const FieldDescriptor* FindField(const google::protobuf::Descriptor* descriptor,
                                 std::string_view name) {
  using Fields = absl::flat_hash_map<std::string_view, const FieldDescriptor*>;
  static const auto* const table = [] {
    auto* t = new absl::flat_hash_map<const google::protobuf::Descriptor*, Fields>;
    const google::protobuf::FileDescriptor* file = v1::HsdsDirectory::descriptor()->file();
    std::vector<const google::protobuf::Descriptor*> todo;
    for (int i = 0; i < file->message_type_count(); ++i) todo.push_back(file->message_type(i));
    while (!todo.empty()) {
      const google::protobuf::Descriptor* d = todo.back();
      todo.pop_back();
      Fields& fields = (*t)[d];
      for (int i = 0; i < d->field_count(); ++i) fields.emplace(d->field(i)->name(), d->field(i));
      for (int i = 0; i < d->nested_type_count(); ++i) todo.push_back(d->nested_type(i));
    }
    return t;
  }();
  auto it = table->find(descriptor);
  if (it == table->end()) return descriptor->FindFieldByName(std::string(name));
  auto field = it->second.find(name);
  return field == it->second.end() ? nullptr : field->second;
}

// Where a nested record is, built into text only for a message: a path of
// "schedules[0]" steps below a named record ("service ac14...").
struct Where {
  std::string_view base{};      // set at the root only
  const Where* parent = nullptr;
  std::string_view key{};
  int index = -1;               // -1: a singular field
  std::string ToString() const {
    if (parent == nullptr) return std::string(base);
    std::string out = parent->ToString();
    Append(&out, " > ", key);
    if (index >= 0) Append(&out, "[", index, "]");
    return out;
  }
};

// Fills `message` from the JSON object `object` by property name. `where` names the
// record in messages ("service ac14...", "service ac14... > schedules[0]").
absl::Status FillMessage(JsonValue& object, std::string_view file, const Where& where,
                         Message* message, const SpecialKey& special = nullptr);

absl::Status FillMessage(JsonValue& object, std::string_view file, std::string_view record,
                         Message* message, const SpecialKey& special = nullptr) {
  return FillMessage(object, file, Where{.base = record}, message, special);
}

absl::Status FillMessage(JsonValue& object, std::string_view file, const Where& where,
                         Message* message, const SpecialKey& special) {
  if (object.type != JsonValue::Type::kObject) {
    return absl::InvalidArgumentError(Cat(file, ": ", where.ToString(), ": expected an object, got ",
                                          JsonTypeName(object.type)));
  }
  const google::protobuf::Descriptor* descriptor = message->GetDescriptor();
  const Reflection* reflection = message->GetReflection();
  for (auto& member : object.object) {
    const std::string& key = member.first;
    JsonValue& value = member.second;
    // An empty name, or one with blanks around it, cannot be kept: the tabular form
    // trims its column names, so "   id" would come back as a second "id" (a fuzzer
    // finding: the CSV written did not read back).
    if (key.empty() || key.front() == ' ' || key.front() == '\t' || key.back() == ' ' ||
        key.back() == '\t') {
      return FieldError(file, where.ToString(), key,
                        "a member name that is empty or has blanks around it (HSDS names "
                        "have none, and the tabular form cannot keep them)");
    }
    if (special) {
      absl::Status status;
      if (special(key, value, &status)) {
        if (!status.ok()) return status;
        continue;
      }
    }
    const FieldDescriptor* field = FindField(descriptor, key);
    // Nulls and empty arrays have no typed form; keeping them as written is lossless.
    if (field == nullptr || field->number() == kExtraFieldNumber ||
        value.type == JsonValue::Type::kNull ||
        (field->is_repeated() && value.type == JsonValue::Type::kArray && value.array.empty())) {
      AddExtra(key, value, message);
      continue;
    }
    auto wrong_type = [&](std::string_view expected) {
      return FieldError(file, where.ToString(), key,
                        Cat("expected ", expected, ", got ", JsonTypeName(value.type)));
    };
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        if (value.type != JsonValue::Type::kString) return wrong_type("a string");
        reflection->SetString(message, field, std::move(value.text));  // the tree's text is not read again
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE: {
        if (value.type != JsonValue::Type::kNumber) return wrong_type("a number");
        double d = 0;
        const auto r = std::from_chars(value.text.data(), value.text.data() + value.text.size(), d);
        if (r.ec != std::errc() || !std::isfinite(d)) {
          return FieldError(file, where.ToString(), key, Cat(value.text, " is out of range"));
        }
        reflection->SetDouble(message, field, d);
        break;
      }
      case FieldDescriptor::CPPTYPE_INT64: {
        if (value.type != JsonValue::Type::kNumber) return wrong_type("a whole number");
        int64_t n = 0;
        const auto r = std::from_chars(value.text.data(), value.text.data() + value.text.size(), n);
        if (r.ec != std::errc() || r.ptr != value.text.data() + value.text.size()) {
          return FieldError(file, where.ToString(), key, Cat(value.text, " is not a whole number"));
        }
        reflection->SetInt64(message, field, n);
        break;
      }
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (field->is_repeated()) {
          if (value.type != JsonValue::Type::kArray) return wrong_type("an array");
          for (size_t i = 0; i < value.array.size(); ++i) {
            Message* child = reflection->AddMessage(message, field);
            absl::Status s = FillMessage(value.array[i], file,
                                         Where{.parent = &where, .key = key, .index = static_cast<int>(i)},
                                         child);
            if (!s.ok()) return s;
          }
        } else {
          absl::Status s = FillMessage(value, file, Where{.parent = &where, .key = key},
                                       reflection->MutableMessage(message, field));
          if (!s.ok()) return s;
        }
        break;
      default:
        return absl::InternalError(Cat("openreferral.proto field ", key, " has no JSON form"));
    }
  }
  return absl::OkStatus();
}

// Checks the schedule's enumerated values: a wrong `freq` would silently mean "never".
absl::Status CheckSchedules(const google::protobuf::RepeatedPtrField<v1::HsdsSchedule>& schedules,
                            std::string_view file, std::string_view record) {
  static constexpr std::string_view kDays[] = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"};
  for (int i = 0; i < schedules.size(); ++i) {
    const v1::HsdsSchedule& s = schedules[i];
    auto where = [&] { return Cat(record, " > schedules[", i, "]"); };
    if (s.has_freq() && s.freq() != "WEEKLY" && s.freq() != "MONTHLY") {
      return FieldError(file, where(), "freq",
                        Cat(Quoted(s.freq()), " is not WEEKLY or MONTHLY"));
    }
    if (s.has_wkst() && std::find(std::begin(kDays), std::end(kDays), s.wkst()) == std::end(kDays)) {
      return FieldError(file, where(), "wkst", Cat(Quoted(s.wkst()), " is not MO..SU"));
    }
    if (s.has_interval() && s.interval() < 1) {
      return FieldError(file, where(), "interval", Cat(s.interval(), " is not >= 1"));
    }
    if (s.has_count() && s.count() < 0) {
      return FieldError(file, where(), "count", Cat(s.count(), " is negative"));
    }
  }
  return absl::OkStatus();
}

template <typename M, typename Has, typename Get, typename Set>
void ShareLink(M* a, M* b, Has has, Get get, Set set) {
  if ((a->*has)() && !(b->*has)()) (b->*set)((a->*get)());
  if ((b->*has)() && !(a->*has)()) (a->*set)((b->*get)());
}
void ShareLinks(v1::HsdsOrganization*, v1::HsdsOrganization*) {}
void ShareLinks(v1::HsdsLocation* a, v1::HsdsLocation* b) {
  using L = v1::HsdsLocation;
  ShareLink(a, b, &L::has_organization_id, &L::organization_id,
            static_cast<void (L::*)(const std::string&)>(&L::set_organization_id));
}
void ShareLinks(v1::HsdsService* a, v1::HsdsService* b) {
  using S = v1::HsdsService;
  ShareLink(a, b, &S::has_organization_id, &S::organization_id,
            static_cast<void (S::*)(const std::string&)>(&S::set_organization_id));
}
void ShareLinks(v1::HsdsServiceAtLocation* a, v1::HsdsServiceAtLocation* b) {
  using T = v1::HsdsServiceAtLocation;
  ShareLink(a, b, &T::has_service_id, &T::service_id,
            static_cast<void (T::*)(const std::string&)>(&T::set_service_id));
  ShareLink(a, b, &T::has_location_id, &T::location_id,
            static_cast<void (T::*)(const std::string&)>(&T::set_location_id));
}

// A record being read, allocated on the directory's arena (then adding it to the
// directory moves no fields), or on the heap and freed here when the directory has
// no arena and the record is not added.
template <typename M>
struct Record {
  explicit Record(google::protobuf::Arena* arena)
      : message(google::protobuf::Arena::CreateMessage<M>(arena)), on_heap(arena == nullptr) {}
  Record(const Record&) = delete;
  Record& operator=(const Record&) = delete;
  ~Record() {
    if (on_heap) delete message;
  }
  M* Release() {
    on_heap = false;
    return message;
  }
  M* message;
  bool on_heap;
};

class DirectoryBuilder {
 public:
  DirectoryBuilder(std::string_view file, v1::HsdsDirectory* directory)
      : file_(file), directory_(directory) {
    for (int i = 0; i < directory->organizations_size(); ++i) orgs_[directory->organizations(i).id()] = i;
    for (int i = 0; i < directory->services_size(); ++i) services_[directory->services(i).id()] = i;
    for (int i = 0; i < directory->locations_size(); ++i) locations_[directory->locations(i).id()] = i;
    for (int i = 0; i < directory->service_at_locations_size(); ++i) {
      sals_[directory->service_at_locations(i).id()] = i;
    }
  }

  // Each Read* returns the record's id in *id.
  absl::Status ReadOrganization(JsonValue& v, std::string_view where, std::string* id) {
    Record<v1::HsdsOrganization> record(arena());
    v1::HsdsOrganization& org = *record.message;
    std::vector<JsonValue*> services, locations;
    auto special = [&](std::string_view key, JsonValue& value, absl::Status*) {
      if (key == "services" && value.type == JsonValue::Type::kArray && !value.array.empty()) {
        services.push_back(&value);
        return true;
      }
      if (key == "locations" && value.type == JsonValue::Type::kArray && !value.array.empty()) {
        locations.push_back(&value);
        return true;
      }
      return false;
    };
    absl::Status s = ReadRecord(v, "organization", where, &org, special);
    if (!s.ok()) return s;
    *id = org.id();
    const std::string name = Cat("organization ", org.id());
    s = Add(&record, &orgs_, directory_->mutable_organizations(), "organization");
    if (!s.ok()) return s;
    for (JsonValue* list : services) {
      for (size_t i = 0; i < list->array.size(); ++i) {
        s = ReadService(list->array[i], Cat(name, " > services[", i, "]"), *id, nullptr);
        if (!s.ok()) return s;
      }
    }
    for (JsonValue* list : locations) {
      for (size_t i = 0; i < list->array.size(); ++i) {
        std::string unused;
        s = ReadLocation(list->array[i], Cat(name, " > locations[", i, "]"), *id, &unused);
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadLocation(JsonValue& v, std::string_view where,
                            const std::string& organization_id, std::string* id) {
    Record<v1::HsdsLocation> record(arena());
    v1::HsdsLocation& location = *record.message;
    absl::Status s = ReadRecord(v, "location", where, &location);
    if (!s.ok()) return s;
    const std::string name = Cat("location ", location.id());
    if (!organization_id.empty()) s = Link(name, "organization_id", organization_id, location.mutable_organization_id(),
             location.has_organization_id());
    if (!s.ok()) return s;
    s = CheckSchedules(location.schedules(), file_, name);
    if (!s.ok()) return s;
    *id = location.id();
    return Add(&record, &locations_, directory_->mutable_locations(), "location");
  }

  // `organization_id` is the enclosing organization's id, or empty.
  absl::Status ReadService(JsonValue& v, std::string_view where,
                           const std::string& organization_id, std::string* id) {
    Record<v1::HsdsService> record(arena());
    v1::HsdsService& service = *record.message;
    JsonValue* organization = nullptr;
    JsonValue* sals = nullptr;
    auto special = [&](std::string_view key, JsonValue& value, absl::Status*) {
      if (key == "organization" && value.type == JsonValue::Type::kObject) {
        organization = &value;
        return true;
      }
      if (key == "service_at_locations" && value.type == JsonValue::Type::kArray &&
          !value.array.empty()) {
        sals = &value;
        return true;
      }
      return false;
    };
    absl::Status s = ReadRecord(v, "service", where, &service, special);
    if (!s.ok()) return s;
    const std::string name = Cat("service ", service.id());
    std::string org_id = organization_id;
    if (organization != nullptr) {
      std::string nested;
      s = ReadOrganization(*organization, Cat(name, " > organization"), &nested);
      if (!s.ok()) return s;
      if (!org_id.empty() && nested != org_id) {
        return FieldError(file_, name, "organization",
                          Cat("is ", nested, " inside organization ", org_id));
      }
      org_id = nested;
    }
    if (!org_id.empty()) s = Link(name, "organization_id", org_id, service.mutable_organization_id(),
             service.has_organization_id());
    if (!s.ok()) return s;
    s = CheckSchedules(service.schedules(), file_, name);
    if (!s.ok()) return s;
    const std::string service_id = service.id();
    if (id != nullptr) *id = service_id;
    s = Add(&record, &services_, directory_->mutable_services(), "service");
    if (!s.ok()) return s;
    if (sals != nullptr) {
      for (size_t i = 0; i < sals->array.size(); ++i) {
        std::string unused;
        s = ReadServiceAtLocation(sals->array[i],
                                  Cat(name, " > service_at_locations[", i, "]"),
                                  service_id, &unused);
        if (!s.ok()) return s;
      }
    }
    return absl::OkStatus();
  }

  absl::Status ReadServiceAtLocation(JsonValue& v, std::string_view where,
                                     const std::string& service_id, std::string* id) {
    Record<v1::HsdsServiceAtLocation> record(arena());
    v1::HsdsServiceAtLocation& sal = *record.message;
    JsonValue* service = nullptr;
    JsonValue* location = nullptr;
    auto special = [&](std::string_view key, JsonValue& value, absl::Status*) {
      if (key == "service" && value.type == JsonValue::Type::kObject) {
        service = &value;
        return true;
      }
      if (key == "location" && value.type == JsonValue::Type::kObject) {
        location = &value;
        return true;
      }
      return false;
    };
    absl::Status s = ReadRecord(v, "service_at_location", where, &sal, special);
    if (!s.ok()) return s;
    const std::string name = Cat("service_at_location ", sal.id());
    std::string sid = service_id;
    if (service != nullptr) {
      std::string nested;
      s = ReadService(*service, Cat(name, " > service"), "", &nested);
      if (!s.ok()) return s;
      if (!sid.empty() && nested != sid) {
        return FieldError(file_, name, "service", Cat("is ", nested, " inside service ", sid));
      }
      sid = nested;
    }
    std::string lid;
    if (location != nullptr) {
      s = ReadLocation(*location, Cat(name, " > location"), "", &lid);
      if (!s.ok()) return s;
    }
    if (!sid.empty()) s = Link(name, "service_id", sid, sal.mutable_service_id(), sal.has_service_id());
    if (!s.ok()) return s;
    if (!lid.empty()) s = Link(name, "location_id", lid, sal.mutable_location_id(), sal.has_location_id());
    if (!s.ok()) return s;
    s = CheckSchedules(sal.schedules(), file_, name);
    if (!s.ok()) return s;
    *id = sal.id();
    return Add(&record, &sals_, directory_->mutable_service_at_locations(),
               "service_at_location");
  }

 private:
  template <typename M>
  absl::Status ReadRecord(JsonValue& v, std::string_view kind, std::string_view where,
                          M* record, const SpecialKey& special = nullptr) {
    if (v.type != JsonValue::Type::kObject) {
      return absl::InvalidArgumentError(Cat(file_, ": ", where, ": a ", kind,
                                                     " must be an object, got ",
                                                     JsonTypeName(v.type)));
    }
    const JsonValue* id = v.Find("id");
    if (id == nullptr || id->type != JsonValue::Type::kString || id->text.empty()) {
      return absl::InvalidArgumentError(Cat(
          file_, ": ", where, " (byte ", v.offset, "): a ", kind, " needs a non-empty \"id\"",
          id == nullptr ? "" : Cat(", got ", id->type == JsonValue::Type::kString
                                                          ? "\"\"" : JsonTypeName(id->type))));
    }
    return FillMessage(v, file_, Cat(kind, " ", id->text), record, special);
  }

  // Sets a link field from the enclosing record, or checks that the one the record
  // states agrees with it.
  absl::Status Link(std::string_view record, std::string_view field, const std::string& from_parent,
                    std::string* value, bool stated) {
    if (from_parent.empty()) return absl::OkStatus();
    if (stated && *value != from_parent) {
      return FieldError(file_, record, field,
                        Cat(Quoted(*value), " disagrees with the enclosing record ",
                                     from_parent));
    }
    *value = from_parent;
    return absl::OkStatus();
  }

  google::protobuf::Arena* arena() const { return directory_->GetArena(); }

  template <typename M>
  absl::Status Add(Record<M>* held, absl::flat_hash_map<std::string_view, int>* index,
                   google::protobuf::RepeatedPtrField<M>* list, std::string_view kind) {
    M& record = *held->message;
    auto [it, inserted] = index->try_emplace(record.id(), list->size());
    if (inserted) {
      list->AddAllocated(held->Release());  // the same arena: no copy
      return absl::OkStatus();
    }
    // Met before: the API nests the same record in several places; the copies must
    // agree, except for the links only some places imply (a location inside an
    // organization knows its organization_id, the same location inside a
    // service_at_location does not).
    M* first = &(*list)[it->second];
    ShareLinks(first, &record);
    if (first->SerializeAsString() != record.SerializeAsString()) {
      return absl::InvalidArgumentError(Cat(
          file_, ": ", kind, " ", record.id(),
          " appears twice with different content (duplicate id)"));
    }
    return absl::OkStatus();
  }

  std::string_view file_;
  v1::HsdsDirectory* directory_;
  // Keys view the ids of the directory's records (which never move: a repeated
  // field holds pointers, and ids are not changed once a record is added).
  absl::flat_hash_map<std::string_view, int> orgs_, services_, locations_, sals_;
};

// ---- writing ----

void AppendMessage(const Message& message, std::string* out,
                   const std::function<void(std::string*)>& nested = nullptr);

// `one_to_one`: only the properties that are not arrays (HSDS's one-to-one fields,
// what the API's *_list schemas hold): repeated fields and extra properties whose JSON
// is an array are left out.
void AppendFields(const Message& message, std::string* out, bool* first,
                  bool one_to_one = false) {
  const google::protobuf::Descriptor* descriptor = message.GetDescriptor();
  const Reflection* reflection = message.GetReflection();
  auto key = [&](std::string_view name) {
    if (!*first) out->push_back(',');
    *first = false;
    AppendJsonString(name, out);
    out->push_back(':');
  };
  for (int i = 0; i < descriptor->field_count(); ++i) {
    const FieldDescriptor* field = descriptor->field(i);
    if (field->number() == kExtraFieldNumber) continue;
    if (field->is_repeated()) {
      if (one_to_one) continue;
      const int n = reflection->FieldSize(message, field);
      if (n == 0) continue;
      key(field->name());
      out->push_back('[');
      for (int j = 0; j < n; ++j) {
        if (j > 0) out->push_back(',');
        AppendMessage(reflection->GetRepeatedMessage(message, field, j), out);
      }
      out->push_back(']');
      continue;
    }
    if (!reflection->HasField(message, field)) continue;
    key(field->name());
    switch (field->cpp_type()) {
      case FieldDescriptor::CPPTYPE_STRING:
        AppendJsonString(reflection->GetStringReference(message, field, nullptr), out);
        break;
      case FieldDescriptor::CPPTYPE_DOUBLE:
        AppendJsonNumber(reflection->GetDouble(message, field), out);
        break;
      case FieldDescriptor::CPPTYPE_INT64:
        Append(out, reflection->GetInt64(message, field));
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        AppendMessage(reflection->GetMessage(message, field), out);
        break;
      default:
        break;
    }
  }
  const FieldDescriptor* extra = descriptor->FindFieldByNumber(kExtraFieldNumber);
  const int n = reflection->FieldSize(message, extra);
  for (int j = 0; j < n; ++j) {
    const auto& property =
        static_cast<const v1::HsdsProperty&>(reflection->GetRepeatedMessage(message, extra, j));
    if (one_to_one && property.json().find_first_not_of(" \t\r\n") != std::string::npos &&
        property.json()[property.json().find_first_not_of(" \t\r\n")] == '[') {
      continue;
    }
    key(property.name());
    out->append(property.json());
  }
}

void AppendMessage(const Message& message, std::string* out,
                   const std::function<void(std::string*)>& nested) {
  out->push_back('{');
  bool first = true;
  AppendFields(message, out, &first);
  if (nested) {
    if (!first) out->push_back(',');
    nested(out);
  }
  out->push_back('}');
}

std::string Page(const std::vector<std::string>& records) {
  std::string out = Cat("{\"total_items\":", records.size(),
                                 ",\"total_pages\":1,\"page_number\":1,\"size\":", records.size(),
                                 ",\"first_page\":true,\"last_page\":true,\"empty\":",
                                 records.empty() ? "true" : "false", ",\"contents\":[\n");
  for (size_t i = 0; i < records.size(); ++i) {
    if (i > 0) out.append(",\n");
    out.append(records[i]);
  }
  out.append("\n]}\n");
  return out;
}

std::string_view BaseName(std::string_view path) {
  const size_t slash = path.find_last_of('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace

HsdsDocumentKind HsdsKindFromFileName(std::string_view file_name) {
  const std::string_view base = BaseName(file_name);
  if (!base.ends_with(".json")) return HsdsDocumentKind::kUnknown;
  // Longest prefix first: service_at_location_* also starts with service.
  if (base.starts_with("service_at_location")) return HsdsDocumentKind::kServiceAtLocation;
  if (base.starts_with("service")) return HsdsDocumentKind::kService;
  if (base.starts_with("organization")) return HsdsDocumentKind::kOrganization;
  if (base.starts_with("location")) return HsdsDocumentKind::kLocation;
  if (base == "base.json") return HsdsDocumentKind::kBase;
  if (base.starts_with("taxonomy") || base == "tabular.json") {
    return HsdsDocumentKind::kIgnored;
  }
  return HsdsDocumentKind::kUnknown;
}

absl::Status ReadHsdsJsonDocument(std::string_view text, std::string_view file,
                                  HsdsDocumentKind kind, v1::HsdsDirectory* directory) {
  if (kind == HsdsDocumentKind::kIgnored) return absl::OkStatus();
  DirectoryBuilder builder(file, directory);
  auto read = [&](JsonValue& record, const std::string& where) -> absl::Status {
    std::string id;
    switch (kind) {
      case HsdsDocumentKind::kService: return builder.ReadService(record, where, "", &id);
      case HsdsDocumentKind::kOrganization: return builder.ReadOrganization(record, where, &id);
      case HsdsDocumentKind::kServiceAtLocation:
        return builder.ReadServiceAtLocation(record, where, "", &id);
      case HsdsDocumentKind::kLocation: return builder.ReadLocation(record, where, "", &id);
      default:
        return absl::InvalidArgumentError(Cat(file, ": not an HSDS document name"));
    }
  };
  // A page's records are read as the parser meets them, so that a large export
  // never exists as one tree.
  bool paged = false;
  absl::StatusOr<JsonValue> root = ParseJsonPage(
      text, file, [&](JsonValue& record, size_t index) -> absl::Status {
        paged = true;
        if (kind == HsdsDocumentKind::kBase) return absl::OkStatus();
        return read(record, Cat("contents[", index, "]"));
      });
  if (!root.ok()) return root.status();
  if (kind == HsdsDocumentKind::kBase) {
    const JsonValue* version = root->Find("version");
    if (version == nullptr || version->type != JsonValue::Type::kString) {
      return FieldError(file, "base", "version", "a string is required");
    }
    if (!version->text.starts_with("3.")) {
      return absl::InvalidArgumentError(Cat(
          file, ": HSDS version ", version->text, " is not supported (3.0 and 3.1 are)"));
    }
    directory->set_version(version->text);
    return absl::OkStatus();
  }
  const JsonValue* contents = root->Find("contents");
  if (contents != nullptr && contents->type != JsonValue::Type::kArray) {
    return FieldError(file, "page", "contents",
                      Cat("expected an array, got ", JsonTypeName(contents->type)));
  }
  if (contents == nullptr && !paged) {
    if (root->type == JsonValue::Type::kArray) {
      for (size_t i = 0; i < root->array.size(); ++i) {
        if (absl::Status s = read(root->array[i], Cat("record[", i, "]")); !s.ok()) return s;
      }
    } else if (absl::Status s = read(*root, "record"); !s.ok()) {
      return s;
    }
  }
  if (directory->version().empty()) {
    directory->set_version("3.0");
  }
  return absl::OkStatus();
}

absl::Status CheckHsdsReferences(const v1::HsdsDirectory& d, std::string_view source,
                                 std::vector<std::string>* notes) {
  absl::flat_hash_set<std::string_view> orgs, services, locations;
  orgs.reserve(d.organizations_size());
  services.reserve(d.services_size());
  locations.reserve(d.locations_size());
  for (const auto& o : d.organizations()) orgs.insert(o.id());
  for (const auto& s : d.services()) services.insert(s.id());
  for (const auto& l : d.locations()) locations.insert(l.id());
  auto dangling = [&](std::string_view record, std::string_view field, std::string_view id,
                      std::string_view kind) {
    absl::Status s = FieldError(source, record, field,
                                Cat(Quoted(id), " refers to no ", kind, " (dangling reference)"));
    if (notes == nullptr) return s;
    notes->push_back(Cat(s.message(), "; kept as written"));
    return absl::OkStatus();
  };
  for (const auto& s : d.services()) {
    if (s.has_organization_id() && !orgs.contains(s.organization_id())) {
      if (absl::Status e = dangling(Cat("service ", s.id()), "organization_id", s.organization_id(),
                      "organization"); !e.ok()) return e;
    }
  }
  for (const auto& l : d.locations()) {
    if (l.has_organization_id() && !orgs.contains(l.organization_id())) {
      if (absl::Status e = dangling(Cat("location ", l.id()), "organization_id", l.organization_id(),
                      "organization"); !e.ok()) return e;
    }
  }
  for (const auto& sal : d.service_at_locations()) {
    const std::string name = Cat("service_at_location ", sal.id());
    if (!sal.has_service_id()) {
      absl::Status e = FieldError(source, name, "service_id", "is missing");
      if (notes == nullptr) return e;
      notes->push_back(std::string(e.message()));
    }
    if (!services.contains(sal.service_id())) {
      if (absl::Status e = dangling(name, "service_id", sal.service_id(), "service"); !e.ok()) return e;
    }
    if (sal.has_location_id() && !locations.contains(sal.location_id())) {
      if (absl::Status e = dangling(name, "location_id", sal.location_id(), "location"); !e.ok()) return e;
    }
  }
  return absl::OkStatus();
}

namespace {

// The service_full records, and which organizations and locations they nest.
struct WrittenServices {
  std::vector<std::string> services;
  absl::flat_hash_set<std::string_view> orgs_written, locations_written;
};

// A service of the kList view: its one-to-one properties and its organization's.
std::string WriteServiceListRecord(
    const v1::HsdsService& service,
    const absl::flat_hash_map<std::string_view, const v1::HsdsOrganization*>& orgs) {
  std::string out = "{";
  bool first = true;
  AppendFields(service, &out, &first, /*one_to_one=*/true);
  if (service.has_organization_id()) {
    if (auto it = orgs.find(service.organization_id()); it != orgs.end()) {
      if (!first) out.push_back(',');
      out.append("\"organization\":{");
      bool org_first = true;
      AppendFields(*it->second, &out, &org_first, /*one_to_one=*/true);
      out.push_back('}');
    }
  }
  out.push_back('}');
  return out;
}

// A service of the kMinimal view: {"id", "last_modified"}.
std::string WriteServiceMinimalRecord(const v1::HsdsService& service) {
  std::string out = "{\"id\":";
  AppendJsonString(service.id(), &out);
  for (const v1::HsdsProperty& p : service.extra()) {
    if (p.name() != "last_modified") continue;
    out.append(",\"last_modified\":");
    out.append(p.json());
    break;
  }
  out.push_back('}');
  return out;
}

WrittenServices WriteServices(const v1::HsdsDirectory& d) {
  WrittenServices w;
  auto& orgs_written = w.orgs_written;
  auto& locations_written = w.locations_written;
  absl::flat_hash_map<std::string_view, const v1::HsdsOrganization*> orgs;
  absl::flat_hash_map<std::string_view, const v1::HsdsLocation*> locations;
  absl::flat_hash_map<std::string_view, std::vector<const v1::HsdsServiceAtLocation*>> sals_of;
  for (const auto& o : d.organizations()) orgs.emplace(o.id(), &o);
  for (const auto& l : d.locations()) locations.emplace(l.id(), &l);
  for (const auto& sal : d.service_at_locations()) sals_of[sal.service_id()].push_back(&sal);

  std::vector<std::string>& services = w.services;
  services.reserve(d.services_size());
  for (const v1::HsdsService& service : d.services()) {
    std::string out;
    AppendMessage(service, &out, [&](std::string* o) {
      bool any = false;
      if (service.has_organization_id()) {
        if (auto it = orgs.find(service.organization_id()); it != orgs.end()) {
          o->append("\"organization\":");
          AppendMessage(*it->second, o);
          orgs_written.insert(it->first);
          any = true;
        }
      }
      auto sal_it = sals_of.find(service.id());
      if (sal_it != sals_of.end()) {
        if (any) o->push_back(',');
        any = true;
        o->append("\"service_at_locations\":[");
        for (size_t i = 0; i < sal_it->second.size(); ++i) {
          if (i > 0) o->push_back(',');
          const v1::HsdsServiceAtLocation& sal = *sal_it->second[i];
          const v1::HsdsLocation* location = nullptr;
          if (auto it = locations.find(sal.location_id()); sal.has_location_id() && it != locations.end()) {
            location = it->second;
            locations_written.insert(it->first);
          }
          AppendMessage(sal, o, location == nullptr ? std::function<void(std::string*)>() :
                        [location](std::string* p) {
                          p->append("\"location\":");
                          AppendMessage(*location, p);
                        });
        }
        o->push_back(']');
      }
      // AppendMessage put a comma before `nested` on the promise that it writes
      // something; when there was nothing to nest, take that comma back.
      if (!any && !o->empty() && o->back() == ',') o->pop_back();
    });
    services.push_back(std::move(out));
  }
  return w;
}

}  // namespace

std::vector<std::string> WriteHsdsServices(const v1::HsdsDirectory& directory,
                                           HsdsServiceView view) {
  if (view == HsdsServiceView::kFull) return WriteServices(directory).services;
  std::vector<std::string> out;
  out.reserve(directory.services_size());
  if (view == HsdsServiceView::kMinimal) {
    for (const v1::HsdsService& service : directory.services()) {
      out.push_back(WriteServiceMinimalRecord(service));
    }
    return out;
  }
  absl::flat_hash_map<std::string_view, const v1::HsdsOrganization*> orgs;
  for (const auto& o : directory.organizations()) orgs.emplace(o.id(), &o);
  for (const v1::HsdsService& service : directory.services()) {
    out.push_back(WriteServiceListRecord(service, orgs));
  }
  return out;
}

std::string WriteHsdsRecord(const google::protobuf::Message& record) {
  std::string out;
  AppendMessage(record, &out);
  return out;
}

std::string WriteHsdsPageHead(int64_t total_items, int64_t page, int64_t per_page, size_t size) {
  const int64_t total_pages = std::max<int64_t>(1, (total_items + per_page - 1) / per_page);
  return Cat("{\"total_items\":", total_items, ",\"total_pages\":", total_pages,
             ",\"page_number\":", page, ",\"size\":", size,
             ",\"first_page\":", page == 1 ? "true" : "false",
             ",\"last_page\":", page >= total_pages ? "true" : "false",
             ",\"empty\":", size == 0 ? "true" : "false", ",\"contents\":[\n");
}

std::string WriteHsdsPage(std::span<const std::string> contents, int64_t total_items,
                          int64_t page, int64_t per_page) {
  std::string out = WriteHsdsPageHead(total_items, page, per_page, contents.size());
  size_t bytes = out.size() + HsdsPageFrame::kTail.size();
  for (const std::string& c : contents) bytes += c.size() + HsdsPageFrame::kSeparator.size();
  out.reserve(bytes);
  for (size_t i = 0; i < contents.size(); ++i) {
    if (i > 0) out.append(HsdsPageFrame::kSeparator);
    out.append(contents[i]);
  }
  out.append(HsdsPageFrame::kTail);
  return out;
}

std::vector<std::pair<std::string, std::string>> WriteHsdsJson(const v1::HsdsDirectory& d) {
  WrittenServices w = WriteServices(d);
  const std::vector<std::string>& services = w.services;
  const auto& orgs_written = w.orgs_written;
  const auto& locations_written = w.locations_written;
  std::vector<std::pair<std::string, std::string>> files;
  files.emplace_back("service_list.json", Page(services));
  std::vector<std::string> other_orgs, other_locations;
  for (const auto& o : d.organizations()) {
    if (!orgs_written.contains(o.id())) {
      other_orgs.emplace_back();
      AppendMessage(o, &other_orgs.back());
    }
  }
  for (const auto& l : d.locations()) {
    if (!locations_written.contains(l.id())) {
      other_locations.emplace_back();
      AppendMessage(l, &other_locations.back());
    }
  }
  if (!other_orgs.empty()) files.emplace_back("organization_list.json", Page(other_orgs));
  if (!other_locations.empty()) files.emplace_back("location_list.json", Page(other_locations));
  return files;
}

}  // namespace wegwijzer::internal
