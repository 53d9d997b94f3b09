// Match jobs (match_jobs.h).
#include "match_jobs.h"

#include <openssl/rand.h>

#include <algorithm>
#include <atomic>
#include <new>
#include <utility>

#include "absl/strings/str_format.h"
#include "core/text.h"
#include "google/protobuf/util/json_util.h"
#include "wegwijzer/v1/plan.pb.h"
#include "wegwijzer/v1/service.pb.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;

struct MatchJobs::Job {
  std::string id;
  std::shared_ptr<const Directory> directory;
  std::string version;
  std::vector<Request> requests;  // until it finishes
  int64_t total = 0;
  MatchOptions options;
  std::atomic<int64_t> placed{0};
  // Guarded by MatchJobs::mutex_:
  std::string state = "queued";
  std::string json;  // when finished
  bool fetched = false;
};

namespace {

std::string ToJson(const v1::MatchJob& job) {
  std::string out;
  google::protobuf::util::JsonPrintOptions print;
  print.preserve_proto_field_names = true;
  if (!google::protobuf::util::MessageToJsonString(job, &out, print).ok()) {
    return "{\"error\":\"could not write the job as JSON\"}\n";
  }
  out.push_back('\n');
  return out;
}

}  // namespace

MatchJobs::MatchJobs(MatchJobsOptions options) : options_(options) {
  const int threads = std::max(1, options_.threads);
  threads_.reserve(threads);
  for (int i = 0; i < threads; ++i) threads_.emplace_back([this] { Work(); });
}

MatchJobs::~MatchJobs() {
  Drain();
  {
    std::lock_guard<std::mutex> lock(mutex_);
    ending_ = true;
  }
  changed_.notify_all();
  for (std::thread& t : threads_) t.join();
}

absl::StatusOr<std::string> MatchJobs::Submit(std::shared_ptr<const Directory> directory,
                                              std::string version,
                                              std::vector<Request> requests,
                                              MatchOptions options) {
  unsigned char random[16];
  if (RAND_bytes(random, sizeof random) != 1) {
    return absl::UnavailableError("OpenSSL's RAND_bytes could not make a job id");
  }
  std::string id;
  for (unsigned char c : random) absl::StrAppendFormat(&id, "%02x", c);
  auto job = std::make_shared<Job>();
  job->id = id;
  job->directory = std::move(directory);
  job->version = std::move(version);
  job->total = static_cast<int64_t>(requests.size());
  job->requests = std::move(requests);
  job->options = std::move(options);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (draining_) {
      return absl::UnavailableError("the server is stopping and takes no new jobs");
    }
    if (active_ >= options_.max_jobs) {
      return absl::ResourceExhaustedError(internal::Cat(
          active_, " match jobs are queued or running, this server's limit; try again later"));
    }
    ++active_;
    jobs_.emplace(id, job);
    queue_.push_back(std::move(job));
  }
  changed_.notify_all();
  return id;
}

void MatchJobs::Work() {
  while (true) {
    std::shared_ptr<Job> job;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      changed_.wait(lock, [&] { return ending_ || !queue_.empty(); });
      if (queue_.empty()) return;  // ending, nothing left
      job = std::move(queue_.front());
      queue_.pop_front();
      job->state = "running";
    }
    v1::MatchJob out;
    out.set_id(job->id);
    out.set_directory_version(job->version);
    out.set_total(job->total);
    MatchOptions options = job->options;
    options.threads = options_.match_threads;
    options.max_memory_bytes = options_.max_memory_bytes;
    Job* raw = job.get();
    options.progress = [raw](int64_t placed, int64_t) {
      raw->placed.store(placed, std::memory_order_relaxed);
    };
    try {
      const Matcher matcher(job->directory);
      absl::StatusOr<MatchPlan> plan = matcher.TryMatch(job->requests, options);
      if (plan.ok()) {
        matcher.ToProto(job->requests, *plan, out.mutable_plan());
        out.set_state("done");
        out.set_placed(out.total());
      } else {
        out.set_state("failed");
        out.set_error(std::string(plan.status().message()));
      }
    } catch (const std::bad_alloc&) {
      out.clear_plan();
      out.set_state("failed");
      out.set_error("out of memory planning this waiting list; split it");
    }
    std::string json = ToJson(out);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      job->state = out.state();
      job->json = std::move(json);
      job->requests = {};   // the plan holds what is needed
      job->directory = nullptr;
      --active_;
      finished_.push_back(job->id);
      while (static_cast<int>(finished_.size()) > std::max(0, options_.keep_finished)) {
        jobs_.erase(finished_.front());
        finished_.pop_front();
      }
    }
    changed_.notify_all();
  }
}

std::optional<std::string> MatchJobs::JobJson(std::string_view id) {
  std::shared_ptr<Job> job;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = jobs_.find(std::string(id));
    if (it == jobs_.end()) return std::nullopt;
    job = it->second;
    if (!job->json.empty()) {
      const bool first = !job->fetched;
      job->fetched = true;
      std::string json = job->json;
      if (first) changed_.notify_all();
      return json;
    }
  }
  v1::MatchJob out;
  out.set_id(job->id);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    out.set_state(job->state);
  }
  out.set_directory_version(job->version);
  out.set_total(job->total);
  out.set_placed(job->placed.load(std::memory_order_relaxed));
  return ToJson(out);
}

void MatchJobs::Drain() {
  std::unique_lock<std::mutex> lock(mutex_);
  draining_ = true;
  changed_.wait(lock, [&] { return active_ == 0; });
}

bool MatchJobs::WaitFetched(std::chrono::milliseconds grace) {
  std::unique_lock<std::mutex> lock(mutex_);
  return changed_.wait_for(lock, grace, [&] {
    for (const std::string& id : finished_) {
      auto it = jobs_.find(id);
      if (it != jobs_.end() && !it->second->fetched) return false;
    }
    return true;
  });
}

int MatchJobs::active() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return active_;
}

}  // namespace wegwijzer::server
