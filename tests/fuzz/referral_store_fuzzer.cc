// libFuzzer target for the referral store, in two modes chosen by the first byte:
//  * even: the rest is a stream of operations (3 bytes each: what, which referral,
//    which status/actor/reason) applied to a fresh store; every answer must be a
//    status, never a crash, and afterwards the log must fold to the kept state
//    (Verify) with no provider over capacity;
//  * odd: the rest is the bytes of a store file; opening it is refused or the store
//    answers every query with a value or a status.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include "wegwijzer/referral_store.h"

namespace {

using wegwijzer::ReferralStatus;

std::string TempPath() {
  static const std::string path =
      "/tmp/wegwijzer_referral_fuzz." + std::to_string(::getpid()) + ".db";
  return path;
}

void RemoveStore(const std::string& path) {
  std::remove(path.c_str());
  std::remove((path + "-wal").c_str());
  std::remove((path + "-shm").c_str());
}

std::string Id(uint8_t n) { return "r" + std::to_string(n % 16); }

void Operations(const uint8_t* data, size_t size) {
  auto opened = wegwijzer::OpenSqliteStore(":memory:", {.durable = false});
  if (!opened.ok()) std::abort();
  wegwijzer::ReferralStore& store = **opened;
  for (int p = 0; p < 3; ++p)
    if (!store.SetCapacity("p" + std::to_string(p), p).ok()) std::abort();
  const absl::Time t0 = absl::FromUnixSeconds(1764576000);
  for (size_t i = 0; i + 3 <= size && i < 3 * 400; i += 3) {
    const uint8_t what = data[i], which = data[i + 1], how = data[i + 2];
    const absl::Time at = t0 + absl::Minutes(static_cast<int64_t>(i));
    switch (what % 5) {
      case 0: {
        wegwijzer::NewReferral n;
        n.id = Id(which);
        n.request_id = n.id;
        n.provider_id = "p" + std::to_string(how % 4);  // p3 is unknown to the store
        n.desk_id = "d";
        n.initial = static_cast<ReferralStatus>(how % wegwijzer::kReferralStatusCount);
        n.at = at;
        (void)store.Create(n);
        break;
      }
      case 1:
      case 2: {
        wegwijzer::ReferralTransition t;
        t.referral_id = Id(which);
        t.to = static_cast<ReferralStatus>(how % wegwijzer::kReferralStatusCount);
        t.actor = static_cast<wegwijzer::ReferralActor>((how / 10) % 3);
        t.reason.code = static_cast<wegwijzer::ReasonCode>((how / 30) % 9);
        t.at = at;
        (void)store.Apply(t);
        break;
      }
      case 3: (void)store.ExpireOverdue(at); break;
      default: {
        wegwijzer::ReferralBatch batch;
        for (int k = 0; k < how % 4; ++k) {
          wegwijzer::ReferralTransition t;
          t.referral_id = Id(static_cast<uint8_t>(which + k));
          t.to = static_cast<ReferralStatus>((how + k) % wegwijzer::kReferralStatusCount);
          t.actor = wegwijzer::ReferralActor::kReceivingProvider;
          t.reason.code = wegwijzer::ReasonCode::kOther;
          batch.transitions.push_back(t);
        }
        (void)store.Commit(batch);
      }
    }
  }
  if (!store.Verify().ok()) std::abort();  // Verify also checks capacity
  (void)store.Outcomes();
}

void StoreFile(const uint8_t* data, size_t size) {
  const std::string path = TempPath();
  RemoveStore(path);
  std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char*>(data),
                                              static_cast<std::streamsize>(size));
  {
    auto store = wegwijzer::OpenSqliteStore(path, {.durable = false});
    if (store.ok()) {
      (void)(*store)->Verify();
      (void)(*store)->Get("r1");
      (void)(*store)->OpenOfProvider("p1");
      (void)(*store)->Events(0, 1000);
      (void)(*store)->Outcomes();
      (void)(*store)->Apply({.referral_id = "r1",
                             .to = ReferralStatus::kAccepted,
                             .actor = wegwijzer::ReferralActor::kReceivingProvider});
    }
  }
  RemoveStore(path);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0 || size > (1 << 20)) return 0;
  if (data[0] % 2 == 0) Operations(data + 1, size - 1);
  else StoreFile(data + 1, size - 1);
  return 0;
}
