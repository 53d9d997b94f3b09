// Load test of `wegwijzer serve` (issue 14's targets) over C keep-alive connections on
// loopback, against a directory of N providers generated on the real map
// (GenerateDutchScenario, seed 1, ../shared/data). Not a Google Benchmark: a bounded
// run (at most --requests calls or --seconds) that prints calls per second and
// latency percentiles, measured by the client from the first byte sent to the last
// byte of the response read. What each call is:
//   POST /v1/route with one request (JSON, or --protobuf 1), the default;
//   POST /v1/route with a batch of --batch B requests (referrals per second printed:
//     the referrals in the responses, counted once per distinct body beforehand);
//   GET /services?page=1&per_page=50 with --services S (an HSDS directory of S
//     services, generated as bench/openreferral_benchmark.cc does: hsds_directory.h);
//     with --full 1, &full=true (service_full records instead of service_list).
// --idle I first opens I keep-alive connections that each make one GET /healthz and
// then stay idle through the run, and prints the process's resident memory before and
// after (the client's side of those connections is a file descriptor each, in the
// kernel, so the growth is the server's).
//
// The server runs in this process (Api + Server, as `wegwijzer serve` runs them) on
// --server-threads threads; the client on --client-threads threads, each driving
// its share of the connections with poll(). Both share the machine's cores: the
// printed CPU split says how much the client took.
//
//   build/release/bench/wegwijzer_server_load [--providers 5000] [--clients 64]
//       [--requests 200000] [--seconds 20] [--server-threads 2] [--client-threads 1]
//       [--protobuf 0|1] [--batch 1] [--services 0] [--full 0|1] [--idle 0] [--direct 0]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "api.h"
#include "google/protobuf/util/json_util.h"
#include "hsds_directory.h"
#include "server.h"
#include "wegwijzer/directory.h"
#include "wegwijzer/dutch_scenario.h"
#include "wegwijzer/gazetteer.h"
#include "wegwijzer/v1/directory.pb.h"
#include "wegwijzer/v1/request.pb.h"

namespace {

using Clock = std::chrono::steady_clock;

struct Options {
  int providers = 5000, clients = 64, requests = 200'000, seconds = 20;
  int server_threads = 2, client_threads = 1;
  int direct = 0;  // > 0: also time this many Api::Handle calls without sockets
  int protobuf = 0;  // 1: application/x-protobuf bodies instead of JSON
  int batch = 1;     // requests per POST /v1/route
  int services = 0;  // > 0: GET /services on a directory of this many HSDS services
  int idle = 0;      // idle keep-alive connections held open through the run
  int full = 0;      // 1: GET /services?...&full=true (service_full records, not service_list)
};

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string one, five, fifteen;
  in >> one >> five >> fifteen;
  return one + " " + five + " " + fifteen;
}

// The resident set of this process, KiB (VmRSS).
long ResidentKib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::atol(line.c_str() + 6);
  }
  return -1;
}

int ConnectLoopback(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("connect");
    std::exit(1);
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

// One GET /healthz on `fd`, read to the end of its response; false on an error.
bool Healthz(int fd) {
  static constexpr std::string_view kCall = "GET /healthz HTTP/1.1\r\nHost: bench\r\n\r\n";
  if (::send(fd, kCall.data(), kCall.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(kCall.size())) {
    return false;
  }
  std::string in;
  char chunk[4096];
  while (true) {
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    in.append(chunk, static_cast<size_t>(n));
    const size_t head = in.find("\r\n\r\n");
    const size_t at = in.find("Content-Length: ");
    if (head == std::string::npos || at == std::string::npos) continue;
    if (in.size() >= head + 4 + std::strtoul(in.c_str() + at + 16, nullptr, 10)) {
      return in.compare(9, 3, "200") == 0;
    }
  }
}

double ThreadCpuSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + t.tv_nsec / 1e9;
}

double ProcessCpuSeconds() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

struct Connection {
  int fd = -1;
  std::string in;  // the response's bytes until its header is whole
  size_t sent = 0;
  const std::string* request = nullptr;
  size_t body = 0;
  Clock::time_point start;
  // Once the header is read: the status's 200-ness and the body bytes still to come
  // (counted, not kept: the client costs a recv per chunk, not a copy of the body).
  bool header_done = false;
  bool ok = false;
  size_t body_left = 0;
};

// Drives `count` connections until `remaining` calls are used up or the deadline.
void Client(uint16_t port, int count, const std::vector<std::string>& bodies,
            const std::vector<int64_t>& referrals_per_body, std::atomic<int64_t>* remaining,
            Clock::time_point deadline, std::vector<int64_t>* latencies_us, int64_t* errors,
            int64_t* referrals, double* cpu, size_t seed) {
  std::vector<Connection> connections(count);
  std::vector<pollfd> polls(count);
  size_t next = seed;
  auto begin = [&](Connection& c) {
    if (remaining->fetch_sub(1) <= 0 || Clock::now() >= deadline) {
      ::close(c.fd);
      c.fd = -1;
      return;
    }
    c.body = next++ % bodies.size();
    c.request = &bodies[c.body];
    c.sent = 0;
    c.in.clear();
    c.header_done = false;
    c.start = Clock::now();
  };
  for (int i = 0; i < count; ++i) {
    Connection& c = connections[i];
    c.fd = ConnectLoopback(port);
    begin(c);
  }
  char chunk[65536];
  int open = count;
  while (open > 0) {
    for (int i = 0; i < count; ++i) {
      const Connection& c = connections[i];
      polls[i].fd = c.fd;
      polls[i].events = c.fd < 0 ? 0 : (c.sent < c.request->size() ? POLLOUT : POLLIN);
      polls[i].revents = 0;
    }
    if (::poll(polls.data(), polls.size(), 1000) < 0) break;
    open = 0;
    for (int i = 0; i < count; ++i) {
      Connection& c = connections[i];
      if (c.fd < 0) continue;
      ++open;
      if (polls[i].revents & POLLOUT) {
        const ssize_t n = ::send(c.fd, c.request->data() + c.sent, c.request->size() - c.sent,
                                 MSG_NOSIGNAL);
        if (n > 0) c.sent += static_cast<size_t>(n);
      } else if (polls[i].revents & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t n = ::recv(c.fd, chunk, sizeof chunk, 0);
        if (n <= 0) {
          ++*errors;
          ::close(c.fd);
          c.fd = -1;
          continue;
        }
        size_t got = static_cast<size_t>(n);
        if (!c.header_done) {
          // Only the header is kept: when it ends in this chunk, the body's bytes are
          // not copied.
          const size_t searched = c.in.size() >= 3 ? c.in.size() - 3 : 0;
          const std::string_view part(chunk, got);
          const size_t end_here = part.find("\r\n\r\n");
          const size_t kept = end_here == std::string_view::npos ? got : end_here + 4;
          c.in.append(chunk, kept);
          const size_t head = c.in.find("\r\n\r\n", searched);
          if (head == std::string::npos) continue;
          const size_t at = c.in.find("Content-Length: ");
          if (at == std::string::npos || at > head) {
            ++*errors;  // every answer of the server has a Content-Length
            ::close(c.fd);
            c.fd = -1;
            continue;
          }
          c.header_done = true;
          c.ok = c.in.compare(9, 3, "200") == 0;
          c.body_left = std::strtoul(c.in.c_str() + at + 16, nullptr, 10);
          // Body bytes already read: those kept after the header, and the rest of the chunk.
          got = (c.in.size() - (head + 4)) + (got - kept);
        }
        if (got < c.body_left) {
          c.body_left -= got;
          continue;
        }
        latencies_us->push_back(
            std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - c.start).count());
        if (!c.ok) {
          ++*errors;
        } else if (!referrals_per_body.empty()) {
          *referrals += referrals_per_body[c.body];
        }
        begin(c);
      }
    }
  }
  *cpu = ThreadCpuSeconds();
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view flag = argv[i];
    const int value = std::atoi(argv[i + 1]);
    if (flag == "--providers") o.providers = value;
    else if (flag == "--clients") o.clients = value;
    else if (flag == "--requests") o.requests = value;
    else if (flag == "--seconds") o.seconds = value;
    else if (flag == "--server-threads") o.server_threads = value;
    else if (flag == "--client-threads") o.client_threads = value;
    else if (flag == "--direct") o.direct = value;
    else if (flag == "--protobuf") o.protobuf = value;
    else if (flag == "--batch") o.batch = std::max(1, value);
    else if (flag == "--services") o.services = value;
    else if (flag == "--idle") o.idle = value;
    else if (flag == "--full") o.full = value;
    else {
      std::cerr << "unknown option " << flag << "\n";
      return 2;
    }
  }
  const std::string data = WEGWIJZER_SHARED_DATA_DIR;
  auto gazetteer = wegwijzer::Gazetteer::Load(data + "/municipalities/gemeenten_2023_wgs84.geojson",
                                              data + "/pc4/pc4_centroids.csv");
  if (!gazetteer.ok()) {
    std::cerr << gazetteer.status() << "\n";
    return 1;
  }
  auto people = wegwijzer::ReadPostcodeDemographicsCsv(data + "/pc4/pc4_centroids.csv");
  if (!people.ok()) {
    std::cerr << people.status() << "\n";
    return 1;
  }
  auto scenario = wegwijzer::GenerateDutchScenario(**gazetteer, *people,
                                                   {.seed = 1, .requests = 10'000, .providers = o.providers});
  if (!scenario.ok()) {
    std::cerr << scenario.status() << "\n";
    return 1;
  }
  wegwijzer::v1::DirectorySnapshot snapshot = *scenario->directory;
  if (o.services > 0) *snapshot.mutable_hsds() = wegwijzer::MakeHsdsDirectory(o.services, 1);
  auto directory = wegwijzer::Directory::Create(snapshot);
  if (!directory.ok()) {
    std::cerr << directory.status() << "\n";
    return 1;
  }
  std::vector<std::string> bodies;
  const char* const type = o.protobuf ? "application/x-protobuf" : "application/json";
  const std::string services_target =
      std::string("/services?page=1&per_page=50") + (o.full ? "&full=true" : "");
  if (o.services > 0) {
    bodies.push_back("GET " + services_target + " HTTP/1.1\r\nHost: bench\r\n\r\n");
  } else {
    const auto& requests = scenario->requests;
    for (size_t first = 0; first < requests.size(); first += static_cast<size_t>(o.batch)) {
      wegwijzer::v1::RouteRequest call;
      if (o.batch == 1) {
        requests[first].ToProto(call.mutable_request());
      } else {
        for (size_t i = first; i < std::min(requests.size(), first + o.batch); ++i) {
          requests[i].ToProto(call.add_requests());
        }
      }
      std::string body;
      if (o.protobuf) {
        call.SerializeToString(&body);
      } else {
        (void)google::protobuf::util::MessageToJsonString(call, &body);
      }
      bodies.push_back(std::string("POST /v1/route HTTP/1.1\r\nHost: bench\r\nContent-Type: ") +
                       type + "\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                       body);
    }
  }
  wegwijzer::server::Api api(wegwijzer::server::Serve(*directory), nullptr);
  auto call_of = [&](const std::string& http) {
    const size_t head = http.find("\r\n\r\n");
    const std::string_view line = std::string_view(http).substr(0, http.find(' ', 4));
    const bool get = line.starts_with("GET");
    wegwijzer::server::HttpRequest call{
        .method = get ? "GET" : "POST",
        .target = get ? std::string_view(services_target) : std::string_view("/v1/route"),
        .content_type = get ? std::string_view() : std::string_view(type),
        .body = std::string_view(http).substr(head + 4)};
    return call;
  };
  // The referrals each distinct body is answered with (protobuf answers, counted).
  std::vector<int64_t> referrals_per_body;
  int64_t routed_per_pass = 0;
  if (o.services == 0) {
    for (const std::string& http : bodies) {
      wegwijzer::server::HttpRequest call = call_of(http);
      call.accept = "application/x-protobuf";
      wegwijzer::v1::RouteResponse answer;
      if (!answer.ParseFromString(api.Handle(call).body)) {
        std::cerr << "a bench body was not answered\n";
        return 1;
      }
      int64_t n = 0;
      for (const auto& result : answer.results()) n += result.referrals_size();
      referrals_per_body.push_back(n);
      routed_per_pass += answer.results_size();
    }
  }
  if (o.direct > 0) {
    // The API alone, one thread: what a call costs before any networking.
    const double before = ThreadCpuSeconds();
    size_t bytes = 0;
    for (int i = 0; i < o.direct; ++i) {
      const wegwijzer::server::HttpResponse r = api.Handle(call_of(bodies[i % bodies.size()]));
      bytes += r.body.size();
      for (std::string_view piece : r.more) bytes += piece.size();
    }
    const double spent = ThreadCpuSeconds() - before;
    std::printf("direct (%s): %d Api::Handle calls, %.1f us CPU each (%.0f calls/s per core); "
                "%zu response bytes on average\n",
                o.services > 0 ? "GET /services" : o.protobuf ? "protobuf" : "JSON", o.direct,
                spent / o.direct * 1e6, o.direct / spent, bytes / o.direct);
  }
  auto server = wegwijzer::server::Server::Start(
      {.port = 0, .threads = o.server_threads, .log = nullptr}, &api);
  if (!server.ok()) {
    std::cerr << server.status() << "\n";
    return 1;
  }
  std::printf("directory: %zu providers (GenerateDutchScenario seed 1), %d HSDS services; %zu "
              "distinct calls (%s, %d requests each), %zu bytes on average\n",
              (*directory)->size(), snapshot.hsds().services_size(), bodies.size(),
              o.services > 0 ? services_target.c_str() : o.protobuf ? "protobuf" : "JSON",
              o.services > 0 ? 0 : o.batch,
              [&] { size_t s = 0; for (auto& b : bodies) s += b.size(); return s / bodies.size(); }());
  if (!referrals_per_body.empty()) {
    int64_t total = 0;
    for (int64_t n : referrals_per_body) total += n;
    std::printf("answers: %.2f referrals per request on average (%lld referrals for %lld requests)\n",
                static_cast<double>(total) / routed_per_pass, static_cast<long long>(total),
                static_cast<long long>(routed_per_pass));
  }
  std::vector<int> idle_fds;
  if (o.idle > 0) {
    const long before = ResidentKib();
    for (int i = 0; i < o.idle; ++i) {
      idle_fds.push_back(ConnectLoopback((*server)->port()));
      if (!Healthz(idle_fds.back())) {
        std::fprintf(stderr, "idle connection %d: GET /healthz failed\n", i);
        return 1;
      }
    }
    const long after = ResidentKib();
    std::printf("idle: %d keep-alive connections, each after one GET /healthz; resident %ld KiB "
                "before, %ld KiB after: %.1f KiB per connection\n",
                o.idle, before, after, static_cast<double>(after - before) / o.idle);
  }
  std::printf("load average before: %s\n", LoadAverage().c_str());
  std::printf("load: %d keep-alive clients on %d client threads, server on %d threads, "
              "at most %d calls or %d s; %u cores\n",
              o.clients, o.client_threads, o.server_threads, o.requests, o.seconds,
              std::thread::hardware_concurrency());
  std::atomic<int64_t> remaining{o.requests};
  const double cpu_before = ProcessCpuSeconds();
  const Clock::time_point start = Clock::now();
  const Clock::time_point deadline = start + std::chrono::seconds(o.seconds);
  std::vector<std::vector<int64_t>> latencies(o.client_threads);
  std::vector<int64_t> errors(o.client_threads);
  std::vector<double> client_cpu(o.client_threads);
  std::vector<int64_t> referrals(o.client_threads);
  std::vector<std::thread> threads;
  for (int t = 0; t < o.client_threads; ++t) {
    const int count = o.clients / o.client_threads + (t < o.clients % o.client_threads);
    latencies[t].reserve(o.requests);
    threads.emplace_back(Client, (*server)->port(), count, std::cref(bodies),
                         std::cref(referrals_per_body), &remaining, deadline, &latencies[t],
                         &errors[t], &referrals[t], &client_cpu[t], static_cast<size_t>(t) * 7919);
  }
  for (std::thread& t : threads) t.join();
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  const double cpu = ProcessCpuSeconds() - cpu_before;
  std::vector<int64_t> all;
  int64_t error_count = 0;
  double client_cpu_total = 0;
  int64_t referral_count = 0;
  for (int t = 0; t < o.client_threads; ++t) {
    referral_count += referrals[t];
    all.insert(all.end(), latencies[t].begin(), latencies[t].end());
    error_count += errors[t];
    client_cpu_total += client_cpu[t];
  }
  std::sort(all.begin(), all.end());
  auto pct = [&](double p) {
    return all.empty() ? 0.0 : all[std::min(all.size() - 1, static_cast<size_t>(p * all.size()))] / 1000.0;
  };
  std::printf("answered: %zu calls in %.2f s wall: %.0f requests/s; errors %lld\n", all.size(), wall,
              all.size() / wall, static_cast<long long>(error_count));
  std::printf("latency ms: p50 %.3f  p90 %.3f  p99 %.3f  p99.9 %.3f  max %.3f\n", pct(0.50),
              pct(0.90), pct(0.99), pct(0.999), all.empty() ? 0.0 : all.back() / 1000.0);
  if (o.batch > 1 && o.services == 0) {
    std::printf("batches: %.0f requests/s routed, %.0f referrals/s answered\n",
                static_cast<double>(all.size()) * o.batch / wall, referral_count / wall);
  }
  std::printf("cpu: %.2f s in this process (%.2f cores), of which the client threads %.2f s\n", cpu,
              cpu / wall, client_cpu_total);
  std::printf("load average after: %s\n", LoadAverage().c_str());
  if (o.idle > 0) {
    std::printf("idle: resident %ld KiB after the run\n", ResidentKib());
    for (int fd : idle_fds) ::close(fd);
  }
  (*server)->Stop();
  (*server)->Wait();
  return 0;
}
