// Internal to `wegwijzer serve`: match jobs (POST /v1/match, GET /v1/jobs/{id}).
// A waiting list is planned by Matcher::TryMatch on a job thread of its own, never on
// an I/O thread; the caller polls the job's progress and, when done, its plan.
//
// Bounds: at most max_jobs jobs queued or running (beyond: kResourceExhausted, the
// API's 503 with Retry-After); at most keep_finished finished jobs are kept (the
// oldest finished job is dropped first; its id then answers 404).
//
// Shutdown (SIGTERM): Drain() refuses new jobs (kUnavailable) and waits until every
// job queued or running has finished; the server keeps answering meanwhile, so the
// plans can be fetched, and WaitFetched() waits (up to a grace time) until each
// finished job still kept has been read once. The matcher cannot be
// interrupted, so a job is finished, never cancelled.
//
// Thread-safety: thread-safe.
#ifndef WEGWIJZER_BINDINGS_SERVER_MATCH_JOBS_H_
#define WEGWIJZER_BINDINGS_SERVER_MATCH_JOBS_H_

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "wegwijzer/matcher.h"

namespace wegwijzer::server {

struct MatchJobsOptions {
  // Jobs queued or running at most (inclusive). DEFAULT: 4.
  int max_jobs = 4;
  // Threads that run jobs (each runs one job at a time). DEFAULT: 1.
  int threads = 1;
  // Finished jobs kept for GET (inclusive). DEFAULT: 64.
  int keep_finished = 64;
  // MatchOptions::threads of each job. DEFAULT: 1 (the I/O threads keep the rest).
  int match_threads = 1;
  // TryMatch's memory limit per job, bytes. DEFAULT: 2 GiB.
  int64_t max_memory_bytes = int64_t{2} << 30;
};

class MatchJobs {
 public:
  explicit MatchJobs(MatchJobsOptions options = {});
  ~MatchJobs();  // Drain(), then the job threads end.
  MatchJobs(const MatchJobs&) = delete;
  MatchJobs& operator=(const MatchJobs&) = delete;

  // Queues a job planning `requests` on `directory` (whose version the job names);
  // its id (32 hex digits from OpenSSL's RAND_bytes). kResourceExhausted when
  // max_jobs are queued or running; kUnavailable after Drain.
  // REQUIRES: the requests valid, ids unique (Matcher::Match's REQUIRES).
  absl::StatusOr<std::string> Submit(std::shared_ptr<const Directory> directory,
                                     std::string version, std::vector<Request> requests,
                                     MatchOptions options);

  // The job as wegwijzer.v1.MatchJob JSON, or nullopt for an unknown id. A finished
  // job's JSON is made once, when it finishes; reading it marks the job fetched.
  std::optional<std::string> JobJson(std::string_view id);

  // Refuses new jobs from now on and blocks until no job is queued or running.
  void Drain();
  // Blocks until every finished job has been read (JobJson) or `grace` has passed;
  // whether every one was read.
  bool WaitFetched(std::chrono::milliseconds grace);

  // Jobs queued or running.
  int active() const;

 private:
  struct Job;
  void Work();

  const MatchJobsOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<std::shared_ptr<Job>> queue_;                        // guarded by mutex_
  std::unordered_map<std::string, std::shared_ptr<Job>> jobs_;    // guarded by mutex_
  std::deque<std::string> finished_;                              // guarded by mutex_
  int active_ = 0;                                                // guarded by mutex_
  bool draining_ = false;                                         // guarded by mutex_
  bool ending_ = false;                                           // guarded by mutex_
  std::vector<std::thread> threads_;
};

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_BINDINGS_SERVER_MATCH_JOBS_H_
