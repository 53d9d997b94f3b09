// The referral lifecycle: what can happen to a referral once a desk has made it.
//
// A referral follows HL7 FHIR Task statuses (http://hl7.org/fhir/task-status), the
// codes spelled verbatim ("in-progress", "entered-in-error"):
//
//   draft ──> requested ──> accepted ──> in-progress <──> on-hold
//                 │                          │  │            │
//                 └──> rejected              │  └─> failed <─┘
//                                            └────> completed
//   cancelled:        from any state that is not final
//   entered-in-error: from any state but itself (the record was a mistake)
//
// Final states: rejected, completed, failed, cancelled, entered-in-error. A
// referral holds a slot of its provider's capacity while it is requested,
// accepted, in-progress or on-hold ("active"); every other state holds none.
//
// Who may make each transition (the actor):
//   draft -> requested                         the referring desk
//   requested -> accepted | rejected           the receiving provider
//   accepted -> in-progress                    the receiving provider
//   in-progress <-> on-hold                    the receiving provider
//   in-progress -> completed                   the receiving provider
//   in-progress | on-hold -> failed            the receiving provider
//   (not final) -> cancelled                   the desk; the provider too, except
//                                              from draft (it has not seen it); the
//                                              system only requested -> cancelled,
//                                              reason `expired` (unanswered N days)
//   (not entered-in-error) -> entered-in-error the desk or the provider
// A reason (a code plus free text) is required for rejected, cancelled, on-hold
// and failed, and allowed for the others; `expired` is the system's reason only.
//
// Example:
//   absl::Status s = CheckTransition(ReferralStatus::kRequested,
//                                    ReferralStatus::kRejected,
//                                    ReferralActor::kReceivingProvider,
//                                    {.code = ReasonCode::kNoCapacity, .text = "full"});
//   // s.ok(); without the reason: kFailedPrecondition naming from, to and actor.
//
// Thread-safety: everything here is a pure function or a value.
#ifndef WEGWIJZER_REFERRAL_H_
#define WEGWIJZER_REFERRAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace wegwijzer {

// FHIR Task status codes used by the lifecycle (ReferralStatusCode spells them).
enum class ReferralStatus : uint8_t {
  kDraft,
  kRequested,
  kAccepted,
  kRejected,
  kInProgress,
  kOnHold,
  kCompleted,
  kFailed,
  kCancelled,
  kEnteredInError,
};
inline constexpr int kReferralStatusCount = 10;

// Who makes a transition.
enum class ReferralActor : uint8_t {
  kReferringDesk,      // "desk": the desk worker who made the referral
  kReceivingProvider,  // "provider": the provider the referral went to
  kSystem,             // "system": the store itself (expiry only)
};
inline constexpr int kReferralActorCount = 3;

// Why a referral was rejected, cancelled, put on hold or failed.
enum class ReasonCode : uint8_t {
  kNone,                // "" : no reason given
  kNoCapacity,          // "no-capacity"
  kNotEligible,         // "not-eligible"
  kCouldntContact,      // "couldnt-contact"
  kNoLongerInterested,  // "no-longer-interested"
  kReferredElsewhere,   // "referred-elsewhere"
  kNeedsClientAction,   // "needs-client-action"
  kExpired,             // "expired": set by the system when a request goes unanswered
  kOther,               // "other": the free text says why
};
inline constexpr int kReasonCodeCount = 9;

struct ReferralReason {
  ReasonCode code = ReasonCode::kNone;
  std::string text{};  // Free text for people; may be empty. DEFAULT: empty.
  bool operator==(const ReferralReason&) const = default;
};

// Codes and their parsing. Parse* return nullopt for an unknown code (exact,
// case-sensitive match of the spelling above).
std::string_view ReferralStatusCode(ReferralStatus status);
std::string_view ReferralActorCode(ReferralActor actor);
std::string_view ReasonCodeName(ReasonCode code);
std::optional<ReferralStatus> ParseReferralStatus(std::string_view code);
std::optional<ReferralActor> ParseReferralActor(std::string_view code);
std::optional<ReasonCode> ParseReasonCode(std::string_view code);

// rejected, completed, failed, cancelled, entered-in-error.
bool IsFinal(ReferralStatus status);
// requested, accepted, in-progress, on-hold: the referral holds a capacity slot.
bool HoldsSlot(ReferralStatus status);
// rejected, cancelled, on-hold, failed.
bool ReasonRequired(ReferralStatus to);

// Whether `actor` may move a referral from `from` to `to` with `reason`. OK, or
// kFailedPrecondition with a message naming from, to and actor and saying why
// (not a transition of the lifecycle, not this actor's to make, the reason is
// missing, or `expired` given by someone other than the system). Pure: O(1).
absl::Status CheckTransition(ReferralStatus from, ReferralStatus to, ReferralActor actor,
                             const ReferralReason& reason);

// The state a referral is created in must be draft or requested, by the desk.
absl::Status CheckCreation(ReferralStatus initial, ReferralActor actor);

}  // namespace wegwijzer

#endif  // WEGWIJZER_REFERRAL_H_
