// The Python class wegwijzer._core.ReferralStore: a library ReferralStore (the SQLite
// backend). Thread-safe, as the library's store; the GIL is released around every
// store call, so Python threads (and other processes) can use stores at once.
// Times cross as whole milliseconds since the Unix epoch (UTC); the Python layer
// (wegwijzer/_referrals.py) turns them into datetimes.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <pybind11/stl.h>

#include "convert.h"
#include "directory.h"
#include "module.h"
#include "request_batch.h"
#include "status.h"
#include "wegwijzer/referral_store.h"

namespace py = pybind11;

namespace wegwijzer::python {
namespace {

std::optional<absl::Time> At(std::optional<int64_t> ms) {
  if (!ms) return std::nullopt;
  return absl::FromUnixMillis(*ms);
}

py::dict EventDict(const ReferralEvent& e) {
  std::optional<std::string_view> from;
  if (e.from) from = ReferralStatusCode(*e.from);
  return Record({{"sequence", e.sequence}, {"referral_id", e.referral_id},
                 {"at_ms", absl::ToUnixMillis(e.at)}, {"actor", ReferralActorCode(e.actor)},
                 {"actor_id", e.actor_id}, {"from_status", from},
                 {"to_status", ReferralStatusCode(e.to)},
                 {"reason", ReasonCodeName(e.reason.code)}, {"note", e.reason.text}});
}

py::dict RecordDict(const ReferralRecord& r) {
  const NewReferral& n = r.referral;
  py::list history;
  for (const ReferralEvent& e : r.history) history.append(EventDict(e));
  return Record({{"referral_id", n.id}, {"request_id", n.request_id},
                 {"provider_id", n.provider_id}, {"location_id", n.location_id},
                 {"desk_id", n.desk_id}, {"topics", ToString(n.topics)},
                 {"postcode_area", n.postcode_area}, {"municipality", n.municipality},
                 {"mode", ModeCode(n.mode)}, {"previous_id", n.previous_id},
                 {"created_ms", n.at ? absl::ToUnixMillis(*n.at) : 0},
                 {"status", ReferralStatusCode(r.status)},
                 {"updated_ms", absl::ToUnixMillis(r.updated)},
                 {"reason", ReasonCodeName(r.last_reason.code)}, {"note", r.last_reason.text},
                 {"history", history}});
}

py::list RecordList(const std::vector<ReferralRecord>& records) {
  py::list out;
  for (const ReferralRecord& r : records) out.append(RecordDict(r));
  return out;
}

template <typename T>
T Released(const std::function<absl::StatusOr<T>()>& call) {
  absl::StatusOr<T> value;
  {
    py::gil_scoped_release release;
    value = call();
  }
  return ValueOrThrow(std::move(value));
}

void ReleasedStatus(const std::function<absl::Status()>& call) {
  absl::Status status;
  {
    py::gil_scoped_release release;
    status = call();
  }
  ThrowIfError(status);
}

ReferralStatus StatusArg(const std::string& code) {
  const std::optional<ReferralStatus> s = ParseReferralStatus(code);
  if (!s) ThrowInvalid("unknown referral status '" + code + "'");
  return *s;
}

}  // namespace

void BindReferralStore(py::module_& m) {
  py::class_<ReferralStore>(m, "ReferralStore")
      .def(py::init([](const std::string& path, double expire_after_days, bool durable) {
             ReferralStoreOptions options;
             options.expire_after = absl::Seconds(expire_after_days * 86400.0);
             options.durable = durable;
             absl::StatusOr<std::unique_ptr<ReferralStore>> store;
             {
               py::gil_scoped_release release;
               store = OpenReferralStore(path, options);  // a file, or postgresql://
             }
             return ValueOrThrow(std::move(store), Subject::kFile);
           }),
           py::arg("path"), py::arg("expire_after_days") = 0.0, py::arg("durable") = true)
      .def("set_capacity",
           [](ReferralStore& s, const std::string& provider, std::optional<int64_t> capacity,
              const std::string& period) {
             const std::optional<CapacityPeriod> model = CapacityPeriodFromCode(period);
             if (!model)
               ThrowInvalid("unknown capacity period '" + period +
                            "' (referral, day, week or month)");
             ReleasedStatus([&] { return s.SetCapacity(provider, capacity, *model); });
           },
           py::arg("provider_id"), py::arg("capacity"), py::arg("period") = "referral")
      .def("set_capacities",
           [](ReferralStore& s, const Directory& d) {
             ReleasedStatus([&] { return s.SetCapacities(*d.directory); });
           },
           py::arg("directory"))
      .def("refer",
           [](ReferralStore& s, const Directory& d, const RequestBatch& batch,
              const std::string& desk, std::optional<int64_t> at_ms) {
             if (batch.size() != 1) ThrowInvalid("refer takes exactly one request");
             const Request& request = (*batch.requests)[0];
             return RecordDict(Released<ReferralRecord>(
                 [&] { return ReferRequest(s, d.router, request, desk, {}, At(at_ms)); }));
           },
           py::arg("directory"), py::arg("request"), py::arg("desk_id"), py::arg("at_ms"))
      .def("refer_next",
           [](ReferralStore& s, const Directory& d, const std::string& id,
              std::optional<int64_t> at_ms) {
             return RecordDict(
                 Released<ReferralRecord>([&] { return ReferNext(s, d.router, id, At(at_ms)); }));
           },
           py::arg("directory"), py::arg("referral_id"), py::arg("at_ms"))
      .def("update",
           [](ReferralStore& s, const std::string& id, const std::string& status,
              const std::string& actor, const std::string& reason, const std::string& note,
              const std::string& actor_id, std::optional<int64_t> at_ms) {
             const std::optional<ReferralActor> a = ParseReferralActor(actor);
             if (!a || *a == ReferralActor::kSystem)
               ThrowInvalid("actor is 'desk' or 'provider', not '" + actor + "'");
             const std::optional<ReasonCode> code = ParseReasonCode(reason);
             if (!code) ThrowInvalid("unknown reason '" + reason + "'");
             ReferralTransition t{.referral_id = id,
                                  .to = StatusArg(status),
                                  .actor = *a,
                                  .actor_id = actor_id,
                                  .reason = {*code, note},
                                  .at = At(at_ms)};
             return EventDict(Released<ReferralEvent>([&] { return s.Apply(t); }));
           },
           py::arg("referral_id"), py::arg("status"), py::arg("actor"), py::arg("reason"),
           py::arg("note"), py::arg("actor_id"), py::arg("at_ms"))
      .def("get",
           [](ReferralStore& s, const std::string& id) {
             return RecordDict(Released<ReferralRecord>([&] { return s.Get(id); }));
           },
           py::arg("referral_id"))
      .def("open_of_provider",
           [](ReferralStore& s, const std::string& id) {
             return RecordList(
                 Released<std::vector<ReferralRecord>>([&] { return s.OpenOfProvider(id); }));
           },
           py::arg("provider_id"))
      .def("open_of_desk",
           [](ReferralStore& s, const std::string& id) {
             return RecordList(
                 Released<std::vector<ReferralRecord>>([&] { return s.OpenOfDesk(id); }));
           },
           py::arg("desk_id"))
      .def("overdue",
           [](ReferralStore& s, int64_t now_ms, double days) {
             return RecordList(Released<std::vector<ReferralRecord>>([&] {
               return s.Overdue(absl::FromUnixMillis(now_ms), absl::Seconds(days * 86400.0));
             }));
           },
           py::arg("now_ms"), py::arg("days"))
      .def("expire_overdue",
           [](ReferralStore& s, int64_t now_ms) {
             return Released<int64_t>(
                 [&] { return s.ExpireOverdue(absl::FromUnixMillis(now_ms)); });
           },
           py::arg("now_ms"))
      .def("active_count",
           [](ReferralStore& s, const std::string& id) {
             return Released<int64_t>([&] { return s.ActiveCount(id); });
           },
           py::arg("provider_id"))
      .def("events",
           [](ReferralStore& s, int64_t after, int64_t limit) {
             py::list out;
             for (const ReferralEvent& e :
                  Released<std::vector<ReferralEvent>>([&] { return s.Events(after, limit); }))
               out.append(EventDict(e));
             return out;
           },
           py::arg("after"), py::arg("limit"))
      .def("outcomes",
           [](ReferralStore& s) {
             py::list out;
             for (const OutcomeRow& r :
                  Released<std::vector<OutcomeRow>>([&] { return s.Outcomes(); })) {
               out.append(Record(
                   {{"provider_id", r.provider_id}, {"topic", r.topic},
                    {"postcode_area", r.postcode_area}, {"month", r.month},
                    {"referrals", r.referrals}, {"open", r.open}, {"completed", r.completed},
                    {"failed", r.failed}, {"rejected", r.rejected},
                    {"rejected_no_capacity", r.rejected_no_capacity},
                    {"rejected_not_eligible", r.rejected_not_eligible},
                    {"rejected_other", r.rejected_other}, {"cancelled", r.cancelled},
                    {"expired", r.expired}, {"entered_in_error", r.entered_in_error},
                    {"mean_days_to_answer", r.mean_days_to_answer},
                    {"mean_days_to_start", r.mean_days_to_start},
                    {"mean_days_to_complete", r.mean_days_to_complete}}));
             }
             return out;
           })
      .def("outcomes_csv",
           [](ReferralStore& s) {
             return OutcomesCsv(Released<std::vector<OutcomeRow>>([&] { return s.Outcomes(); }));
           })
      .def("verify", [](ReferralStore& s) { ReleasedStatus([&] { return s.Verify(); }); });
}

}  // namespace wegwijzer::python
