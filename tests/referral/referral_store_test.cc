// The referral store, on SQLite and on PostgreSQL: the lifecycle through the
// store, capacity, expiry, rejection to the next referral, queries, the outcomes
// report, batches, the schema, bad input, and a property test that the folded log
// is the kept state.
#include "wegwijzer/referral_store.h"

#include <sqlite3.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "referral/lifecycle_table.h"
#include "referral/store_backends.h"
#include "wegwijzer/interchange.h"
#include "wegwijzer/router.h"
#include "wegwijzer/v1/referral.pb.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;
using testing_lifecycle::Allowed;
using testing_lifecycle::NeedsReason;
using testing_backends::Backend;
using testing_backends::StoreLocation;

const absl::Time kT0 = absl::FromUnixSeconds(1764576000);  // 2025-12-01 08:00 UTC

// The suite runs on every backend (store_backends.h): a fresh SQLite file or a
// fresh PostgreSQL database per test and process (ctest runs -j2).
class ReferralStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override { location_.SetUp(GetParam(), "store"); }
  void TearDown() override { location_.TearDown(); }

  std::unique_ptr<ReferralStore> Open(const ReferralStoreOptions& options = {.durable = false}) {
    auto store = location_.Open(options);
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? *std::move(store) : nullptr;
  }
  std::string Path(const std::string& name) const { return location_.Path(name); }
  bool sqlite() const { return GetParam() == Backend::kSqlite; }

  StoreLocation location_;
};

NewReferral Make(std::string id, std::string provider = "p1", std::string desk = "desk-1") {
  NewReferral n;
  n.id = std::move(id);
  n.request_id = "q-" + n.id;
  n.provider_id = std::move(provider);
  n.desk_id = std::move(desk);
  n.topics.Add(Topic::kBenefits);
  n.postcode_area = "8011";
  n.at = kT0;
  return n;
}

ReferralTransition Move(const std::string& id, ReferralStatus to, ReferralActor actor,
                        ReasonCode reason = ReasonCode::kNone, absl::Duration after = {}) {
  return {.referral_id = id,
          .to = to,
          .actor = actor,
          .actor_id = "",
          .reason = {reason, reason == ReasonCode::kNone ? "" : "because"},
          .at = kT0 + after};
}

// The checks every backend makes besides the lifecycle's: events in time order, and
// each party acting for itself (a provider only on referrals addressed to it, a desk
// only on its own), refused with nothing written.
void CheckOrderAndParties(ReferralStore& store, const std::string& id) {
  const int64_t before = store.Events(0, 1000)->size();
  absl::StatusOr<ReferralEvent> back =
      store.Apply(Move(id, ReferralStatus::kAccepted, ReferralActor::kReceivingProvider,
                       ReasonCode::kNone, -absl::Hours(1)));
  EXPECT_EQ(back.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(back.status().message()),
              ::testing::HasSubstr("is before the referral's last event"));
  ReferralTransition other = Move(id, ReferralStatus::kAccepted, ReferralActor::kReceivingProvider);
  other.actor_id = "someone-else";
  EXPECT_EQ(store.Apply(other).status().code(), absl::StatusCode::kPermissionDenied);
  ReferralTransition other_desk = Move(id, ReferralStatus::kCancelled,
                                       ReferralActor::kReferringDesk, ReasonCode::kOther);
  other_desk.actor_id = "desk-9";
  absl::StatusOr<ReferralEvent> refused = store.Apply(other_desk);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kPermissionDenied);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("desk desk-9 may act only on its own referrals"));
  EXPECT_EQ(static_cast<int64_t>(store.Events(0, 1000)->size()), before);
  // The right party, at a later time, is taken; its id is recorded.
  ReferralTransition own = Move(id, ReferralStatus::kAccepted, ReferralActor::kReceivingProvider,
                                ReasonCode::kNone, absl::Minutes(5));
  absl::StatusOr<ReferralRecord> record = store.Get(id);
  ASSERT_TRUE(record.ok());
  own.actor_id = record->referral.provider_id;
  absl::StatusOr<ReferralEvent> taken = store.Apply(own);
  ASSERT_TRUE(taken.ok()) << taken.status();
  EXPECT_EQ(taken->actor_id, record->referral.provider_id);
}

// "s12": snprintf, as GCC 12 warns falsely (-Wrestrict) on "s" + std::to_string().
std::string Named(const char* prefix, uint64_t n) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%s%llu", prefix, static_cast<unsigned long long>(n));
  return buffer;
}

constexpr auto kDesk = ReferralActor::kReferringDesk;
constexpr auto kProvider = ReferralActor::kReceivingProvider;
constexpr auto kSystem = ReferralActor::kSystem;

TEST_P(ReferralStoreTest, ReferAcceptStartCompleteWithHistoryAndSlot) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 1).ok());
  auto made = store->Create(Make("a"));
  ASSERT_TRUE(made.ok()) << made.status();
  EXPECT_EQ(made->status, ReferralStatus::kRequested);
  EXPECT_EQ(*store->ActiveCount("p1"), 1);
  EXPECT_EQ(store->Create(Make("b")).status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kAccepted, kProvider)).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kInProgress, kProvider)).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kOnHold, kProvider,
                                ReasonCode::kNeedsClientAction)).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kInProgress, kProvider)).ok());
  auto done = store->Apply(Move("a", ReferralStatus::kCompleted, kProvider));
  ASSERT_TRUE(done.ok()) << done.status();
  EXPECT_EQ(done->actor_id, "p1");  // defaults to the referral's provider
  EXPECT_EQ(*store->ActiveCount("p1"), 0);
  auto got = store->Get("a");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->status, ReferralStatus::kCompleted);
  ASSERT_EQ(got->history.size(), 6u);
  EXPECT_FALSE(got->history[0].from.has_value());
  EXPECT_EQ(got->history[3].reason.code, ReasonCode::kNeedsClientAction);
  EXPECT_EQ(got->last_reason.code, ReasonCode::kNeedsClientAction);
  EXPECT_EQ(got->referral.topics, TopicSet{Topic::kBenefits});
  EXPECT_EQ(got->referral.postcode_area, "8011");
  EXPECT_TRUE(store->Create(Make("b")).ok());  // the slot came back
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();
}

// Drives a fresh referral to `state` along a shortest allowed path.
absl::Status DriveTo(ReferralStore& store, const std::string& id, ReferralStatus state) {
  using S = ReferralStatus;
  NewReferral n = Make(id);
  n.initial = state == S::kDraft ? S::kDraft : S::kRequested;
  if (auto made = store.Create(n); !made.ok()) return made.status();
  std::vector<ReferralTransition> path;
  switch (state) {
    case S::kDraft:
    case S::kRequested: break;
    case S::kAccepted: path = {Move(id, S::kAccepted, kProvider)}; break;
    case S::kRejected:
      path = {Move(id, S::kRejected, kProvider, ReasonCode::kNotEligible)};
      break;
    case S::kInProgress:
      path = {Move(id, S::kAccepted, kProvider), Move(id, S::kInProgress, kProvider)};
      break;
    case S::kOnHold:
    case S::kCompleted:
    case S::kFailed:
      path = {Move(id, S::kAccepted, kProvider), Move(id, S::kInProgress, kProvider)};
      path.push_back(state == S::kOnHold      ? Move(id, S::kOnHold, kProvider, ReasonCode::kOther)
                     : state == S::kCompleted ? Move(id, S::kCompleted, kProvider)
                                              : Move(id, S::kFailed, kProvider,
                                                     ReasonCode::kCouldntContact));
      break;
    case S::kCancelled:
      path = {Move(id, S::kCancelled, kDesk, ReasonCode::kNoLongerInterested)};
      break;
    case S::kEnteredInError: path = {Move(id, S::kEnteredInError, kDesk)}; break;
  }
  for (const auto& t : path)
    if (auto e = store.Apply(t); !e.ok()) return e.status();
  return absl::OkStatus();
}

// Every (from, to, actor) through the store, against the independent table: an
// allowed one is applied, with the slot accounted; a refused one leaves no trace.
TEST_P(ReferralStoreTest, EventsAreInTimeOrderAndEachPartyActsForItself) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 1).ok());
  ASSERT_TRUE(store->Create(Make("a")).ok());
  CheckOrderAndParties(*store, "a");
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();
}

TEST_P(ReferralStoreTest, EveryAllowedAndEveryRefusedTransition) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", std::nullopt).ok());
  int n = 0, applied = 0, refused = 0;
  for (int f = 0; f < kReferralStatusCount; ++f) {
    for (int t = 0; t < kReferralStatusCount; ++t) {
      for (int a = 0; a < kReferralActorCount; ++a) {
        const auto from = static_cast<ReferralStatus>(f);
        const auto to = static_cast<ReferralStatus>(t);
        const auto actor = static_cast<ReferralActor>(a);
        const std::string fc(ReferralStatusCode(from)), tc(ReferralStatusCode(to)),
            ac(ReferralActorCode(actor));
        const std::string id = "x" + std::to_string(n++);
        ASSERT_TRUE(DriveTo(*store, id, from).ok()) << fc;
        const int64_t active_before = *store->ActiveCount("p1");
        const auto before = store->Get(id);
        const ReasonCode reason = actor == kSystem     ? ReasonCode::kExpired
                                  : NeedsReason(tc) ? ReasonCode::kReferredElsewhere
                                                    : ReasonCode::kNone;
        auto e = store->Apply(Move(id, to, actor, reason, absl::Hours(1)));
        const bool expected = Allowed().contains({fc, tc, ac});
        SCOPED_TRACE(fc + " -> " + tc + " by " + ac);
        ASSERT_EQ(e.ok(), expected) << e.status();
        const auto after = store->Get(id);
        if (expected) {
          ++applied;
          EXPECT_EQ(after->status, to);
          EXPECT_EQ(after->history.size(), before->history.size() + 1);
          const int64_t delta = (tc == "requested" || tc == "accepted" || tc == "in-progress" ||
                                 tc == "on-hold") -
                                (fc == "requested" || fc == "accepted" || fc == "in-progress" ||
                                 fc == "on-hold");
          EXPECT_EQ(*store->ActiveCount("p1"), active_before + delta);
        } else {
          ++refused;
          EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
          const std::string message(e.status().message());
          EXPECT_NE(message.find("referral " + id), std::string::npos) << message;
          EXPECT_NE(message.find(fc + " -> " + tc + " by " + ac), std::string::npos) << message;
          EXPECT_EQ(after->history.size(), before->history.size());
          EXPECT_EQ(after->status, from);
          EXPECT_EQ(*store->ActiveCount("p1"), active_before);
        }
      }
    }
  }
  EXPECT_EQ(applied, static_cast<int>(Allowed().size()));
  EXPECT_EQ(applied + refused, 300);
  // A missing reason is refused too, and so is an unknown referral.
  ASSERT_TRUE(DriveTo(*store, "r-no-reason", ReferralStatus::kRequested).ok());
  EXPECT_EQ(store->Apply(Move("r-no-reason", ReferralStatus::kRejected, kProvider)).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(store->Apply(Move("nope", ReferralStatus::kAccepted, kProvider)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();
}

TEST_P(ReferralStoreTest, RecordToProto) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 1).ok());
  NewReferral n = Make("a");
  n.request = Request{.id = "q-a", .position = {52, 5}, .topics = {Topic::kBenefits}};
  ASSERT_TRUE(store->Create(n).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity, absl::Hours(1))).ok());
  v1::ReferralRecord proto;
  ToProto(*store->Get("a"), &proto);
  EXPECT_EQ(proto.id(), "a");
  EXPECT_EQ(proto.status(), "rejected");
  EXPECT_EQ(proto.last_reason().code(), "no-capacity");
  EXPECT_EQ(proto.request().id(), "q-a");
  EXPECT_EQ(proto.created_unix_ms(), absl::ToUnixMillis(kT0));
  ASSERT_EQ(proto.history_size(), 2);
  EXPECT_EQ(proto.history(0).from_status(), "");
  EXPECT_EQ(proto.history(1).from_status(), "requested");
  EXPECT_EQ(proto.history(1).to_status(), "rejected");
  EXPECT_EQ(proto.history(1).actor(), "provider");
  EXPECT_EQ(proto.topics_size(), 1);
}

TEST_P(ReferralStoreTest, CapacityDraftsAndReleases) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 2).ok());
  NewReferral draft = Make("d");
  draft.initial = ReferralStatus::kDraft;
  ASSERT_TRUE(store->Create(draft).ok());
  ASSERT_TRUE(store->Create(Make("a")).ok());
  ASSERT_TRUE(store->Create(Make("b")).ok());
  EXPECT_EQ(*store->ActiveCount("p1"), 2);  // the draft holds no slot
  auto full = store->Apply(Move("d", ReferralStatus::kRequested, kDesk));
  EXPECT_EQ(full.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(full.status().message()).find("provider p1 is full (2 active of "
                                                      "capacity 2)"),
            std::string::npos)
      << full.status();
  EXPECT_EQ(store->Get("d")->status, ReferralStatus::kDraft);
  EXPECT_EQ(store->SetCapacity("p1", 1).code(), absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity)).ok());
  EXPECT_TRUE(store->Apply(Move("d", ReferralStatus::kRequested, kDesk)).ok());
  ASSERT_TRUE(store->Apply(Move("b", ReferralStatus::kEnteredInError, kDesk)).ok());
  EXPECT_EQ(*store->ActiveCount("p1"), 1);
  EXPECT_TRUE(store->SetCapacity("p1", 1).ok());
  EXPECT_EQ(store->Create(Make("unknown-provider", "p9")).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store->Verify().ok());
}

// A desk's request is referred to one provider at a time: a second open referral of
// the same (desk, request) is refused, drafts included, until the first is closed;
// another desk's request of the same id is its own. Under 12 threads racing for one
// request exactly one referral is made (and one slot taken).
TEST_P(ReferralStoreTest, ARequestHasOneOpenReferralAtATime) {
  auto store = Open({.durable = true});
  ASSERT_TRUE(store->SetCapacity("p1", std::nullopt).ok());
  ASSERT_TRUE(store->SetCapacity("p2", 10).ok());
  NewReferral first = Make("a");
  first.request_id = "q1";
  ASSERT_TRUE(store->Create(first).ok());
  NewReferral again = Make("b", "p2");
  again.request_id = "q1";
  absl::StatusOr<ReferralRecord> refused = store->Create(again);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_THAT(std::string(refused.status().message()),
              ::testing::HasSubstr("new referral b: request q1 of desk desk-1 already has an "
                                   "open referral, a"));
  EXPECT_EQ(store->Get("b").status().code(), absl::StatusCode::kNotFound);  // nothing kept
  EXPECT_EQ(*store->ActiveCount("p2"), 0);
  // The same id reused is still reported as a used id.
  EXPECT_THAT(std::string(store->Create(first).status().message()),
              ::testing::HasSubstr("referral a already exists"));
  // Another desk's request q1 is another request.
  NewReferral other_desk = Make("c", "p2", "desk-2");
  other_desk.request_id = "q1";
  EXPECT_TRUE(store->Create(other_desk).ok());
  // A draft is open too; each state that is open refuses, each closed one frees.
  NewReferral draft = Make("d");
  draft.request_id = "q2";
  draft.initial = ReferralStatus::kDraft;
  ASSERT_TRUE(store->Create(draft).ok());
  NewReferral after_draft = Make("e");
  after_draft.request_id = "q2";
  EXPECT_EQ(store->Create(after_draft).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kAccepted, kProvider)).ok());
  EXPECT_EQ(store->Create(again).status().code(), absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kCancelled, kDesk, ReasonCode::kOther,
                                absl::Minutes(1)))
                  .ok());
  EXPECT_TRUE(store->Create(again).ok()) << "a is cancelled: q1 may be referred again";
  // Racing: 12 threads, one request, distinct referral ids.
  constexpr int kThreads = 12;
  std::vector<absl::StatusCode> codes(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      NewReferral n = Make(Named("race", static_cast<uint64_t>(t)), "p2");
      n.request_id = "q-race";
      codes[t] = store->Create(n).status().code();
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(std::count(codes.begin(), codes.end(), absl::StatusCode::kOk), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), absl::StatusCode::kAlreadyExists),
            kThreads - 1);
  EXPECT_EQ(*store->ActiveCount("p2"), 3);  // c, b again, and one racer
  EXPECT_TRUE(store->Verify().ok());
}

TEST_P(ReferralStoreTest, UnansweredRequestsExpire) {
  auto store = Open({.expire_after = absl::Hours(24 * 14), .durable = false});
  ASSERT_TRUE(store->SetCapacity("p1", 5).ok());
  ASSERT_TRUE(store->Create(Make("old")).ok());
  NewReferral later = Make("new");
  later.at = kT0 + absl::Hours(24 * 10);
  ASSERT_TRUE(store->Create(later).ok());
  NewReferral answered = Make("answered");
  ASSERT_TRUE(store->Create(answered).ok());
  ASSERT_TRUE(store->Apply(Move("answered", ReferralStatus::kAccepted, kProvider)).ok());
  const absl::Time now = kT0 + absl::Hours(24 * 15);
  auto overdue = store->Overdue(now, absl::Hours(24 * 7));
  ASSERT_TRUE(overdue.ok());
  ASSERT_EQ(overdue->size(), 1u);
  EXPECT_EQ((*overdue)[0].referral.id, "old");
  EXPECT_EQ(*store->ExpireOverdue(now), 1);
  auto old = store->Get("old");
  EXPECT_EQ(old->status, ReferralStatus::kCancelled);
  EXPECT_EQ(old->last_reason.code, ReasonCode::kExpired);
  EXPECT_EQ(old->history.back().actor, kSystem);
  EXPECT_EQ(*store->ActiveCount("p1"), 2);
  EXPECT_EQ(*store->ExpireOverdue(now), 0);
  // Only the system may give `expired`.
  EXPECT_EQ(store->Apply(Move("new", ReferralStatus::kCancelled, kDesk, ReasonCode::kExpired))
                .status()
                .code(),
            absl::StatusCode::kFailedPrecondition);
  auto never = Open();
  EXPECT_EQ(*never->ExpireOverdue(now + absl::Hours(24 * 365)), 0);
}

std::shared_ptr<const Directory> ThreeProviders() {
  auto parsed = ParseProvidersCsv(
      "id,kind,lat,lon,topics,capacity\n"
      "near,ido,52.001,5,benefits,1\n"
      "mid,ido,52.01,5,benefits,3\n"
      "far,ido,52.05,5,benefits,3\n",
      "fixture.csv");
  EXPECT_TRUE(parsed.ok()) << parsed.status();
  return parsed->directory;
}

TEST_P(ReferralStoreTest, RejectionBringsTheNextReferral) {
  auto directory = ThreeProviders();
  Router router(directory);
  auto store = Open();
  ASSERT_TRUE(store->SetCapacities(*directory).ok());
  Request request{.id = "res-1", .position = {52, 5}, .topics = {Topic::kBenefits}};
  request.postcode = "8011AB";
  auto first = ReferRequest(*store, router, request, "desk-1", {}, kT0);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->referral.provider_id, "near");
  EXPECT_EQ(first->referral.postcode_area, "8011");
  // `near` is now full: a second resident goes to `mid`.
  Request other = request;
  other.id = "res-2";
  auto second = ReferRequest(*store, router, other, "desk-1", {}, kT0);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->referral.provider_id, "mid");
  // A rejection for a reason that is not routed again brings nothing.
  ASSERT_TRUE(store->Apply(Move(second->referral.id, ReferralStatus::kRejected, kProvider,
                                ReasonCode::kCouldntContact)).ok());
  EXPECT_EQ(ReferNext(*store, router, second->referral.id).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(ReferNext(*store, router, first->referral.id).status().code(),
            absl::StatusCode::kFailedPrecondition);  // still requested
  ASSERT_TRUE(store->Apply(Move(first->referral.id, ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity)).ok());
  auto next = ReferNext(*store, router, first->referral.id, kT0 + absl::Hours(1));
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_EQ(next->referral.provider_id, "mid");
  EXPECT_EQ(next->referral.previous_id, first->referral.id);
  EXPECT_EQ(next->status, ReferralStatus::kRequested);
  // Offered once only.
  EXPECT_EQ(ReferNext(*store, router, first->referral.id).status().code(),
            absl::StatusCode::kAlreadyExists);
  ASSERT_TRUE(store->Apply(Move(next->referral.id, ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNotEligible, absl::Hours(2))).ok());
  auto third = ReferNext(*store, router, next->referral.id, kT0 + absl::Hours(3));
  ASSERT_TRUE(third.ok()) << third.status();
  EXPECT_EQ(third->referral.provider_id, "far");  // near and mid both excluded
  ASSERT_TRUE(store->Apply(Move(third->referral.id, ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNotEligible, absl::Hours(4))).ok());
  auto none = ReferNext(*store, router, third->referral.id);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kNotFound) << none.status();
  EXPECT_TRUE(store->Verify().ok());
}

TEST_P(ReferralStoreTest, OpenReferralsOfProviderAndDesk) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", std::nullopt).ok());
  ASSERT_TRUE(store->SetCapacity("p2", std::nullopt).ok());
  ASSERT_TRUE(store->Create(Make("a", "p1", "d1")).ok());
  ASSERT_TRUE(store->Create(Make("b", "p1", "d2")).ok());
  ASSERT_TRUE(store->Create(Make("c", "p2", "d1")).ok());
  ASSERT_TRUE(store->Apply(Move("b", ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity)).ok());
  auto p1 = store->OpenOfProvider("p1");
  ASSERT_TRUE(p1.ok());
  ASSERT_EQ(p1->size(), 1u);
  EXPECT_EQ((*p1)[0].referral.id, "a");
  auto d1 = store->OpenOfDesk("d1");
  ASSERT_EQ(d1->size(), 2u);
  EXPECT_EQ((*d1)[0].referral.id, "a");
  EXPECT_EQ((*d1)[1].referral.id, "c");
  EXPECT_TRUE(store->OpenOfDesk("nobody")->empty());
}

TEST_P(ReferralStoreTest, BatchIsAllOrNothing) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 3).ok());
  ReferralBatch batch;
  for (const char* id : {"a", "b", "c", "d"}) batch.creations.push_back(Make(id));
  auto refused = store->Commit(batch);  // the fourth is over capacity
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_NE(std::string(refused.status().message()).find("batch creation 3"), std::string::npos);
  EXPECT_TRUE(store->Events(0, 100)->empty());
  EXPECT_EQ(*store->ActiveCount("p1"), 0);
  batch.creations.pop_back();
  batch.transitions = {Move("a", ReferralStatus::kAccepted, kProvider),
                       Move("a", ReferralStatus::kInProgress, kProvider)};
  auto events = store->Commit(batch);
  ASSERT_TRUE(events.ok()) << events.status();
  ASSERT_EQ(events->size(), 5u);
  for (size_t i = 0; i < events->size(); ++i) EXPECT_EQ((*events)[i].sequence, int64_t(i + 1));
  EXPECT_EQ(*store->Events(0, 100), *events);
}

// The outcome report against a count made here from what the test did.
TEST_P(ReferralStoreTest, OutcomesReport) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", std::nullopt).ok());
  ASSERT_TRUE(store->SetCapacity("p2", std::nullopt).ok());
  auto add = [&](const std::string& id, const std::string& provider, absl::Time at) {
    NewReferral n = Make(id, provider);
    n.at = at;
    n.topics.Add(Topic::kDigid);  // benefits;digid: counted under both
    ASSERT_TRUE(store->Create(n).ok());
  };
  const absl::Duration day = absl::Hours(24);
  add("a", "p1", kT0);
  add("b", "p1", kT0);
  add("c", "p1", kT0);
  add("d", "p2", kT0 + 40 * day);  // next month
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kAccepted, kProvider, {}, 2 * day)).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kInProgress, kProvider, {}, 3 * day)).ok());
  ASSERT_TRUE(store->Apply(Move("a", ReferralStatus::kCompleted, kProvider, {}, 7 * day)).ok());
  ASSERT_TRUE(store->Apply(Move("b", ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity, 1 * day)).ok());
  auto rows = store->Outcomes();
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 4u);  // (p1, p2) x (benefits, digid), months apart
  const OutcomeRow& r = (*rows)[0];
  EXPECT_EQ(r.provider_id, "p1");
  EXPECT_EQ(r.topic, "benefits");  // rows sorted by provider, topic code, area, month
  EXPECT_EQ((*rows)[1].topic, "digid");
  EXPECT_EQ((*rows)[1].referrals, 3);
  EXPECT_EQ(r.postcode_area, "8011");
  EXPECT_EQ(r.month, "2025-12");
  EXPECT_EQ(r.referrals, 3);
  EXPECT_EQ(r.completed, 1);
  EXPECT_EQ(r.rejected, 1);
  EXPECT_EQ(r.rejected_no_capacity, 1);
  EXPECT_EQ(r.open, 1);
  ASSERT_TRUE(r.mean_days_to_answer.has_value());
  EXPECT_DOUBLE_EQ(*r.mean_days_to_answer, 1.5);  // 2 days and 1 day
  EXPECT_DOUBLE_EQ(*r.mean_days_to_start, 1.0);
  EXPECT_DOUBLE_EQ(*r.mean_days_to_complete, 4.0);
  EXPECT_EQ((*rows)[3].month, "2026-01");
  const std::string csv = OutcomesCsv(*rows);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "provider_id,topic,postcode_area,month,referrals,open,completed,failed,rejected,"
            "rejected_no_capacity,rejected_not_eligible,rejected_other,cancelled,expired,"
            "entered_in_error,mean_days_to_answer,mean_days_to_start,mean_days_to_complete");
  EXPECT_NE(csv.find("\np1,digid,8011,2025-12,3,1,1,0,1,1,0,0,0,0,0,1.50,1.00,4.00\n"),
            std::string::npos)
      << csv;
}

// The log is append-only in the database itself, not only by this library's habit.
TEST_P(ReferralStoreTest, LogIsAppendOnlyInTheDatabase) {
  {
    auto store = Open();
    ASSERT_TRUE(store->SetCapacity("p1", 1).ok());
    ASSERT_TRUE(store->Create(Make("a")).ok());
  }
  for (const char* sql : {"UPDATE events SET to_status = 'completed'", "DELETE FROM events",
                          "UPDATE referrals SET provider_id = 'p2'", "DELETE FROM referrals"}) {
    const absl::Status refused = location_.Execute(sql);
    EXPECT_FALSE(refused.ok()) << sql;
    const std::string message(refused.message());
    EXPECT_TRUE(message.find("append-only") != std::string::npos ||
                message.find("written once") != std::string::npos)
        << sql << ": " << message;
  }
  if (!sqlite()) {  // PostgreSQL has TRUNCATE too.
    for (const char* sql : {"TRUNCATE events CASCADE", "TRUNCATE referrals CASCADE"})
      EXPECT_FALSE(location_.Execute(sql).ok()) << sql;
  }
  // Tampering with the derived state is what Verify() finds.
  ASSERT_TRUE(location_.Execute("UPDATE referral_state SET status = 'accepted'").ok());
  auto store = Open();
  const absl::Status verified = store->Verify();
  EXPECT_EQ(verified.code(), absl::StatusCode::kDataLoss);
  EXPECT_NE(std::string(verified.message()).find("referral a: kept state accepted"),
            std::string::npos)
      << verified;
}

// Bad input: each case gives its code and a message naming the thing and the reason.
TEST_P(ReferralStoreTest, BadInputTable) {
  if (sqlite()) {
    {  // A file that is not SQLite.
      std::ofstream(Path("garbage.db")) << std::string(5000, 'x');
      auto s = OpenSqliteStore(Path("garbage.db"));
      EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
      EXPECT_NE(std::string(s.status().message()).find("garbage.db"), std::string::npos);
    }
    {  // A SQLite file of something else.
      sqlite3* db = nullptr;
      sqlite3_open(Path("other.db").c_str(), &db);
      sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr);
      sqlite3_close(db);
      auto s = OpenSqliteStore(Path("other.db"));
      EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss);
      EXPECT_NE(std::string(s.status().message()).find("not a Wegwijzer referral store"),
                std::string::npos);
    }
    {  // A folder that does not exist.
      auto s = OpenSqliteStore(Path("no/such/dir/x.db"));
      EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
    }
  } else {
    {  // A server that is not there: named, and no password in the message.
      auto s = OpenPostgresStore("postgresql://nobody:secret@%2Fno%2Fsuch%2Fdir/x");
      EXPECT_EQ(s.status().code(), absl::StatusCode::kUnavailable) << s.status();
      const std::string message(s.status().message());
      EXPECT_NE(message.find("/no/such/dir"), std::string::npos) << message;
      EXPECT_EQ(message.find("secret"), std::string::npos) << message;
    }
    {  // A database with a table named like ours, but no store: refused, untouched.
      ASSERT_TRUE(location_.Execute("CREATE TABLE events(x INTEGER)").ok());
      auto s = location_.Open();
      EXPECT_EQ(s.status().code(), absl::StatusCode::kDataLoss) << s.status();
      EXPECT_NE(std::string(s.status().message()).find("not a Wegwijzer referral store"),
                std::string::npos);
      location_.Reset();
    }
    {  // Tables of other applications are fine in a shared database.
      ASSERT_TRUE(location_.Execute("CREATE TABLE someone_elses(x INTEGER)").ok());
      EXPECT_TRUE(location_.Open().ok());
      location_.Reset();
    }
  }
  {  // A newer schema.
    ASSERT_NE(Open(), nullptr);
    ASSERT_TRUE(location_.Execute("UPDATE wegwijzer_schema SET version = 99").ok());
    auto s = location_.Open();
    EXPECT_EQ(s.status().code(), absl::StatusCode::kFailedPrecondition);
    EXPECT_NE(std::string(s.status().message()).find("schema version 99"), std::string::npos);
    location_.Reset();
  }
  auto store = location_.Open({.durable = false});
  ASSERT_TRUE(store.ok());
  ReferralStore& s = **store;
  EXPECT_EQ(s.SetCapacity("", 1).code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.SetCapacity("p1", -1).code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(s.SetCapacity("p1", 1).ok());
  struct Case {
    const char* name;
    NewReferral referral;
    absl::StatusCode code;
    const char* says;
  };
  NewReferral no_request = Make("e1");
  no_request.request_id.clear();
  NewReferral no_provider = Make("e2");
  no_provider.provider_id.clear();
  NewReferral no_desk = Make("e3");
  no_desk.desk_id.clear();
  NewReferral accepted = Make("e4");
  accepted.initial = ReferralStatus::kAccepted;
  NewReferral unknown = Make("e5", "p-unknown");
  const Case cases[] = {
      {"no request id", no_request, absl::StatusCode::kInvalidArgument, "request_id is empty"},
      {"no provider", no_provider, absl::StatusCode::kInvalidArgument, "provider_id is empty"},
      {"no desk", no_desk, absl::StatusCode::kInvalidArgument, "desk_id is empty"},
      {"created accepted", accepted, absl::StatusCode::kFailedPrecondition,
       "created as draft or requested"},
      {"unknown provider", unknown, absl::StatusCode::kFailedPrecondition,
       "provider p-unknown has no capacity on record"},
  };
  for (const Case& c : cases) {
    auto made = s.Create(c.referral);
    EXPECT_EQ(made.status().code(), c.code) << c.name << ": " << made.status();
    EXPECT_NE(std::string(made.status().message()).find(c.says), std::string::npos)
        << c.name << ": " << made.status();
  }
  ASSERT_TRUE(s.Create(Make("dup")).ok());
  EXPECT_EQ(s.Create(Make("dup")).status().code(), absl::StatusCode::kAlreadyExists);
  EXPECT_EQ(s.Get("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.ActiveCount("nope").status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(s.Events(0, 100)->size() == 1);
  EXPECT_TRUE(s.Verify().ok());
}

TEST_P(ReferralStoreTest, ReopenKeepsEverythingAndAssignsIds) {
  {
    auto store = Open({.durable = true});
    ASSERT_TRUE(store->SetCapacity("p1", 10).ok());
    NewReferral n = Make("");
    auto a = store->Create(n);
    n.request_id = "q-other";  // one open referral a request
    auto b = store->Create(n);
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_EQ(a->referral.id, "r1");
    EXPECT_EQ(b->referral.id, "r2");
  }
  auto store = Open({.durable = true});
  EXPECT_EQ(*store->ActiveCount("p1"), 2);
  EXPECT_EQ(store->Events(0, 10)->size(), 2u);
  NewReferral third = Make("");
  third.request_id = "q-third";
  EXPECT_EQ(store->Create(third).value().referral.id, "r3");
  // r1 of request "q-" is open: a second referral of it is refused.
  EXPECT_EQ(store->Create(Make("")).status().code(), absl::StatusCode::kAlreadyExists);
}

// Property: after any seeded sequence of operations (allowed or not), folding each
// referral's events gives the kept state, the store agrees with a model kept here,
// and no provider is over capacity.
TEST_P(ReferralStoreTest, FoldingTheLogGivesTheStoredState) {
  for (uint32_t seed = 1; seed <= 12; ++seed) {
    location_.Reset();
    auto store = Open();
    std::mt19937 rng(seed);
    const int providers = 3;
    std::map<std::string, int64_t> capacity;
    for (int p = 0; p < providers; ++p) {
      const std::string id = "p" + std::to_string(p);
      capacity[id] = 1 + p;
      ASSERT_TRUE(store->SetCapacity(id, capacity[id]).ok());
    }
    std::map<std::string, std::pair<std::string, std::string>> model;  // id -> provider, state
    auto active_of = [&](const std::string& provider) {
      int64_t n = 0;
      for (const auto& [id, ps] : model)
        if (ps.first == provider && (ps.second == "requested" || ps.second == "accepted" ||
                                     ps.second == "in-progress" || ps.second == "on-hold"))
          ++n;
      return n;
    };
    for (int step = 0; step < 300; ++step) {
      if (model.empty() || rng() % 4 == 0) {
        const std::string id = Named("s", step);
        const std::string provider = Named("p", rng() % providers);
        NewReferral n = Make(id, provider);
        n.initial = rng() % 3 == 0 ? ReferralStatus::kDraft : ReferralStatus::kRequested;
        const bool room = n.initial == ReferralStatus::kDraft ||
                          active_of(provider) < capacity[provider];
        auto made = store->Create(n);
        ASSERT_EQ(made.ok(), room) << made.status();
        if (room) model[id] = {provider, std::string(ReferralStatusCode(n.initial))};
        continue;
      }
      auto it = model.begin();
      std::advance(it, rng() % model.size());
      const auto to = static_cast<ReferralStatus>(rng() % kReferralStatusCount);
      const auto actor = static_cast<ReferralActor>(rng() % kReferralActorCount);
      const ReasonCode reason = actor == kSystem ? ReasonCode::kExpired
                                : rng() % 5 == 0 ? ReasonCode::kNone
                                                 : ReasonCode::kOther;
      const std::string tc(ReferralStatusCode(to));
      bool ok = Allowed().contains({it->second.second, tc, std::string(ReferralActorCode(actor))});
      if (NeedsReason(tc) && reason == ReasonCode::kNone) ok = false;
      const bool takes = (tc == "requested") && it->second.second == "draft";
      if (ok && takes && active_of(it->second.first) >= capacity[it->second.first]) ok = false;
      auto e = store->Apply(Move(it->first, to, actor, reason, absl::Minutes(step)));
      ASSERT_EQ(e.ok(), ok) << it->second.second << " -> " << tc << ": " << e.status();
      if (ok) it->second.second = tc;
    }
    // Fold the whole log per referral and compare with Get() and the model.
    auto events = store->Events(0, 1 << 20);
    ASSERT_TRUE(events.ok());
    std::map<std::string, std::vector<ReferralEvent>> by_referral;
    for (const ReferralEvent& e : *events) by_referral[e.referral_id].push_back(e);
    ASSERT_EQ(by_referral.size(), model.size());
    for (const auto& [id, list] : by_referral) {
      auto folded = FoldReferralEvents(list);
      ASSERT_TRUE(folded.ok()) << folded.status();
      EXPECT_EQ(*folded, store->Get(id)->status) << id;
      EXPECT_EQ(ReferralStatusCode(*folded), model[id].second) << id;
    }
    for (const auto& [id, cap] : capacity) {
      EXPECT_EQ(*store->ActiveCount(id), active_of(id));
      EXPECT_LE(*store->ActiveCount(id), cap);
    }
    ASSERT_TRUE(store->Verify().ok()) << "seed " << seed << ": " << store->Verify();
  }
}

// Threads sharing one store have their changes committed in groups: each caller
// still gets its own answer, and a refused change in a group leaves the others.
TEST_P(ReferralStoreTest, GroupCommitGivesEachCallerItsOwnAnswer) {
  auto store = Open({.durable = true});
  ASSERT_TRUE(store->SetCapacity("p1", 5).ok());
  constexpr int kThreads = 16;
  std::vector<absl::StatusCode> created(kThreads), refused(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string id = Named("g", static_cast<uint64_t>(t));
      created[t] = store->Create(Make(id)).status().code();
      // Never allowed: a desk accepting. Refused whether or not the creation held.
      refused[t] = store->Apply(Move(id, ReferralStatus::kAccepted, kDesk)).status().code();
    });
  }
  for (auto& thread : threads) thread.join();
  int ok = 0;
  for (int t = 0; t < kThreads; ++t) {
    if (created[t] == absl::StatusCode::kOk) {
      ++ok;
      EXPECT_EQ(refused[t], absl::StatusCode::kFailedPrecondition);
    } else {
      EXPECT_EQ(created[t], absl::StatusCode::kResourceExhausted);
      EXPECT_EQ(refused[t], absl::StatusCode::kNotFound);
    }
  }
  EXPECT_EQ(ok, 5);
  EXPECT_EQ(*store->ActiveCount("p1"), 5);
  EXPECT_EQ(store->Events(0, 100)->size(), 5u);
  EXPECT_TRUE(store->Verify().ok());
}

// A store of schema version 2 (before capacity models) is migrated on open: its
// referrals and counts stay, its providers count per referral, and the new model
// can be recorded.
TEST_P(ReferralStoreTest, MigratesAStoreWithoutCapacityModels) {
  {
    auto store = Open();
    ASSERT_TRUE(store->SetCapacity("p1", 1).ok());
    ASSERT_TRUE(store->Create(Make("a")).ok());
  }
  // Back to version 2, as an older Wegwijzer wrote it.
  for (const char* sql : {"DROP INDEX referrals_by_request",
                          "DROP INDEX state_requested_by_provider",
                          "ALTER TABLE providers DROP COLUMN capacity_period",
                          "UPDATE wegwijzer_schema SET version = 2"})
    ASSERT_TRUE(location_.Execute(sql).ok()) << sql;
  auto store = Open();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(*store->ActiveCount("p1"), 1);
  EXPECT_EQ(store->Create(Make("b")).status().code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(store->SetCapacity("p1", 2, CapacityPeriod::kDay).ok());
  EXPECT_TRUE(store->Create(Make("b")).ok());
  EXPECT_EQ(store->Create(Make("c")).status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();  // the new column is there
  // Version 4's rule holds on the migrated store: a's request has its open referral.
  NewReferral again = Make("a2");
  again.request_id = "q-a";
  EXPECT_EQ(store->Create(again).status().code(), absl::StatusCode::kAlreadyExists);
}

// Per-period capacity: a slot per request in an ISO week, not returned by
// completion, returned by a rejection in the same week, and a new week empty.
TEST_P(ReferralStoreTest, PerWeekCapacityByHand) {
  auto store = Open();
  ASSERT_TRUE(store->SetCapacity("p1", 2, CapacityPeriod::kWeek).ok());
  const absl::Duration day = absl::Hours(24);
  // kT0 is Monday 2025-12-01 08:00 UTC.
  auto refer = [&](const std::string& id, absl::Duration after) {
    NewReferral n = Make(id);
    n.at = kT0 + after;
    return store->Create(n).status();
  };
  ASSERT_TRUE(refer("a", {}).ok());
  ASSERT_TRUE(refer("b", day).ok());
  const absl::Status full = refer("c", 2 * day);
  EXPECT_EQ(full.code(), absl::StatusCode::kResourceExhausted) << full;
  EXPECT_NE(std::string(full.message()).find("full for the week from 2025-12-01"),
            std::string::npos)
      << full;
  // Completing gives nothing back.
  for (ReferralStatus to : {ReferralStatus::kAccepted, ReferralStatus::kInProgress,
                            ReferralStatus::kCompleted})
    ASSERT_TRUE(store->Apply(Move("a", to, kProvider, {}, 2 * day)).ok());
  EXPECT_EQ(*store->ActiveCount("p1"), 1);
  EXPECT_EQ(refer("c", 2 * day).code(), absl::StatusCode::kResourceExhausted);
  // A rejection in the week does.
  ASSERT_TRUE(store->Apply(Move("b", ReferralStatus::kRejected, kProvider,
                                ReasonCode::kNoCapacity, 3 * day)).ok());
  ASSERT_TRUE(refer("c", 4 * day).ok());
  EXPECT_EQ(refer("d", 6 * day).code(), absl::StatusCode::kResourceExhausted);  // Sunday
  // Cancelling c next week does not give this week's slot back (too late), and the
  // new week starts empty.
  ASSERT_TRUE(refer("e", 7 * day).ok());  // Monday 2025-12-08
  ASSERT_TRUE(store->Apply(Move("c", ReferralStatus::kCancelled, kDesk,
                                ReasonCode::kNoLongerInterested, 7 * day)).ok());
  EXPECT_EQ(refer("f", 6 * day).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(refer("g", 8 * day).ok());
  EXPECT_EQ(refer("h", 9 * day).code(), absl::StatusCode::kResourceExhausted);
  // A draft takes no slot until it is requested; then the period is the request's.
  NewReferral draft = Make("i");
  draft.initial = ReferralStatus::kDraft;
  draft.at = kT0 + 9 * day;
  ASSERT_TRUE(store->Create(draft).ok());
  EXPECT_EQ(store->Apply(Move("i", ReferralStatus::kRequested, kDesk, {}, 10 * day))
                .status()
                .code(),
            absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(store->Apply(Move("i", ReferralStatus::kRequested, kDesk, {}, 14 * day)).ok());
  // The model is kept: reopening enforces it; lowering a period capacity is allowed.
  store.reset();
  store = Open();
  EXPECT_EQ(refer("j", 14 * day).code(), absl::StatusCode::kOk);
  EXPECT_EQ(refer("k", 14 * day).code(), absl::StatusCode::kResourceExhausted);
  ASSERT_TRUE(store->SetCapacity("p1", 0, CapacityPeriod::kWeek).ok());
  ASSERT_TRUE(store->SetCapacity("p1", 10).ok());  // back to a slot per referral
  EXPECT_EQ(*store->ActiveCount("p1"), 4);         // e, g, i, j
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();
}

// Property: on seeded random streams (days, weeks, months), the store takes a
// request exactly when a count made here, from the test's own record of when each
// referral was requested and released, says the period has room.
TEST_P(ReferralStoreTest, PerPeriodCapacityAgreesWithAnIndependentCount) {
  struct Kept {
    std::string provider;
    absl::Time requested;
    std::optional<absl::Time> released;  // rejected, cancelled or entered-in-error
    ReferralStatus status;
  };
  for (uint32_t seed = 1; seed <= 4; ++seed) {
    location_.Reset();
    auto store = Open();
    std::mt19937 rng(seed);
    const std::vector<std::pair<std::string, CapacityPeriod>> providers = {
        {"day", CapacityPeriod::kDay}, {"week", CapacityPeriod::kWeek},
        {"month", CapacityPeriod::kMonth}};
    const std::map<std::string, int64_t> capacity = {{"day", 2}, {"week", 4}, {"month", 7}};
    for (const auto& [id, period] : providers)
      ASSERT_TRUE(store->SetCapacity(id, capacity.at(id), period).ok());
    auto bounds = [](CapacityPeriod period, absl::Time t) {
      const absl::TimeZone utc = absl::UTCTimeZone();
      const absl::CivilDay day = absl::ToCivilDay(t, utc);
      if (period == CapacityPeriod::kDay)
        return std::pair{absl::FromCivil(day, utc), absl::FromCivil(day + 1, utc)};
      if (period == CapacityPeriod::kMonth) {
        const absl::CivilMonth m(day);
        return std::pair{absl::FromCivil(m, utc), absl::FromCivil(m + 1, utc)};
      }
      absl::CivilDay monday = day;
      while (absl::GetWeekday(monday) != absl::Weekday::monday) --monday;
      return std::pair{absl::FromCivil(monday, utc), absl::FromCivil(monday + 7, utc)};
    };
    std::map<std::string, Kept> kept;
    absl::Time now = kT0;
    int refused = 0, taken = 0;
    for (int step = 0; step < 220; ++step) {
      now += absl::Minutes(static_cast<int>(rng() % (60 * 20)));
      if (kept.empty() || rng() % 2 == 0) {
        const auto& [provider, period] = providers[rng() % providers.size()];
        const auto [start, end] = bounds(period, now);
        int64_t count = 0;
        for (const auto& [id, k] : kept) {
          if (k.provider != provider || k.status == ReferralStatus::kDraft) continue;
          if (k.requested < start || k.requested >= end) continue;
          if (k.released && *k.released < end) continue;
          ++count;
        }
        NewReferral n = Make(Named("s", static_cast<uint64_t>(step)), provider);
        n.at = now;
        auto made = store->Create(n);
        const bool room = count < capacity.at(provider);
        ASSERT_EQ(made.ok(), room) << "seed " << seed << " step " << step << " " << provider
                                   << " count " << count << ": " << made.status();
        if (room) {
          kept[n.id] = {provider, now, std::nullopt, ReferralStatus::kRequested};
          ++taken;
        } else {
          EXPECT_EQ(made.status().code(), absl::StatusCode::kResourceExhausted);
          ++refused;
        }
        continue;
      }
      auto it = kept.begin();
      std::advance(it, rng() % kept.size());
      Kept& k = it->second;
      if (IsFinal(k.status)) continue;
      ReferralTransition t;
      switch (k.status) {
        case ReferralStatus::kRequested:
          t = rng() % 2 ? Move(it->first, ReferralStatus::kAccepted, kProvider)
                        : Move(it->first, ReferralStatus::kRejected, kProvider,
                               ReasonCode::kNoCapacity);
          break;
        case ReferralStatus::kAccepted:
          t = rng() % 3 ? Move(it->first, ReferralStatus::kInProgress, kProvider)
                        : Move(it->first, ReferralStatus::kCancelled, kDesk,
                               ReasonCode::kNoLongerInterested);
          break;
        default:
          t = rng() % 4 ? Move(it->first, ReferralStatus::kCompleted, kProvider)
                        : Move(it->first, ReferralStatus::kEnteredInError, kDesk);
          break;
      }
      t.at = now;
      ASSERT_TRUE(store->Apply(t).ok()) << it->first;
      k.status = t.to;
      if (t.to == ReferralStatus::kRejected || t.to == ReferralStatus::kCancelled ||
          t.to == ReferralStatus::kEnteredInError)
        k.released = now;
    }
    EXPECT_GT(refused, 10) << "seed " << seed << ": the stream should fill periods";
    EXPECT_GT(taken, 30);
    ASSERT_TRUE(store->Verify().ok()) << store->Verify();
  }
}

INSTANTIATE_TEST_SUITE_P(Backends, ReferralStoreTest, testing_backends::AllBackends(),
                         testing_backends::BackendName);
// Group commit under load: many threads on one durable store, creations competing for
// few slots and transitions of which some are refused. After closing and reopening,
// the log holds exactly the changes whose calls returned OK (each with the sequence
// number its caller was given), none that was refused, each thread's changes in its
// own order, and no provider holds more than its capacity.
TEST_P(ReferralStoreTest, GroupCommitKeepsExactlyTheAnsweredChangesAfterReopen) {
  constexpr int kThreads = 24, kSteps = 12, kProviders = 3, kCapacity = 4;
  struct Answer {
    int64_t sequence;
    std::string referral_id;
    ReferralStatus to;
  };
  std::vector<std::vector<Answer>> answered(kThreads);
  std::vector<int> refused(kThreads, 0);
  {
    auto store = Open({.durable = true});
    for (int p = 0; p < kProviders; ++p)
      ASSERT_TRUE(store->SetCapacity(Named("p", p), kCapacity).ok());
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        std::mt19937 rng(1000 + t);
        for (int i = 0; i < kSteps; ++i) {
          const std::string id = Named(Named("t", t).append("-").c_str(), i);
          const std::string provider = Named("p", (t + i) % kProviders);
          absl::StatusOr<ReferralRecord> made = store->Create(Make(id, provider));
          if (made.ok()) {
            answered[t].push_back({made->last_sequence, id, ReferralStatus::kRequested});
          } else {
            EXPECT_EQ(made.status().code(), absl::StatusCode::kResourceExhausted) << made.status();
            ++refused[t];
            continue;
          }
          ReferralTransition next;
          switch (rng() % 4) {
            case 0: next = Move(id, ReferralStatus::kAccepted, kProvider); break;
            case 1: next = Move(id, ReferralStatus::kRejected, kProvider, ReasonCode::kNoCapacity); break;
            case 2: next = Move(id, ReferralStatus::kCompleted, kProvider); break;  // refused
            default: next = Move(id, ReferralStatus::kAccepted, kDesk); break;      // refused
          }
          absl::StatusOr<ReferralEvent> e = store->Apply(next);
          if (e.ok()) {
            EXPECT_EQ(e->to, next.to);
            answered[t].push_back({e->sequence, id, e->to});
          } else {
            EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition) << e.status();
            ++refused[t];
          }
        }
      });
    }
    for (auto& thread : threads) thread.join();
  }
  auto store = Open({.durable = true});  // reopened: only what reached the disk
  absl::StatusOr<std::vector<ReferralEvent>> log = store->Events(0, 1 << 20);
  ASSERT_TRUE(log.ok()) << log.status();
  std::map<int64_t, const ReferralEvent*> by_sequence;
  for (const ReferralEvent& e : *log) by_sequence[e.sequence] = &e;
  size_t total = 0;
  int total_refused = 0;
  for (int t = 0; t < kThreads; ++t) {
    total_refused += refused[t];
    for (size_t i = 0; i < answered[t].size(); ++i) {
      const Answer& a = answered[t][i];
      ASSERT_TRUE(by_sequence.count(a.sequence)) << a.referral_id << " seq " << a.sequence;
      EXPECT_EQ(by_sequence[a.sequence]->referral_id, a.referral_id);
      EXPECT_EQ(by_sequence[a.sequence]->to, a.to);
      if (i > 0) {
        EXPECT_GT(a.sequence, answered[t][i - 1].sequence) << "thread " << t;
      }
    }
    total += answered[t].size();
  }
  EXPECT_EQ(log->size(), total);  // nothing refused is in the log
  EXPECT_GT(total_refused, 0);
  // The active counts: each provider's referrals left in a slot-holding state, and
  // never above its capacity.
  std::map<std::string, ReferralStatus> last;
  for (const ReferralEvent& e : *log) last[e.referral_id] = e.to;
  std::map<std::string, int64_t> holding;
  for (const auto& [id, status] : last) {
    if (!HoldsSlot(status)) continue;
    absl::StatusOr<ReferralRecord> r = store->Get(id);
    ASSERT_TRUE(r.ok()) << r.status();
    ++holding[r->referral.provider_id];
  }
  for (int p = 0; p < kProviders; ++p) {
    const std::string provider = Named("p", p);
    EXPECT_EQ(*store->ActiveCount(provider), holding[provider]) << provider;
    EXPECT_LE(holding[provider], kCapacity) << provider;
  }
  EXPECT_TRUE(store->Verify().ok()) << store->Verify();
}

// SQLite's answer for one statement through the C API (the test reads the file as
// any SQLite client would).
std::vector<std::string> Column0(sqlite3* db, const char* sql) {
  std::vector<std::string> out;
  sqlite3_stmt* q = nullptr;
  EXPECT_EQ(sqlite3_prepare_v2(db, sql, -1, &q, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
  while (sqlite3_step(q) == SQLITE_ROW) {
    const int last = sqlite3_column_count(q) - 1;
    const auto* text = sqlite3_column_text(q, last);
    out.emplace_back(text == nullptr ? "" : reinterpret_cast<const char*>(text));
  }
  sqlite3_finalize(q);
  return out;
}

// A store of schema version 1 (open-referral indexes on `status IN (...)`) is
// migrated on open to version 2 (the same indexes on equalities), keeps its
// referrals, and a provider's open referrals are still found through the index.
// A fuzzer finding (tests/fuzz/corpus/referral_store/regression_unprepared_statement.bin):
// a file whose schema version is current but whose tables lack a column the store's
// SQL names made a statement that never prepared, and resetting it crashed. The
// calls that need it now fail with a status.
TEST_P(ReferralStoreTest, AStoreWithAMissingColumnIsAnErrorNotACrash) {
  if (!sqlite()) GTEST_SKIP() << "a damaged SQLite file";
  {
    auto store = Open();
    ASSERT_TRUE(store->SetCapacity("p1", 3).ok());
    ASSERT_TRUE(store->Create(Make("a")).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.location().c_str(), &db), SQLITE_OK);
  ASSERT_EQ(sqlite3_exec(db, "DROP TRIGGER IF EXISTS events_append_only_u; "
                             "DROP TRIGGER IF EXISTS events_append_only_d; "
                             "ALTER TABLE events DROP COLUMN reason_text;",
                         nullptr, nullptr, nullptr),
            SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  auto store = OpenSqliteStore(location_.location(), {.durable = false});
  if (!store.ok()) GTEST_SUCCEED() << "refused on open: " << store.status();
  if (!store.ok()) return;
  EXPECT_FALSE((*store)->Verify().ok());
  EXPECT_FALSE((*store)->Outcomes().ok());
  EXPECT_FALSE((*store)->Verify().ok());  // twice: the cached statement is reset safely
}

TEST_P(ReferralStoreTest, VersionOneStoreMigratesToEqualityIndexes) {
  if (!sqlite()) GTEST_SKIP() << "SQLite's own index migration";
  {
    auto store = Open();
    ASSERT_TRUE(store->SetCapacity("p1", 3).ok());
    ASSERT_TRUE(store->Create(Make("a")).ok());
    ASSERT_TRUE(store->Create(Make("b")).ok());
    ASSERT_TRUE(store->Apply(Move("b", ReferralStatus::kRejected, kProvider,
                                  ReasonCode::kNoCapacity)).ok());
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.location().c_str(), &db), SQLITE_OK);
  const char* open_in = "status IN ('draft','requested','accepted','in-progress','on-hold')";
  const std::string back_to_one =
      std::string("DROP INDEX state_open_by_provider; DROP INDEX state_open_by_desk; "
                  "CREATE INDEX state_open_by_provider ON referral_state(provider_id) WHERE ") +
      open_in + "; CREATE INDEX state_open_by_desk ON referral_state(desk_id) WHERE " + open_in +
      "; DROP INDEX state_requested_by_provider; DROP INDEX referrals_by_request; "
      "ALTER TABLE providers DROP COLUMN capacity_period; "
      "UPDATE wegwijzer_schema SET version = 1;";
  ASSERT_EQ(sqlite3_exec(db, back_to_one.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
      << sqlite3_errmsg(db);
  sqlite3_close(db);
  {
    auto store = Open();
    ASSERT_NE(store, nullptr);
    absl::StatusOr<std::vector<ReferralRecord>> open = store->OpenOfProvider("p1");
    ASSERT_TRUE(open.ok()) << open.status();
    ASSERT_EQ(open->size(), 1u);
    EXPECT_EQ((*open)[0].referral.id, "a");
    EXPECT_TRUE(store->Verify().ok());
  }
  ASSERT_EQ(sqlite3_open(location_.location().c_str(), &db), SQLITE_OK);
  EXPECT_EQ(Column0(db, "SELECT version FROM wegwijzer_schema"),
            std::vector<std::string>{std::to_string(kReferralSchemaVersion)});
  for (const std::string& sql :
       Column0(db, "SELECT sql FROM sqlite_master WHERE name LIKE 'state_open_by_%'")) {
    EXPECT_EQ(sql.find(" IN "), std::string::npos) << sql;
    EXPECT_NE(sql.find("status = 'on-hold'"), std::string::npos) << sql;
  }
  // The store's query for a provider's open referrals, as it words the condition.
  const std::vector<std::string> plan = Column0(
      db, "EXPLAIN QUERY PLAN SELECT r.referral_id FROM referrals r JOIN referral_state s ON "
          "s.referral = r.id WHERE s.provider_id = 'p1' AND (status = 'draft' OR status = "
          "'requested' OR status = 'accepted' OR status = 'in-progress' OR status = 'on-hold')");
  bool uses_index = false;
  for (const std::string& step : plan) uses_index |= step.find("state_open_by_provider") != std::string::npos;
  EXPECT_TRUE(uses_index) << ::testing::PrintToString(plan);
  sqlite3_close(db);
}

TEST(FoldReferralEvents, RefusesABrokenLog) {
  ReferralEvent create{.sequence = 1, .referral_id = "a", .to = ReferralStatus::kRequested};
  ReferralEvent accept{.sequence = 2,
                       .referral_id = "a",
                       .actor = kProvider,
                       .from = ReferralStatus::kRequested,
                       .to = ReferralStatus::kAccepted};
  EXPECT_EQ(*FoldReferralEvents(std::vector{create, accept}), ReferralStatus::kAccepted);
  EXPECT_EQ(FoldReferralEvents(std::vector{accept}).status().code(), absl::StatusCode::kDataLoss);
  ReferralEvent skip = accept;
  skip.sequence = 3;
  skip.from = ReferralStatus::kInProgress;
  skip.to = ReferralStatus::kCompleted;
  EXPECT_EQ(FoldReferralEvents(std::vector{create, skip}).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(FoldReferralEvents({}).status().code(), absl::StatusCode::kDataLoss);
}

}  // namespace
}  // namespace wegwijzer
