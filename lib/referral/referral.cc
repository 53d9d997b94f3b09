// The lifecycle's transition table (referral.h has it as a diagram).
#include "wegwijzer/referral.h"

#include <array>
#include <string>

#include "core/text.h"

namespace wegwijzer {
namespace {

constexpr std::array<std::string_view, kReferralStatusCount> kStatusCodes = {
    "draft",   "requested", "accepted", "rejected",  "in-progress",
    "on-hold", "completed", "failed",   "cancelled", "entered-in-error"};
constexpr std::array<std::string_view, kReferralActorCount> kActorCodes = {"desk", "provider",
                                                                          "system"};
constexpr std::array<std::string_view, kReasonCodeCount> kReasonCodes = {
    "",
    "no-capacity",
    "not-eligible",
    "couldnt-contact",
    "no-longer-interested",
    "referred-elsewhere",
    "needs-client-action",
    "expired",
    "other"};

using S = ReferralStatus;
using A = ReferralActor;

// The ordinary moves of the lifecycle and the one actor who makes each; cancelled
// and entered-in-error are handled apart, as they leave (almost) any state.
struct Move {
  S from, to;
  A actor;
};
constexpr std::array<Move, 9> kMoves = {{
    {S::kDraft, S::kRequested, A::kReferringDesk},
    {S::kRequested, S::kAccepted, A::kReceivingProvider},
    {S::kRequested, S::kRejected, A::kReceivingProvider},
    {S::kAccepted, S::kInProgress, A::kReceivingProvider},
    {S::kInProgress, S::kOnHold, A::kReceivingProvider},
    {S::kOnHold, S::kInProgress, A::kReceivingProvider},
    {S::kInProgress, S::kCompleted, A::kReceivingProvider},
    {S::kInProgress, S::kFailed, A::kReceivingProvider},
    {S::kOnHold, S::kFailed, A::kReceivingProvider},
}};

absl::Status Refused(S from, S to, A actor, std::string_view why) {
  return absl::FailedPreconditionError(internal::Cat(
      "referral transition ", ReferralStatusCode(from), " -> ", ReferralStatusCode(to), " by ",
      ReferralActorCode(actor), " refused: ", why));
}

}  // namespace

std::string_view ReferralStatusCode(ReferralStatus status) {
  return kStatusCodes[static_cast<int>(status)];
}
std::string_view ReferralActorCode(ReferralActor actor) {
  return kActorCodes[static_cast<int>(actor)];
}
std::string_view ReasonCodeName(ReasonCode code) { return kReasonCodes[static_cast<int>(code)]; }

std::optional<ReferralStatus> ParseReferralStatus(std::string_view code) {
  for (int i = 0; i < kReferralStatusCount; ++i)
    if (kStatusCodes[i] == code) return static_cast<ReferralStatus>(i);
  return std::nullopt;
}
std::optional<ReferralActor> ParseReferralActor(std::string_view code) {
  for (int i = 0; i < kReferralActorCount; ++i)
    if (kActorCodes[i] == code) return static_cast<ReferralActor>(i);
  return std::nullopt;
}
std::optional<ReasonCode> ParseReasonCode(std::string_view code) {
  for (int i = 0; i < kReasonCodeCount; ++i)
    if (kReasonCodes[i] == code) return static_cast<ReasonCode>(i);
  return std::nullopt;
}

bool IsFinal(ReferralStatus status) {
  return status == S::kRejected || status == S::kCompleted || status == S::kFailed ||
         status == S::kCancelled || status == S::kEnteredInError;
}
bool HoldsSlot(ReferralStatus status) {
  return status == S::kRequested || status == S::kAccepted || status == S::kInProgress ||
         status == S::kOnHold;
}
bool ReasonRequired(ReferralStatus to) {
  return to == S::kRejected || to == S::kCancelled || to == S::kOnHold || to == S::kFailed;
}

absl::Status CheckTransition(ReferralStatus from, ReferralStatus to, ReferralActor actor,
                             const ReferralReason& reason) {
  if (static_cast<int>(from) >= kReferralStatusCount ||
      static_cast<int>(to) >= kReferralStatusCount ||
      static_cast<int>(actor) >= kReferralActorCount ||
      static_cast<int>(reason.code) >= kReasonCodeCount) {
    return absl::InvalidArgumentError("referral transition: status, actor or reason out of range");
  }
  // The move itself first, then the reason: a move that does not exist is reported
  // as such, even when it also lacks a reason.
  const auto with_reason = [&]() -> absl::Status {
    if (ReasonRequired(to) && reason.code == ReasonCode::kNone)
      return Refused(from, to, actor, "a reason code is required");
    return absl::OkStatus();
  };
  const bool expired = reason.code == ReasonCode::kExpired;
  if (actor == A::kSystem) {
    if (from == S::kRequested && to == S::kCancelled && expired) return with_reason();
    return Refused(from, to, actor,
                   "the system only cancels an unanswered request with reason expired");
  }
  if (expired) return Refused(from, to, actor, "reason expired is the system's to give");
  if (to == S::kEnteredInError) {
    if (from == S::kEnteredInError) return Refused(from, to, actor, "already entered in error");
    return with_reason();
  }
  if (IsFinal(from)) return Refused(from, to, actor, "the referral is final");
  if (to == S::kCancelled) {
    if (from == S::kDraft && actor != A::kReferringDesk)
      return Refused(from, to, actor, "only the desk can cancel a draft");
    return with_reason();
  }
  for (const Move& move : kMoves) {
    if (move.from != from || move.to != to) continue;
    if (move.actor != actor)
      return Refused(from, to, actor,
                     internal::Cat("only the ", ReferralActorCode(move.actor), " may do this"));
    return with_reason();
  }
  return Refused(from, to, actor, "not a transition of the lifecycle");
}

absl::Status CheckCreation(ReferralStatus initial, ReferralActor actor) {
  if (initial != S::kDraft && initial != S::kRequested) {
    return absl::FailedPreconditionError(internal::Cat(
        "a referral is created as draft or requested, not ", ReferralStatusCode(initial)));
  }
  if (actor != A::kReferringDesk) {
    return absl::FailedPreconditionError(internal::Cat(
        "a referral is created by the desk, not by ", ReferralActorCode(actor)));
  }
  return absl::OkStatus();
}

}  // namespace wegwijzer
