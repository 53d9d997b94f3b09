// `wegwijzer referrals`: the referral lifecycle on a store file (referral_store.h).
// Thin: argument parsing and printing; routing, capacity, transitions, the next
// referral after a rejection and the report are the library's.
#include <algorithm>
#include <filesystem>
#include <initializer_list>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/time/time.h"
#include "cli.h"
#include "options.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/referral_store.h"
#include "wegwijzer/router.h"

namespace wegwijzer::cli {

extern const std::string_view kReferralsUsage;
const std::string_view kReferralsUsage = R"(wegwijzer referrals - the lifecycle of referrals, kept in a store

STORE is a SQLite file, or a PostgreSQL database shared by several desks given
as a URI: postgresql://user@host/db (or postgres://...; libpq's URI form).

Usage:
  wegwijzer referrals create --store STORE (--providers P.csv | --snapshot S)
                              --requests R.csv --request ID --desk DESK [--at TIME]
                              [--skip-bad-rows]
  wegwijzer referrals update --store STORE --referral ID --status STATUS
                              --actor desk|provider [--actor-id ID] [--reason CODE]
                              [--note TEXT] [--at TIME] [--providers P.csv | --snapshot S]
  wegwijzer referrals show   --store STORE --referral ID
  wegwijzer referrals list   --store STORE (--provider ID | --desk ID |
                              --overdue-days N) [--at TIME]
  wegwijzer referrals expire --store STORE --days N [--at TIME]
  wegwijzer referrals report --store STORE --out FILE|-

create  routes request ID of R.csv and refers it to the best provider that has
        room in the store (the directory's capacities are recorded first); the
        referral is `requested` and holds one slot of the provider's capacity.
update  moves a referral on. STATUS is a FHIR Task status: requested, accepted,
        rejected, in-progress, on-hold, completed, failed, cancelled,
        entered-in-error. A reason is required for rejected, cancelled, on-hold
        and failed: no-capacity, not-eligible, couldnt-contact,
        no-longer-interested, referred-elsewhere, needs-client-action, other.
        With --providers or --snapshot, a rejection for no-capacity or not-eligible refers the
        request on to the next suitable provider (the ones that rejected it left
        out) and prints the new referral.
show    a referral with its whole history.
list    open referrals of a provider or a desk, or requests unanswered for N days.
expire  cancels (reason expired) every request unanswered for N days (N >= 1).
report  outcomes per provider, topic, postcode area and month, as CSV; --out may
        not name the store.

Only create makes a store file; the other subcommands need an existing one.
Options take "--flag VALUE" or "--flag=VALUE"; each may be given once, and an
option a subcommand does not take is a usage error. show and list write CSV
(fields quoted where needed).
TIME is RFC 3339 (2026-12-01T09:30:00Z); default now.
Exit status: 0 success, 1 refused or bad input (the reason on stderr), 2 usage.
)";

namespace {

struct ReferralArgs {
  std::string sub, store, providers, snapshot, requests, request, desk, referral, status,
      actor, actor_id, reason, note, provider, out;
  std::optional<int64_t> overdue_days, days;
  std::optional<absl::Time> at;
  bool skip_bad_rows = false;
  bool help = false;
};

int UsageError(std::string_view message) {
  std::cerr << "wegwijzer referrals: " << message
            << "\nRun 'wegwijzer referrals --help' for usage.\n";
  return kExitUsage;
}

int Refused(const absl::Status& status) {
  std::cerr << "wegwijzer referrals: " << status.message() << "\n";
  return kExitBadInput;
}

// The options each subcommand takes; any other is a usage error, not ignored.
const std::map<std::string_view, OptionSpec>& SubcommandOptions() {
  static const auto* const kOptions = new std::map<std::string_view, OptionSpec>{
      {"create",
       {{"--store", "--providers", "--snapshot", "--requests", "--request", "--desk", "--at"},
        {"--skip-bad-rows"}}},
      {"update",
       {{"--store", "--referral", "--status", "--actor", "--actor-id", "--reason", "--note",
         "--at", "--providers", "--snapshot"},
        {}}},
      {"show", {{"--store", "--referral"}, {}}},
      {"list", {{"--store", "--provider", "--desk", "--overdue-days", "--at"}, {}}},
      {"expire", {{"--store", "--days", "--at"}, {}}},
      {"report", {{"--store", "--out"}, {}}},
  };
  return *kOptions;
}

// The longest look-back in days: a century.
constexpr int64_t kMaxDays = 36500;

std::optional<int> Parse(int argc, char** argv, ReferralArgs* args) {
  if (argc < 3) return UsageError("a subcommand is required");
  args->sub = argv[2];
  if (args->sub == "--help" || args->sub == "-h" || args->sub == "help") {
    args->help = true;
    return std::nullopt;
  }
  const auto spec = SubcommandOptions().find(args->sub);
  if (spec == SubcommandOptions().end()) {
    return UsageError("unknown subcommand '" + args->sub + "'");
  }
  const std::vector<std::string_view> words(argv + 3, argv + argc);
  ParsedOptions parsed;
  if (std::optional<std::string> error = ParseOptions(words, spec->second, &parsed)) {
    return UsageError(args->sub + ": " + *error);
  }
  if (parsed.help) {
    args->help = true;
    return std::nullopt;
  }
  if (!parsed.positional.empty()) {
    return UsageError(args->sub + " takes no word '" + parsed.positional[0] + "'");
  }
  for (auto [flag, field] : std::initializer_list<std::pair<std::string_view, std::string*>>{
           {"--store", &args->store},       {"--providers", &args->providers},
           {"--snapshot", &args->snapshot}, {"--requests", &args->requests},
           {"--request", &args->request},   {"--desk", &args->desk},
           {"--referral", &args->referral}, {"--status", &args->status},
           {"--actor", &args->actor},       {"--actor-id", &args->actor_id},
           {"--reason", &args->reason},     {"--note", &args->note},
           {"--provider", &args->provider}, {"--out", &args->out}}) {
    *field = parsed.Value(flag);
  }
  args->skip_bad_rows = parsed.Has("--skip-bad-rows");
  // --days: expiry after at least one day (0 would mean "never", which is no expiry);
  // --overdue-days 0: everything unanswered.
  for (auto [flag, least, field] :
       {std::tuple<std::string_view, int64_t, std::optional<int64_t>*>{"--days", 1, &args->days},
        {"--overdue-days", 0, &args->overdue_days}}) {
    if (std::optional<std::string> text = parsed.Get(flag)) {
      *field = ParseWholeNumber(*text, least, kMaxDays);
      if (!*field) return UsageError(WholeNumberError(flag, *text, least, kMaxDays));
    }
  }
  if (std::optional<std::string> text = parsed.Get("--at")) {
    absl::Time t;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, *text, &t, &error)) {
      return UsageError("--at needs an RFC 3339 time (2026-12-01T09:30:00Z), not '" + *text +
                        "'");
    }
    args->at = t;
  }
  if (args->store.empty()) return UsageError(args->sub + " needs --store");
  return std::nullopt;
}

std::string Rfc3339(absl::Time t) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t, absl::UTCTimeZone());
}

std::string Reason(const ReferralReason& reason) {
  if (reason.code == ReasonCode::kNone) return "";
  std::string out(ReasonCodeName(reason.code));
  if (!reason.text.empty()) out += ": " + reason.text;
  return out;
}

void PrintReferral(const ReferralRecord& r) {
  std::cout << "referral " << r.referral.id << ": request " << r.referral.request_id << " -> "
            << r.referral.provider_id;
  if (!r.referral.location_id.empty() && r.referral.location_id != r.referral.provider_id)
    std::cout << "/" << r.referral.location_id;
  std::cout << " (" << ModeCode(r.referral.mode) << "), desk " << r.referral.desk_id << ", "
            << ReferralStatusCode(r.status) << "\n";
}

// The usage errors of each subcommand, found before the store is opened (so a
// mistyped command creates no store file).
std::optional<int> CheckArguments(const ReferralArgs& args) {
  const bool directory = !args.providers.empty() || !args.snapshot.empty();
  if (!args.providers.empty() && !args.snapshot.empty()) {
    return UsageError(args.sub + " takes --providers or --snapshot, not both");
  }
  if (args.sub == "create" && (!directory || args.requests.empty() || args.request.empty() ||
                               args.desk.empty())) {
    return UsageError("create needs --providers or --snapshot, --requests, --request and --desk");
  }
  if (args.sub == "update" && (args.referral.empty() || args.status.empty() || args.actor.empty())) {
    return UsageError("update needs --referral, --status and --actor");
  }
  if (args.sub == "show" && args.referral.empty()) return UsageError("show needs --referral");
  if (args.sub == "list" &&
      !args.provider.empty() + !args.desk.empty() + args.overdue_days.has_value() != 1) {
    return UsageError("list needs one of --provider, --desk, --overdue-days");
  }
  if (args.sub == "expire" && !args.days) return UsageError("expire needs --days");
  if (args.sub == "report") {
    if (args.out.empty()) return UsageError("report needs --out");
    if (IsSameFile(args.out, args.store) || IsSameFile(args.out, args.store + "-wal") ||
        IsSameFile(args.out, args.store + "-shm")) {
      return UsageError("--out " + args.out + " would overwrite the store " + args.store);
    }
  }
  return std::nullopt;
}

int Create(const ReferralArgs& args, ReferralStore& store) {
  const bool snapshot = !args.snapshot.empty();
  std::optional<Inputs> inputs =
      ReadInputs(snapshot ? args.snapshot : args.providers, args.requests,
                 {.skip_bad_rows = args.skip_bad_rows}, snapshot);
  if (!inputs) return kExitBadInput;
  const Request* request = nullptr;
  for (const Request& r : inputs->requests.requests)
    if (r.id == args.request) request = &r;
  if (request == nullptr)
    return Refused(absl::NotFoundError("no request " + args.request + " in " + args.requests));
  if (absl::Status s = store.SetCapacities(*inputs->providers.directory); !s.ok())
    return Refused(s);
  Router router(inputs->providers.directory);
  absl::StatusOr<ReferralRecord> made = ReferRequest(store, router, *request, args.desk, {},
                                                     args.at);
  if (!made.ok()) return Refused(made.status());
  PrintReferral(*made);
  return kExitOk;
}

int Update(const ReferralArgs& args, ReferralStore& store) {
  const std::optional<ReferralStatus> to = ParseReferralStatus(args.status);
  if (!to) return UsageError("unknown status '" + args.status + "'");
  const std::optional<ReferralActor> actor = ParseReferralActor(args.actor);
  if (!actor || *actor == ReferralActor::kSystem)
    return UsageError("--actor is desk or provider, not '" + args.actor + "'");
  ReferralReason reason{ReasonCode::kNone, args.note};
  if (!args.reason.empty()) {
    const std::optional<ReasonCode> code = ParseReasonCode(args.reason);
    if (!code) return UsageError("unknown reason '" + args.reason + "'");
    reason.code = *code;
  }
  // The directory first, so a bad file changes nothing in the store.
  std::shared_ptr<const Directory> directory;
  if (!args.providers.empty() || !args.snapshot.empty()) {
    absl::StatusOr<ProvidersCsv> providers = args.snapshot.empty()
                                                 ? ReadProvidersCsv(args.providers)
                                                 : ReadSnapshot(args.snapshot);
    if (!providers.ok()) return Refused(providers.status());
    directory = providers->directory;
  }
  absl::StatusOr<ReferralEvent> event = store.Apply({.referral_id = args.referral,
                                                     .to = *to,
                                                     .actor = *actor,
                                                     .actor_id = args.actor_id,
                                                     .reason = reason,
                                                     .at = args.at});
  if (!event.ok()) return Refused(event.status());
  std::cout << "referral " << event->referral_id << ": "
            << ReferralStatusCode(event->from.value_or(ReferralStatus::kDraft)) << " -> "
            << ReferralStatusCode(event->to);
  if (const std::string why = Reason(event->reason); !why.empty()) std::cout << " (" << why << ")";
  std::cout << "\n";
  const bool again = event->to == ReferralStatus::kRejected &&
                     (reason.code == ReasonCode::kNoCapacity ||
                      reason.code == ReasonCode::kNotEligible);
  if (!again || directory == nullptr) return kExitOk;
  // The rejection is committed: whatever stops the next referral now is reported as
  // an answer (exit 0), never as a refusal of the update that did happen.
  if (absl::Status s = store.SetCapacities(*directory); !s.ok()) {
    std::cout << "no next referral: " << s.message() << "\n";
    return kExitOk;
  }
  Router router(directory);
  absl::StatusOr<ReferralRecord> next = ReferNext(store, router, event->referral_id, args.at);
  if (!next.ok()) {
    // The rejection stands; that nothing else suits is an answer, not a failure.
    std::cout << "no next referral: " << next.status().message() << "\n";
    return kExitOk;
  }
  std::cout << "next ";
  PrintReferral(*next);
  return kExitOk;
}

int Show(const ReferralArgs& args, ReferralStore& store) {
  absl::StatusOr<ReferralRecord> r = store.Get(args.referral);
  if (!r.ok()) return Refused(r.status());
  PrintReferral(*r);
  if (!r->referral.previous_id.empty())
    std::cout << "follows referral " << r->referral.previous_id << "\n";
  std::cout << "topics " << ToString(r->referral.topics)
            << (r->referral.postcode_area.empty() ? "" : ", area " + r->referral.postcode_area)
            << "\n";
  std::cout << "sequence,at,actor,actor_id,from,to,reason,note\n";
  for (const ReferralEvent& e : r->history) {
    std::cout << e.sequence << "," << Rfc3339(e.at) << "," << ReferralActorCode(e.actor)
              << "," << CsvField(e.actor_id) << ","
              << (e.from ? ReferralStatusCode(*e.from) : std::string_view()) << ","
              << ReferralStatusCode(e.to) << "," << ReasonCodeName(e.reason.code) << ","
              << CsvField(e.reason.text) << "\n";
  }
  return kExitOk;
}

int List(const ReferralArgs& args, ReferralStore& store) {
  absl::StatusOr<std::vector<ReferralRecord>> list =
      !args.provider.empty() ? store.OpenOfProvider(args.provider)
      : !args.desk.empty()   ? store.OpenOfDesk(args.desk)
                             : store.Overdue(args.at.value_or(absl::Now()),
                                             absl::Hours(24) * *args.overdue_days);
  if (!list.ok()) return Refused(list.status());
  std::cout << "referral_id,request_id,provider_id,desk_id,status,updated\n";
  for (const ReferralRecord& r : *list) {
    std::cout << CsvField(r.referral.id) << "," << CsvField(r.referral.request_id) << ","
              << CsvField(r.referral.provider_id) << "," << CsvField(r.referral.desk_id) << ","
              << ReferralStatusCode(r.status) << "," << Rfc3339(r.updated) << "\n";
  }
  return kExitOk;
}

}  // namespace

int ReferralsMain(int argc, char** argv) {
  ReferralArgs args;
  if (std::optional<int> error = Parse(argc, argv, &args)) return *error;
  if (args.help) {
    std::cout << kReferralsUsage;
    return kExitOk;
  }
  if (std::optional<int> error = CheckArguments(args)) return *error;
  // Only create makes a store; every other subcommand reads or moves on referrals
  // that must already be somewhere.
  // A PostgreSQL database is made by its administrator; opening makes the schema.
  if (args.sub != "create" && !IsPostgresLocation(args.store)) {
    std::error_code ec;
    if (!std::filesystem::exists(args.store, ec)) {
      return Refused(absl::NotFoundError("no store " + args.store +
                                         " (referrals create makes one)"));
    }
  }
  ReferralStoreOptions options;
  if (args.days) options.expire_after = absl::Hours(24) * *args.days;
  absl::StatusOr<std::unique_ptr<ReferralStore>> store = OpenReferralStore(args.store, options);
  if (!store.ok()) return Refused(store.status());
  if (args.sub == "create") return Create(args, **store);
  if (args.sub == "update") return Update(args, **store);
  if (args.sub == "show") return Show(args, **store);
  if (args.sub == "list") return List(args, **store);
  if (args.sub == "expire") {
    absl::StatusOr<int64_t> n = (*store)->ExpireOverdue(args.at.value_or(absl::Now()));
    if (!n.ok()) return Refused(n.status());
    std::cout << "expired " << *n << " referrals\n";
    return kExitOk;
  }
  absl::StatusOr<std::vector<OutcomeRow>> rows = (*store)->Outcomes();
  if (!rows.ok()) return Refused(rows.status());
  if (absl::Status s = WriteFileAtomically(args.out, OutcomesCsv(*rows)); !s.ok())
    return Refused(s);
  return kExitOk;
}

}  // namespace wegwijzer::cli
