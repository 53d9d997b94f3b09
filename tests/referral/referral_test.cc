// The lifecycle's transition table, checked against an independent table written
// here from the issue's text (issue 13, item 1), for every (from, to, actor) and
// with and without a reason.
#include "wegwijzer/referral.h"

#include <set>
#include <string>
#include <tuple>

#include "gtest/gtest.h"
#include "referral/lifecycle_table.h"

namespace wegwijzer {
namespace {

using testing_lifecycle::Allowed;
using testing_lifecycle::NeedsReason;

TEST(Referral, CodesAreFhirTaskStatusesVerbatim) {
  const char* codes[] = {"draft",   "requested", "accepted", "rejected",  "in-progress",
                         "on-hold", "completed", "failed",   "cancelled", "entered-in-error"};
  for (int i = 0; i < kReferralStatusCount; ++i) {
    const auto status = static_cast<ReferralStatus>(i);
    EXPECT_EQ(ReferralStatusCode(status), codes[i]);
    EXPECT_EQ(ParseReferralStatus(codes[i]), status);
  }
  EXPECT_EQ(ParseReferralStatus("In-Progress"), std::nullopt);
  EXPECT_EQ(ParseReferralStatus("received"), std::nullopt);  // FHIR, not in this lifecycle
  for (const char* reason : {"no-capacity", "not-eligible", "couldnt-contact",
                             "no-longer-interested", "referred-elsewhere",
                             "needs-client-action", "expired"}) {
    ASSERT_TRUE(ParseReasonCode(reason).has_value()) << reason;
    EXPECT_EQ(ReasonCodeName(*ParseReasonCode(reason)), reason);
  }
  EXPECT_EQ(ParseReasonCode("full"), std::nullopt);
}

TEST(Referral, EveryTransitionAgainstTheIssuesTable) {
  int allowed = 0, refused = 0;
  for (int f = 0; f < kReferralStatusCount; ++f) {
    for (int t = 0; t < kReferralStatusCount; ++t) {
      for (int a = 0; a < kReferralActorCount; ++a) {
        const auto from = static_cast<ReferralStatus>(f);
        const auto to = static_cast<ReferralStatus>(t);
        const auto actor = static_cast<ReferralActor>(a);
        const std::string fc(ReferralStatusCode(from)), tc(ReferralStatusCode(to)),
            ac(ReferralActorCode(actor));
        const bool expected = Allowed().contains({fc, tc, ac});
        const bool system = ac == "system";
        // Each reason: none, an ordinary one, expired.
        for (ReasonCode code :
             {ReasonCode::kNone, ReasonCode::kNoCapacity, ReasonCode::kExpired}) {
          const absl::Status status = CheckTransition(from, to, actor, {code, "note"});
          bool ok = expected;
          if (code == ReasonCode::kNone && NeedsReason(tc)) ok = false;
          if (system && code != ReasonCode::kExpired) ok = false;
          if (!system && code == ReasonCode::kExpired) ok = false;
          SCOPED_TRACE(fc + " -> " + tc + " by " + ac + " reason " +
                       std::string(ReasonCodeName(code)));
          EXPECT_EQ(status.ok(), ok) << status;
          if (ok) {
            ++allowed;
          } else {
            ++refused;
            EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
            const std::string message(status.message());
            EXPECT_NE(message.find(fc + " -> " + tc), std::string::npos) << message;
            EXPECT_NE(message.find("by " + ac), std::string::npos) << message;
          }
        }
      }
    }
  }
  // 10 x 10 x 3 x 3 cases; the allowed count is the table's with reasons applied.
  EXPECT_EQ(allowed + refused, 900);
  EXPECT_GT(allowed, 40);
}

TEST(Referral, RefusalSaysWhy) {
  EXPECT_EQ(std::string(CheckTransition(ReferralStatus::kRequested, ReferralStatus::kRejected,
                                        ReferralActor::kReceivingProvider, {})
                            .message()),
            "referral transition requested -> rejected by provider refused: a reason code is "
            "required");
  EXPECT_EQ(std::string(CheckTransition(ReferralStatus::kRequested, ReferralStatus::kAccepted,
                                        ReferralActor::kReferringDesk, {})
                            .message()),
            "referral transition requested -> accepted by desk refused: only the provider may "
            "do this");
  EXPECT_EQ(std::string(CheckTransition(ReferralStatus::kCompleted, ReferralStatus::kCancelled,
                                        ReferralActor::kReferringDesk, {})
                            .message()),
            "referral transition completed -> cancelled by desk refused: the referral is final");
}

TEST(Referral, Creation) {
  EXPECT_TRUE(CheckCreation(ReferralStatus::kDraft, ReferralActor::kReferringDesk).ok());
  EXPECT_TRUE(CheckCreation(ReferralStatus::kRequested, ReferralActor::kReferringDesk).ok());
  EXPECT_EQ(CheckCreation(ReferralStatus::kAccepted, ReferralActor::kReferringDesk).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(CheckCreation(ReferralStatus::kRequested, ReferralActor::kReceivingProvider).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(Referral, SlotsAndFinality) {
  for (int i = 0; i < kReferralStatusCount; ++i) {
    const auto s = static_cast<ReferralStatus>(i);
    const std::string c(ReferralStatusCode(s));
    EXPECT_EQ(HoldsSlot(s),
              c == "requested" || c == "accepted" || c == "in-progress" || c == "on-hold");
    EXPECT_EQ(IsFinal(s), c == "rejected" || c == "completed" || c == "failed" ||
                              c == "cancelled" || c == "entered-in-error");
  }
}

}  // namespace
}  // namespace wegwijzer
