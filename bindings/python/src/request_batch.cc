#include "request_batch.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include "absl/container/flat_hash_map.h"
#include "convert.h"
#include "module.h"
#include "status.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/v1/request.pb.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

std::string Quote(std::string_view s) { return "'" + std::string(s) + "'"; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The UTF-8 text of a str object, or nullopt when `object` is not a str.
std::optional<std::string_view> Utf8(PyObject* object) {
  if (!PyUnicode_Check(object)) return std::nullopt;
  Py_ssize_t size = 0;
  const char* data = PyUnicode_AsUTF8AndSize(object, &size);
  if (data == nullptr) throw py::error_already_set();
  return std::string_view(data, static_cast<size_t>(size));
}

// None, or a float NaN (how pandas writes an empty cell): "use the default".
bool IsMissing(PyObject* object) {
  if (object == Py_None) return true;
  if (PyFloat_Check(object)) return std::isnan(PyFloat_AS_DOUBLE(object));
  return false;
}

std::string RowSuffix(std::optional<size_t> row) {
  return row ? " (row " + std::to_string(*row) + ")" : "";
}

// --- Code sets -------------------------------------------------------------------

// One of the small closed vocabularies (topics, modes, access) as EnumSet bits.
struct Vocabulary {
  const char* column;
  int count;
  std::optional<uint32_t> (*bit)(std::string_view code);
  std::string known;  // "digid, benefits, ..." for messages
};

template <typename Enum, std::optional<Enum> (*kFromCode)(std::string_view)>
std::optional<uint32_t> BitOf(std::string_view code) {
  std::optional<Enum> value = kFromCode(code);
  if (!value) return std::nullopt;
  return uint32_t{1} << static_cast<int>(*value);
}

template <typename Enum>
std::string KnownCodes(int count, std::string_view (*to_code)(Enum)) {
  std::string known;
  for (int i = 0; i < count; ++i) {
    if (i > 0) known += ", ";
    known += std::string(to_code(static_cast<Enum>(i)));
  }
  return known;
}

const Vocabulary& Topics() {
  static const Vocabulary v{"topics", kTopicCount, &BitOf<Topic, &TopicFromCode>,
                            KnownCodes<Topic>(kTopicCount, &TopicCode)};
  return v;
}
const Vocabulary& Modes() {
  static const Vocabulary v{"modes", kModeCount, &BitOf<Mode, &ModeFromCode>,
                            KnownCodes<Mode>(kModeCount, &ModeCode)};
  return v;
}
const Vocabulary& AccessFeatures() {
  static const Vocabulary v{"access", kAccessCount, &BitOf<Access, &AccessFromCode>,
                            KnownCodes<Access>(kAccessCount, &AccessCode)};
  return v;
}

uint32_t CodeBit(const Vocabulary& vocabulary, const char* what, std::string_view code,
                 std::optional<size_t> row) {
  std::optional<uint32_t> bit = vocabulary.bit(code);
  if (!bit) {
    ThrowInvalid(std::string(what) + ": unknown code " + Quote(code) + RowSuffix(row) +
                 "; known codes: " + vocabulary.known);
  }
  return *bit;
}

uint32_t CheckMask(const Vocabulary& vocabulary, const char* what, long long mask,
                   std::optional<size_t> row) {
  if (mask < 0 || mask >= (1LL << vocabulary.count)) {
    ThrowInvalid(std::string(what) + ": bit mask " + std::to_string(mask) + " is outside 0.." +
                 std::to_string((1LL << vocabulary.count) - 1) + " (" +
                 std::to_string(vocabulary.count) + " " + vocabulary.column + ")" +
                 RowSuffix(row));
  }
  return static_cast<uint32_t>(mask);
}

// A str of ";"-separated codes, an int bit mask, or an iterable of str codes.
uint32_t ParseMask(const Vocabulary& vocabulary, const char* what, PyObject* value,
                   std::optional<size_t> row) {
  if (std::optional<std::string_view> text = Utf8(value)) {
    uint32_t mask = 0;
    for (std::string_view code : SplitCodes(*text)) mask |= CodeBit(vocabulary, what, code, row);
    return mask;
  }
  if (PyLong_Check(value) || PyIndex_Check(value)) {
    py::object index = py::reinterpret_steal<py::object>(PyNumber_Index(value));
    if (!index) throw py::error_already_set();
    int overflow = 0;
    const long long mask = PyLong_AsLongLongAndOverflow(index.ptr(), &overflow);
    if (mask == -1 && PyErr_Occurred()) throw py::error_already_set();
    if (overflow) {
      ThrowInvalid(std::string(what) + ": bit mask " + std::string(py::str(index)) +
                   " is far outside 0.." + std::to_string((1LL << vocabulary.count) - 1) +
                   RowSuffix(row));
    }
    return CheckMask(vocabulary, what, mask, row);
  }
  uint32_t mask = 0;
  py::iterable codes;
  try {
    codes = py::reinterpret_borrow<py::iterable>(value);
    for (py::handle item : codes) {
      std::optional<std::string_view> code = Utf8(item.ptr());
      if (!code) {
        ThrowInvalid(std::string(what) + ": codes must be str, not " +
                     std::string(py::str(py::type::handle_of(item).attr("__name__"))) +
                     RowSuffix(row));
      }
      mask |= CodeBit(vocabulary, what, Trim(*code), row);
    }
  } catch (const py::error_already_set& e) {
    if (!e.matches(PyExc_TypeError)) throw;
    ThrowInvalid(std::string(what) + ": expected a str of ';'-separated codes, a list of "
                 "codes or an int bit mask, not " +
                 std::string(py::str(py::type::handle_of(value).attr("__name__"))) +
                 RowSuffix(row));
  }
  return mask;
}

Language LanguageOf(const char* what, std::string_view code, std::optional<size_t> row) {
  std::optional<Language> language = Language::FromCode(code);
  if (!language) {
    ThrowInvalid(std::string(what) + ": unknown code " + Quote(code) + RowSuffix(row) +
                 "; languages are ISO 639-1 codes, two lowercase letters such as 'nl'");
  }
  return *language;
}

LanguageSet ParseLanguageSet(const char* what, PyObject* value, std::optional<size_t> row) {
  LanguageSet set;
  if (std::optional<std::string_view> text = Utf8(value)) {
    for (std::string_view code : SplitCodes(*text)) set.Add(LanguageOf(what, code, row));
    return set;
  }
  try {
    for (py::handle item : py::reinterpret_borrow<py::iterable>(value)) {
      std::optional<std::string_view> code = Utf8(item.ptr());
      if (!code) ThrowInvalid(std::string(what) + ": codes must be str" + RowSuffix(row));
      set.Add(LanguageOf(what, Trim(*code), row));
    }
  } catch (const py::error_already_set& e) {
    if (!e.matches(PyExc_TypeError)) throw;
    ThrowInvalid(std::string(what) + ": expected a str of ';'-separated codes or a list of "
                 "codes" + RowSuffix(row));
  }
  return set;
}

// --- Columns -----------------------------------------------------------------------

bool IsNumpyArray(py::handle h) { return py::isinstance<py::array>(h); }

// A value that stands for every row: None, str, int, float, set, frozenset, or a
// 0-d array. Anything else (list, tuple, 1-d array, Series) is one value per row.
bool IsOneForAll(py::handle h) {
  PyObject* o = h.ptr();
  if (o == Py_None || PyUnicode_Check(o) || PyLong_Check(o) || PyFloat_Check(o) ||
      PyAnySet_Check(o)) {
    return true;
  }
  if (IsNumpyArray(h)) return py::reinterpret_borrow<py::array>(h).ndim() == 0;
  // NumPy scalars (np.uint32(3), np.float64(1.0)) are not sequences.
  return !PySequence_Check(o);
}

// Per-row access to the items of a sequence without a Python call per row.
class Rows {
 public:
  Rows(py::handle column, size_t n, const char* what) {
    if (IsNumpyArray(column)) {
      py::array array = py::reinterpret_borrow<py::array>(column);
      if (array.ndim() != 1) {
        ThrowInvalid(std::string(what) + ": expected a 1-d column, got " +
                     std::to_string(array.ndim()) + " dimensions");
      }
      if (array.dtype().kind() == 'O' && (array.flags() & py::array::c_style)) {
        holder_ = array;
        items_ = static_cast<PyObject* const*>(array.data());
        size_ = static_cast<size_t>(array.shape(0));
      } else {
        holder_ = array.attr("tolist")();
      }
    } else {
      holder_ = py::reinterpret_borrow<py::object>(column);
    }
    if (items_ == nullptr) {
      PyObject* fast = PySequence_Fast(holder_.ptr(), "");
      if (fast == nullptr) {
        PyErr_Clear();
        ThrowInvalid(std::string(what) + ": expected one value per request (a sequence), not " +
                     std::string(py::str(py::type::handle_of(column).attr("__name__"))));
      }
      holder_ = py::reinterpret_steal<py::object>(fast);
      items_ = PySequence_Fast_ITEMS(fast);
      size_ = static_cast<size_t>(PySequence_Fast_GET_SIZE(fast));
    }
    if (size_ != n) {
      ThrowInvalid(std::string(what) + ": " + std::to_string(size_) + " values for " +
                   std::to_string(n) +
                   " requests (one per request; for one value for every request pass a "
                   "str or a set)");
    }
  }
  PyObject* operator[](size_t i) const { return items_[i]; }

 private:
  py::object holder_;  // keeps the items alive
  PyObject* const* items_ = nullptr;
  size_t size_ = 0;
};

// A code-set column: per-row values, or one value for all rows.
template <typename Set>
class SetColumn {
 public:
  using Parse = Set (*)(const char* what, PyObject* value, std::optional<size_t> row);

  SetColumn(py::handle column, size_t n, const char* what, Set fallback, Parse parse,
            bool integer_masks)
      : what_(what), fallback_(fallback), parse_(parse) {
    if (IsOneForAll(column)) {
      all_ = IsMissing(column.ptr()) ? fallback : parse(what, column.ptr(), std::nullopt);
      return;
    }
    if (integer_masks && IsNumpyArray(column)) {
      py::array array = py::reinterpret_borrow<py::array>(column);
      const char kind = array.dtype().kind();
      if (kind == 'i' || kind == 'u') {
        masks_ = py::array_t<int64_t, py::array::c_style | py::array::forcecast>(array);
        if (masks_->ndim() != 1 || static_cast<size_t>(masks_->shape(0)) != n) {
          ThrowInvalid(std::string(what) + ": expected " + std::to_string(n) +
                       " bit masks, one per request");
        }
        mask_data_ = masks_->data();
        return;
      }
    }
    rows_.emplace(column, n, what);
  }

  Set operator()(size_t row) {
    if (all_) return *all_;
    if constexpr (!std::is_same_v<Set, LanguageSet>) {
      if (mask_data_ != nullptr) {
        return Set::FromBits(CheckMask(Vocab(), what_, mask_data_[row], row));
      }
    }
    PyObject* value = (*rows_)[row];
    if (IsMissing(value)) return fallback_;
    // Most columns repeat a handful of strings: parse each distinct one once.
    if (std::optional<std::string_view> text = Utf8(value)) {
      std::string key(*text);
      auto it = cache_.find(key);
      if (it != cache_.end()) return it->second;
      Set set = text->find_first_not_of(" \t") == std::string_view::npos
                    ? fallback_  // an empty cell: the default, as in the CSV contract
                    : parse_(what_, value, row);
      cache_.emplace(std::move(key), set);
      return set;
    }
    return parse_(what_, value, row);
  }

 private:
  const Vocabulary& Vocab() const {
    if constexpr (std::is_same_v<Set, TopicSet>) return Topics();
    if constexpr (std::is_same_v<Set, ModeSet>) return Modes();
    return AccessFeatures();
  }

  const char* what_;
  Set fallback_;
  Parse parse_;
  std::optional<Set> all_;
  std::optional<py::array_t<int64_t, py::array::c_style | py::array::forcecast>> masks_;
  const int64_t* mask_data_ = nullptr;
  std::optional<Rows> rows_;
  absl::flat_hash_map<std::string, Set> cache_;
};

// The three EnumSet kinds share one parser over their Vocabulary.
template <typename Set>
Set ParseEnumSet(const char* what, PyObject* value, std::optional<size_t> row) {
  const Vocabulary* vocabulary;
  if constexpr (std::is_same_v<Set, TopicSet>) vocabulary = &Topics();
  if constexpr (std::is_same_v<Set, ModeSet>) vocabulary = &Modes();
  if constexpr (std::is_same_v<Set, AccessSet>) vocabulary = &AccessFeatures();
  return Set::FromBits(ParseMask(*vocabulary, what, value, row));
}

// A float column: per-row values, or one for all rows. NaN means "default".
class NumberColumn {
 public:
  NumberColumn(py::handle column, size_t n, const char* what, std::optional<double> fallback)
      : what_(what), fallback_(fallback) {
    if (column.is_none()) {
      if (!fallback) ThrowInvalid(std::string(what) + " is required");
      all_ = *fallback;
      return;
    }
    if (IsOneForAll(column)) {
      try {
        all_ = py::cast<double>(column);
      } catch (const py::cast_error&) {
        ThrowInvalid(std::string(what) + ": expected a number, not " +
                     std::string(py::str(py::type::handle_of(column).attr("__name__"))));
      }
      return;
    }
    try {
      values_ = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(column);
    } catch (const py::error_already_set&) {
    }
    if (!values_ || values_.ndim() != 1) {
      PyErr_Clear();
      ThrowInvalid(std::string(what) + ": expected one number per request");
    }
    if (static_cast<size_t>(values_.shape(0)) != n) {
      ThrowInvalid(std::string(what) + ": " + std::to_string(values_.shape(0)) +
                   " values for " + std::to_string(n) + " requests");
    }
    data_ = values_.data();
  }

  double operator()(size_t row) const {
    const double value = data_ ? data_[row] : *all_;
    if (fallback_ && std::isnan(value)) return *fallback_;
    return value;
  }

 private:
  const char* what_;
  std::optional<double> fallback_;
  std::optional<double> all_;
  py::array_t<double, py::array::c_style | py::array::forcecast> values_;
  const double* data_ = nullptr;
};

// A str column (ids, municipality codes): per-row, or one for all rows.
class TextColumn {
 public:
  TextColumn(py::handle column, size_t n, const char* what) : what_(what) {
    if (column.is_none()) return;
    if (PyUnicode_Check(column.ptr())) {
      all_ = std::string(*Utf8(column.ptr()));
      return;
    }
    rows_.emplace(column, n, what);
  }
  bool given() const { return all_ || rows_; }

  std::string operator()(size_t row) const {
    if (all_) return *all_;
    if (!rows_) return {};
    PyObject* value = (*rows_)[row];
    if (IsMissing(value)) return {};
    if (std::optional<std::string_view> text = Utf8(value)) return std::string(Trim(*text));
    if (PyLong_Check(value)) return std::string(py::str(value));
    ThrowInvalid(std::string(what_) + ": expected str, not " +
                 std::string(py::str(py::type::handle_of(value).attr("__name__"))) +
                 RowSuffix(row));
  }

 private:
  const char* what_;
  std::optional<std::string> all_;
  std::optional<Rows> rows_;
};

template <typename T>
py::array_t<T> NewArray(size_t n) {
  return py::array_t<T>(static_cast<py::ssize_t>(n));
}

}  // namespace

TopicSet ParseTopics(py::handle value, const char* what) {
  return ParseEnumSet<TopicSet>(what, value.ptr(), std::nullopt);
}
ModeSet ParseModes(py::handle value, const char* what) {
  return ParseEnumSet<ModeSet>(what, value.ptr(), std::nullopt);
}
AccessSet ParseAccess(py::handle value, const char* what) {
  return ParseEnumSet<AccessSet>(what, value.ptr(), std::nullopt);
}
LanguageSet ParseLanguages(py::handle value, const char* what) {
  return ParseLanguageSet(what, value.ptr(), std::nullopt);
}

RequestBatch RequestBatchFromColumns(size_t n, py::handle ids, py::handle lat, py::handle lon,
                                     py::handle topics, py::handle languages,
                                     py::handle modes, py::handle access,
                                     py::handle max_km, py::handle priority,
                                     py::handle municipality) {
  if (PyUnicode_Check(ids.ptr()) && n != 1) {
    ThrowInvalid("id: one id for " + std::to_string(n) + " requests; give one per request");
  }
  TextColumn id_column(ids, n, "id");
  NumberColumn lat_column(lat, n, "lat", std::nullopt);
  NumberColumn lon_column(lon, n, "lon", std::nullopt);
  SetColumn<TopicSet> topic_column(topics, n, "topics", TopicSet(), &ParseEnumSet<TopicSet>,
                                   true);
  SetColumn<LanguageSet> language_column(languages, n, "languages",
                                         Request::DefaultLanguages(), &ParseLanguageSet, false);
  SetColumn<ModeSet> mode_column(modes, n, "modes", kAllModes, &ParseEnumSet<ModeSet>, true);
  SetColumn<AccessSet> access_column(access, n, "access", AccessSet(),
                                     &ParseEnumSet<AccessSet>, true);
  NumberColumn max_km_column(max_km, n, "max_km", Request{}.max_km);
  NumberColumn priority_column(priority, n, "priority", 0.0);
  TextColumn municipality_column(municipality, n, "municipality");

  auto requests = std::make_shared<std::vector<Request>>();
  requests->reserve(n);
  const Request prototype;  // copying it skips re-parsing the default language
  for (size_t i = 0; i < n; ++i) {
    Request& r = requests->emplace_back(prototype);
    r.id = id_column.given() ? id_column(i) : std::to_string(i);
    r.position = {lat_column(i), lon_column(i)};
    r.topics = topic_column(i);
    r.languages = language_column(i);
    r.modes = mode_column(i);
    r.access = access_column(i);
    r.max_km = max_km_column(i);
    const double priority_value = priority_column(i);
    if (priority_value != std::floor(priority_value)) {
      ThrowInvalid("request '" + r.id + "': priority " + std::to_string(priority_value) +
                   " is not a whole number");
    }
    // Clamped only to stay a defined int conversion; Validate rejects anything outside 0..3.
    r.priority = static_cast<int>(std::clamp(priority_value, -1e9, 1e9));
    r.municipality = municipality_column(i);
    ThrowIfError(r.Validate());
  }
  return RequestBatch{std::move(requests)};
}

py::dict RequestBatchColumns(const RequestBatch& batch) {
  const std::vector<Request>& requests = *batch.requests;
  const size_t n = requests.size();
  py::list ids(n), languages(n), municipality(n);
  auto lat = NewArray<double>(n), lon = NewArray<double>(n), max_km = NewArray<double>(n);
  auto topics = NewArray<uint32_t>(n), modes = NewArray<uint32_t>(n),
       access = NewArray<uint32_t>(n);
  auto priority = NewArray<int8_t>(n);
  double *plat = lat.mutable_data(), *plon = lon.mutable_data(), *pmax = max_km.mutable_data();
  uint32_t *ptopics = topics.mutable_data(), *pmodes = modes.mutable_data(),
           *paccess = access.mutable_data();
  int8_t* ppriority = priority.mutable_data();
  // Language sets repeat; build each distinct str once.
  absl::flat_hash_map<std::string, py::str> language_text;
  for (size_t i = 0; i < n; ++i) {
    const Request& r = requests[i];
    ids[i] = py::str(r.id);
    plat[i] = r.position.lat_deg;
    plon[i] = r.position.lon_deg;
    ptopics[i] = r.topics.bits();
    pmodes[i] = r.modes.bits();
    paccess[i] = r.access.bits();
    pmax[i] = r.max_km;
    ppriority[i] = static_cast<int8_t>(r.priority);
    std::string text = r.languages.ToString(";");
    auto it = language_text.find(text);
    if (it == language_text.end()) it = language_text.emplace(text, py::str(text)).first;
    languages[i] = it->second;
    municipality[i] = py::str(r.municipality);
  }
  return Record({{"id", ids}, {"lat", lat}, {"lon", lon}, {"topics", topics},
                 {"languages", languages}, {"modes", modes}, {"access", access},
                 {"max_km", max_km}, {"priority", priority}, {"municipality", municipality}});
}

namespace {

RequestBatch BatchFromSerialized(py::handle data) {
  std::string bytes = AsBytes(data, "RequestBatch");
  v1::RequestBatch proto;
  if (bytes.size() > static_cast<size_t>(std::numeric_limits<int>::max()) ||
      !proto.ParseFromString(bytes)) {
    ThrowInvalid("not a wegwijzer.v1.RequestBatch (" + std::to_string(bytes.size()) +
                 " bytes could not be parsed)");
  }
  auto requests = std::make_shared<std::vector<Request>>();
  requests->reserve(proto.requests_size());
  for (const v1::Request& r : proto.requests()) {
    requests->push_back(ValueOrThrow(Request::FromProto(r)));
  }
  return RequestBatch{std::move(requests)};
}

py::bytes BatchToSerialized(const RequestBatch& batch) {
  v1::RequestBatch proto;
  for (const Request& r : *batch.requests) r.ToProto(proto.add_requests());
  return Bytes(proto.SerializeAsString());
}

}  // namespace

void BindRequestBatch(py::module_& m) {
  py::class_<RequestBatch>(m, "RequestBatch")
      .def_static("from_columns", &RequestBatchFromColumns, py::arg("n"), py::arg("id"),
                  py::arg("lat"), py::arg("lon"), py::arg("topics"), py::arg("languages"),
                  py::arg("modes"), py::arg("access"), py::arg("max_km"), py::arg("priority"),
                  py::arg("municipality"))
      .def_static("from_csv", [](const std::string& path, bool skip_bad_rows) {
        absl::StatusOr<RequestsCsv> csv;
        {
          py::gil_scoped_release release;
          csv = ReadRequestsCsv(path, {.skip_bad_rows = skip_bad_rows});
        }
        RequestsCsv read = ValueOrThrow(std::move(csv), Subject::kFile);
        auto requests = std::make_shared<const std::vector<Request>>(std::move(read.requests));
        return py::make_tuple(RequestBatch{std::move(requests)}, ReportTuple(read.report),
                              read.lines);
      }, py::arg("path"), py::arg("skip_bad_rows"))
      .def_static("from_serialized", &BatchFromSerialized, py::arg("data"))
      .def("to_serialized", &BatchToSerialized)
      .def("columns", &RequestBatchColumns)
      .def("ids", [](const RequestBatch& b) {
        py::list ids(b.size());
        for (size_t i = 0; i < b.size(); ++i) ids[i] = py::str((*b.requests)[i].id);
        return ids;
      })
      .def("requests_csv", [](const RequestBatch& b) { return FormatRequestsCsv(*b.requests); })
      .def("__len__", &RequestBatch::size)
      .def("select", [](const RequestBatch& b, py::array_t<int64_t, py::array::c_style | py::array::forcecast> rows) {
        auto requests = std::make_shared<std::vector<Request>>();
        requests->reserve(rows.size());
        for (py::ssize_t i = 0; i < rows.size(); ++i) {
          int64_t row = rows.data()[i];
          if (row < 0) row += static_cast<int64_t>(b.size());
          if (row < 0 || row >= static_cast<int64_t>(b.size())) {
            throw StatusError(absl::OutOfRangeError("request row " + std::to_string(rows.data()[i]) +
                                                    " is outside a batch of " + std::to_string(b.size())),
                              Subject::kValue);
          }
          requests->push_back((*b.requests)[row]);
        }
        return RequestBatch{std::move(requests)};
      }, py::arg("rows"));

}

}  // namespace wegwijzer::python
