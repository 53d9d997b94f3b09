// The referral store under concurrency and crashes (issue 13, item 6):
// Each test runs on SQLite and on PostgreSQL (store_backends.h).
// * 8 threads and 4 processes on one store never over-book a provider, and
//   every referral a writer was told is committed is in the store;
// * a writer process killed with SIGKILL at random moments during a stream of
//   transitions and batches: after each restart every transition it was told is
//   committed is there, no batch is half there, the log folds to the kept state
//   and no provider is over capacity. WEGWIJZER_CRASH_ROUNDS sets the number of
//   kills (default 50; the 200 is run by hand, see README).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "referral/store_backends.h"
#include "wegwijzer/referral_store.h"

namespace wegwijzer {
namespace {

namespace fs = std::filesystem;

constexpr int kProviders = 4;
constexpr int64_t kCapacity = 3;

std::string ProviderName(int p) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "p%d", p);
  return buffer;
}

// Runs on every backend (store_backends.h): one SQLite file, or one PostgreSQL
// database, shared by all the writers of a test.
class ReferralCrashTest : public ::testing::TestWithParam<testing_backends::Backend> {
 protected:
  void SetUp() override {
    location_.SetUp(GetParam(), "crash");
    path_ = location_.location();
  }
  void TearDown() override { location_.TearDown(); }
  testing_backends::StoreLocation location_;
  std::string path_;  // The store's location: a file path or a PostgreSQL URI.
};

// One writer's random walk: refer (at a random provider; refused when full), or
// move one of its open referrals on. Counts what it did; `error` is set on an
// unexpected failure.
struct WorkerResult {
  int64_t created = 0, refused_full = 0, moved = 0;
  std::string error;
};

WorkerResult Work(ReferralStore& store, const std::string& name, uint32_t seed, int steps) {
  WorkerResult result;
  std::mt19937 rng(seed);
  std::vector<std::string> mine;
  for (int step = 0; step < steps; ++step) {
    if (mine.empty() || rng() % 3 == 0) {
      NewReferral n;
      n.id = name + "-" + std::to_string(step);
      n.request_id = n.id;
      n.provider_id = ProviderName(static_cast<int>(rng() % kProviders));
      n.desk_id = name;
      n.topics.Add(Topic::kBenefits);
      auto made = store.Create(n);
      if (made.ok()) {
        ++result.created;
        mine.push_back(n.id);
      } else if (made.status().code() == absl::StatusCode::kResourceExhausted) {
        ++result.refused_full;
      } else {
        result.error = std::string(made.status().message());
        return result;
      }
      continue;
    }
    const size_t pick = rng() % mine.size();
    auto record = store.Get(mine[pick]);
    if (!record.ok()) {
      result.error = std::string(record.status().message());
      return result;
    }
    ReferralTransition t{.referral_id = mine[pick],
                         .actor = ReferralActor::kReceivingProvider,
                         .reason = {ReasonCode::kOther, "test"}};
    switch (record->status) {
      case ReferralStatus::kRequested:
        t.to = rng() % 2 ? ReferralStatus::kAccepted : ReferralStatus::kRejected;
        break;
      case ReferralStatus::kAccepted: t.to = ReferralStatus::kInProgress; break;
      case ReferralStatus::kInProgress:
        t.to = rng() % 2 ? ReferralStatus::kCompleted : ReferralStatus::kCancelled;
        break;
      default: mine.erase(mine.begin() + static_cast<long>(pick)); continue;
    }
    auto e = store.Apply(t);
    if (!e.ok()) {
      result.error = std::string(e.status().message());
      return result;
    }
    ++result.moved;
    if (IsFinal(t.to)) mine.erase(mine.begin() + static_cast<long>(pick));
  }
  return result;
}

int64_t CountCreations(ReferralStore& store) {
  auto events = store.Events(0, int64_t{1} << 40);
  EXPECT_TRUE(events.ok()) << events.status();
  int64_t n = 0;
  for (const ReferralEvent& e : *events) n += !e.from.has_value();
  return n;
}

TEST_P(ReferralCrashTest, EightThreadsAndFourProcessesNeverOverBook) {
  constexpr int kThreads = 8, kProcesses = 4, kSteps = 150;
  const ReferralStoreOptions options{.durable = false};  // locking is what is tested here
  {
    auto store = OpenReferralStore(path_, options);
    ASSERT_TRUE(store.ok()) << store.status();
    for (int p = 0; p < kProviders; ++p)
      ASSERT_TRUE((*store)->SetCapacity(ProviderName(p), kCapacity).ok());
  }
  // The processes first, while this process has one thread.
  std::vector<std::pair<pid_t, int>> children;
  for (int c = 0; c < kProcesses; ++c) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      auto store = OpenReferralStore(path_, options);
      WorkerResult r;
      if (!store.ok()) r.error = std::string(store.status().message());
      else r = Work(**store, "proc" + std::to_string(c), 100 + c, kSteps);
      const std::string line = std::to_string(r.created) + " " + r.error + "\n";
      (void)!::write(fds[1], line.data(), line.size());
      ::_exit(r.error.empty() ? 0 : 1);
    }
    ::close(fds[1]);
    children.push_back({pid, fds[0]});
  }
  std::atomic<bool> done{false};
  std::atomic<int64_t> over{0}, checks{0};
  std::string watcher_error;  // written by the watcher only, read after join
  // Reads the counts all the while, from its own connection, and at least once: on a
  // loaded machine the writers may all be done before the watcher's first round.
  std::thread watcher([&] {
    auto store = OpenReferralStore(path_, options);
    if (!store.ok()) {
      watcher_error = std::string(store.status().message());
      return;
    }
    do {
      for (int p = 0; p < kProviders; ++p) {
        auto n = (*store)->ActiveCount(ProviderName(p));
        if (n.ok() && *n > kCapacity) ++over;
        ++checks;
      }
    } while (!done.load());
  });
  std::vector<WorkerResult> results(kThreads);
  std::vector<std::thread> threads;
  auto shared = OpenReferralStore(path_, options);  // half the threads share one store
  ASSERT_TRUE(shared.ok());
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      if (t % 2 == 0) {
        results[t] = Work(**shared, "thread" + std::to_string(t), 200 + t, kSteps);
        return;
      }
      auto own = OpenReferralStore(path_, options);
      if (!own.ok()) {
        results[t].error = std::string(own.status().message());
        return;
      }
      results[t] = Work(**own, "thread" + std::to_string(t), 200 + t, kSteps);
    });
  }
  for (auto& thread : threads) thread.join();
  int64_t created = 0, refused = 0;
  for (const WorkerResult& r : results) {
    EXPECT_EQ(r.error, "");
    created += r.created;
    refused += r.refused_full;
  }
  for (auto [pid, fd] : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    char buffer[4096];
    const ssize_t n = ::read(fd, buffer, sizeof buffer - 1);
    ::close(fd);
    ASSERT_GT(n, 0);
    buffer[n] = 0;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << buffer;
    created += std::atoll(buffer);
  }
  done = true;
  watcher.join();
  EXPECT_EQ(watcher_error, "");
  EXPECT_EQ(over.load(), 0);
  EXPECT_GT(checks.load(), 0);
  EXPECT_GT(refused, 0) << "the test should run providers full";
  EXPECT_EQ(CountCreations(**shared), created);  // no committed referral lost
  EXPECT_TRUE((*shared)->Verify().ok()) << (*shared)->Verify();
}

// The writer the crash test kills: a stream of creations, transitions and batches
// of 5 creations, reporting on `fd` each event after its commit returned:
// "e <sequence> <referral id> <to>". Batch referrals are named b<batch>-<i>.
[[noreturn]] void CrashWriter(const std::string& path, int round, int fd) {
  auto opened = OpenReferralStore(path, {.durable = true});
  if (!opened.ok()) ::_exit(3);
  ReferralStore& store = **opened;
  for (int p = 0; p < kProviders; ++p) (void)store.SetCapacity(ProviderName(p), kCapacity);
  std::mt19937 rng(static_cast<uint32_t>(round) * 7919u + 1);
  std::vector<std::string> open;
  for (int p = 0; p < kProviders; ++p) {
    auto list = store.OpenOfProvider(ProviderName(p));
    if (list.ok())
      for (const auto& r : *list) open.push_back(r.referral.id);
  }
  (void)!::write(fd, "ready\n", 6);  // opened: the stream starts
  auto report = [&](const ReferralEvent& e) {
    const std::string line = "e " + std::to_string(e.sequence) + " " + e.referral_id + " " +
                             std::string(ReferralStatusCode(e.to)) + "\n";
    (void)!::write(fd, line.data(), line.size());
  };
  for (int step = 0;; ++step) {
    const std::string base = "w" + std::to_string(round) + "-" + std::to_string(step);
    const uint32_t dice = rng() % 10;
    if (dice < 2) {  // a batch: 5 creations, all or none
      ReferralBatch batch;
      for (int i = 0; i < 5; ++i) {
        NewReferral n;
        n.id = "b" + base + "-" + std::to_string(i);
        n.request_id = n.id;
        n.provider_id = ProviderName(static_cast<int>(rng() % kProviders));
        n.desk_id = "desk";
        n.initial = ReferralStatus::kDraft;  // drafts: a batch is never refused as full
        batch.creations.push_back(n);
      }
      auto events = store.Commit(batch);
      if (events.ok()) {
        for (const auto& e : *events) {
          report(e);
          open.push_back(e.referral_id);
        }
      }
    } else if (dice < 5 || open.empty()) {
      NewReferral n;
      n.id = "s" + base;
      n.request_id = n.id;
      n.provider_id = ProviderName(static_cast<int>(rng() % kProviders));
      n.desk_id = "desk";
      auto made = store.Create(n);
      if (made.ok()) {
        report(made->history.back());
        open.push_back(n.id);
      }
    } else {
      const size_t pick = rng() % open.size();
      auto record = store.Get(open[pick]);
      if (!record.ok()) continue;
      ReferralTransition t{.referral_id = open[pick],
                           .actor = ReferralActor::kReceivingProvider,
                           .reason = {ReasonCode::kNoCapacity, "full"}};
      switch (record->status) {
        case ReferralStatus::kDraft:
          t.to = ReferralStatus::kRequested;
          t.actor = ReferralActor::kReferringDesk;
          break;
        case ReferralStatus::kRequested:
          t.to = rng() % 2 ? ReferralStatus::kAccepted : ReferralStatus::kRejected;
          break;
        case ReferralStatus::kAccepted: t.to = ReferralStatus::kInProgress; break;
        case ReferralStatus::kInProgress: t.to = ReferralStatus::kCompleted; break;
        default: open.erase(open.begin() + static_cast<long>(pick)); continue;
      }
      auto e = store.Apply(t);
      if (e.ok()) report(*e);
    }
  }
}

TEST_P(ReferralCrashTest, SigkillAtRandomMomentsLosesNothingAndHalvesNothing) {
  int rounds = 50;
  if (const char* env = std::getenv("WEGWIJZER_CRASH_ROUNDS")) rounds = std::atoi(env);
  std::mt19937 rng(12345);
  std::map<int64_t, std::pair<std::string, std::string>> told;  // sequence -> referral, to
  int64_t kills_after_progress = 0;
  for (int round = 0; round < rounds; ++round) {
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      ::close(fds[0]);
      CrashWriter(path_, round, fds[1]);
    }
    ::close(fds[1]);
    // Read the reports until a random moment (0..150 ms into the stream), then kill.
    // Every tenth round does not wait for the writer to be ready, so some kills
    // land while it opens (and, in round 0, creates) the store.
    std::string data;
    char buffer[65536];
    if (round % 10 != 9) {
      const auto limit = std::chrono::steady_clock::now() + std::chrono::seconds(30);
      while (data.find('\n') == std::string::npos && std::chrono::steady_clock::now() < limit) {
        pollfd p{fds[0], POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
          const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
          if (n <= 0) break;
          data.append(buffer, static_cast<size_t>(n));
        }
      }
    }
    const auto deadline = std::chrono::steady_clock::now() +
                          std::chrono::microseconds(rng() % 150000);
    for (;;) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                            deadline - std::chrono::steady_clock::now())
                            .count();
      if (left <= 0) break;
      pollfd p{fds[0], POLLIN, 0};
      if (::poll(&p, 1, static_cast<int>(left)) > 0) {
        const ssize_t n = ::read(fds[0], buffer, sizeof buffer);
        if (n <= 0) break;
        data.append(buffer, static_cast<size_t>(n));
      }
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(status)) << "round " << round << ": the writer ended by itself";
    for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
      data.append(buffer, static_cast<size_t>(n));
    ::close(fds[0]);
    // Only whole lines were surely committed; a last half line is dropped.
    data.erase(data.rfind('\n') == std::string::npos ? 0 : data.rfind('\n') + 1);
    if (data.compare(0, 6, "ready\n") == 0) data.erase(0, 6);
    std::istringstream lines(data);
    std::string kind, referral, to;
    int64_t sequence = 0, reported = 0;
    while (lines >> kind >> sequence >> referral >> to) {
      told[sequence] = {referral, to};
      ++reported;
    }
    kills_after_progress += reported > 0;
    // Restart: everything told is there, the log folds, nothing over capacity.
    auto store = OpenReferralStore(path_, {.durable = false});
    ASSERT_TRUE(store.ok()) << "round " << round << ": " << store.status();
    ASSERT_TRUE((*store)->Verify().ok()) << "round " << round << ": " << (*store)->Verify();
    auto events = (*store)->Events(0, int64_t{1} << 40);
    ASSERT_TRUE(events.ok());
    std::map<int64_t, const ReferralEvent*> by_sequence;
    std::map<std::string, int> batch_sizes;
    for (const ReferralEvent& e : *events) {
      by_sequence[e.sequence] = &e;
      if (!e.from && e.referral_id[0] == 'b')
        ++batch_sizes[e.referral_id.substr(0, e.referral_id.rfind('-'))];
    }
    for (const auto& [seq, what] : told) {
      auto it = by_sequence.find(seq);
      ASSERT_NE(it, by_sequence.end()) << "round " << round << ": committed event " << seq
                                       << " of " << what.first << " is lost";
      EXPECT_EQ(it->second->referral_id, what.first);
      EXPECT_EQ(ReferralStatusCode(it->second->to), what.second);
    }
    for (const auto& [batch, size] : batch_sizes)
      ASSERT_EQ(size, 5) << "round " << round << ": batch " << batch << " is half there";
  }
  // The moments must be spread: most kills land after the writer made progress.
  EXPECT_GT(kills_after_progress, rounds / 2);
  std::printf("crash test: %d kills, %zu committed events checked\n", rounds, told.size());
}

INSTANTIATE_TEST_SUITE_P(Backends, ReferralCrashTest, testing_backends::AllBackends(),
                         testing_backends::BackendName);

}  // namespace
}  // namespace wegwijzer
