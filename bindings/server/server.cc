// The HTTP/1.1 transport of `wegwijzer serve` (server.h): the one translation unit
// that includes Boost.Beast and Boost.Asio (their compile time is paid once).
#include "server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

#include "absl/status/status.h"
#include "core/text.h"
#include "api.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
// A TLS session over the connection's socket, which the session keeps owning (so its
// raw operations, wait, cancel, shutdown and close, stay as they are).
using TlsStream = asio::ssl::stream<tcp::socket&>;

std::string_view View(beast::string_view s) { return std::string_view(s.data(), s.size()); }

// A Beast body for HttpResponse: its `body` string, then the `more` views (records
// formatted at load), handed to the socket as one gather write without being copied
// into a string first (a page of GET /services is a ~90 KB range of them). `keep` owns
// what the views point into until the response is destroyed.
struct PiecesBody {
  struct value_type {
    std::string text;
    std::vector<std::string_view> more;
    std::shared_ptr<const void> keep;
  };
  static std::uint64_t size(const value_type& v) {
    std::uint64_t n = v.text.size();
    for (std::string_view piece : v.more) n += piece.size();
    return n;
  }
  class writer {
   public:
    using const_buffers_type = std::vector<asio::const_buffer>;
    template <bool isRequest, class Fields>
    writer(const http::header<isRequest, Fields>&, const value_type& body) : body_(body) {}
    void init(beast::error_code& ec) { ec = {}; }
    boost::optional<std::pair<const_buffers_type, bool>> get(beast::error_code& ec) {
      ec = {};
      if (done_) return boost::none;
      done_ = true;
      const_buffers_type buffers;
      buffers.reserve(1 + body_.more.size());
      if (!body_.text.empty()) buffers.emplace_back(body_.text.data(), body_.text.size());
      for (std::string_view piece : body_.more) {
        if (!piece.empty()) buffers.emplace_back(piece.data(), piece.size());
      }
      return std::make_pair(std::move(buffers), false);
    }

   private:
    const value_type& body_;
    bool done_ = false;
  };
};

// The path of a target for the log: no query string (it may hold a postcode or an
// age), no control characters, at most 200 bytes.
std::string LoggedPath(std::string_view target) {
  std::string path(target.substr(0, std::min(target.find('?'), size_t{200})));
  for (char& c : path) {
    if (static_cast<unsigned char>(c) < 0x21 || static_cast<unsigned char>(c) > 0x7e) c = '?';
  }
  return path.empty() ? std::string("-") : path;
}

}  // namespace

class Session;

class Server::Impl {
 public:
  Impl(const ServerOptions& options, Api* api)
      : options_(options),
        api_(api),
        threads_wanted_(options.threads > 0 ? options.threads
                                            : std::max(1u, std::thread::hardware_concurrency())),
        ioc_(threads_wanted_),
        acceptor_(asio::make_strand(ioc_)) {}

  absl::Status Listen();
  absl::Status LoadTls();
  void Run();
  void Stop();
  void Wait();
  uint16_t port() const { return port_; }

  const ServerOptions& options() const { return options_; }
  Api* api() const { return api_; }
  // The TLS context, or null for plain HTTP.
  asio::ssl::context* tls() { return tls_ ? &*tls_ : nullptr; }
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  void Add(uint64_t id, std::weak_ptr<Session> session) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.emplace(id, std::move(session));
  }
  void Remove(uint64_t id) {
    std::lock_guard<std::mutex> lock(mutex_);
    sessions_.erase(id);
  }
  int open() const { return open_.load(std::memory_order_relaxed); }
  void Log(std::string_view method, std::string_view target, int status, int64_t micros) {
    api_->metrics().Record(Metrics::PathLabel(target), status, micros);
    if (options_.log == nullptr) return;
    std::string method_text(method.substr(0, 16));
    for (char& c : method_text) {
      if (c < 'A' || c > 'Z') c = '?';
    }
    // One fprintf per line: stdio locks the stream, so lines of threads do not mix.
    std::fprintf(options_.log, "%s %s %d %lldus\n", method_text.empty() ? "-" : method_text.c_str(),
                 LoggedPath(target).c_str(), status, static_cast<long long>(micros));
  }

  std::atomic<int> open_{0};

 private:
  void Accept();

  ServerOptions options_;
  Api* api_;
  int threads_wanted_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  std::optional<asio::ssl::context> tls_;  // read-only once serving
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::vector<std::thread> threads_;
  std::mutex mutex_;
  std::unordered_map<uint64_t, std::weak_ptr<Session>> sessions_;  // guarded by mutex_
  uint64_t next_id_ = 0;  // on the acceptor's strand
  std::once_flag joined_;
};

// One connection: read a request, answer it, and again while kept alive.
class Session : public std::enable_shared_from_this<Session> {
 public:
  // The read buffer an idle connection may keep (larger ones are shrunk).
  static constexpr size_t kKeptBufferBytes = 16 << 10;

  Session(tcp::socket socket, Server::Impl* server, uint64_t id, bool refuse)
      : socket_(std::move(socket)),
        timer_(socket_.get_executor()),
        server_(server),
        id_(id),
        refuse_(refuse) {
    if (server_->tls() != nullptr) tls_.emplace(socket_, *server_->tls());
  }

  ~Session() {
    if (!refuse_) server_->open_.fetch_sub(1, std::memory_order_relaxed);
    server_->Remove(id_);
  }

  void Start() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      if (self->tls_) return self->Handshake();
      self->Begin();
    });
  }

  // Called (on the session's strand) when the server stops: an idle connection is
  // closed now; one in the middle of a request finishes it first.
  void StopIfIdle() {
    asio::dispatch(socket_.get_executor(), [self = shared_from_this()] {
      if (!self->in_request_) self->Close();
    });
  }

 private:
  // Runs `op` on the stream the HTTP goes over: the TLS session, or the socket.
  template <typename Op>
  void OnStream(Op&& op) {
    if (tls_) {
      op(*tls_);
    } else {
      op(socket_);
    }
  }

  void Handshake() {
    SetDeadline(server_->options().request_timeout);
    tls_->async_handshake(asio::ssl::stream_base::server,
                          [self = shared_from_this()](beast::error_code ec) {
                            if (ec || self->timed_out_) {
                              self->server_->Log("TLS", "-", 400, 0);
                              return self->Close();
                            }
                            self->ClearDeadline();
                            self->Begin();
                          });
  }

  // The connection is open (and with TLS, its handshake done): one over the limit is
  // answered 503 and closed, any other reads its first request.
  void Begin() {
    if (!refuse_) return ReadHeader();
    HttpResponse response = Api::Error(503, "too many connections; try again in a second");
    response.headers.emplace_back("Retry-After", "1");
    start_ = Clock::now();
    Respond(std::move(response), /*close=*/true, "", "");
  }

  void ReadHeader() {
    if (server_->stopping()) return Close();
    in_request_ = false;
    // An idle connection keeps nothing of its last request (README: memory per idle
    // connection): the parsed request with its body and the answer are freed, and a
    // read buffer that a large body grew is given back.
    response_ = {};
    parser_.emplace();
    if (buffer_.size() == 0 && buffer_.capacity() > kKeptBufferBytes) buffer_.shrink_to_fit();
    parser_->header_limit(server_->options().max_header_bytes);
    parser_->body_limit(server_->options().max_body_bytes);
    // A pipelined request is waiting; and with TLS the session may hold decrypted
    // bytes the socket no longer shows, so the wait for readability is skipped
    // (the idle timeout then runs through the read itself).
    if (buffer_.size() > 0) return OnReadable({});
    if (tls_) {
      SetDeadline(server_->options().idle_timeout);
      return http::async_read_header(*tls_, buffer_, *parser_,
                                     [self = shared_from_this()](beast::error_code e, size_t) {
                                       // Nothing came within the idle time: closed quietly.
                                       if (self->timed_out_ && !self->parser_->got_some()) {
                                         return self->Close();
                                       }
                                       self->OnHeader(e);
                                     });
    }
    SetDeadline(server_->options().idle_timeout);
    socket_.async_wait(tcp::socket::wait_read,
                       [self = shared_from_this()](beast::error_code ec) { self->OnReadable(ec); });
  }

  void OnReadable(beast::error_code ec) {
    if (ec || timed_out_) return Close();  // idle too long, closed, or stopped
    SetDeadline(server_->options().request_timeout);
    OnStream([&](auto& stream) {
      http::async_read_header(stream, buffer_, *parser_,
                              [self = shared_from_this()](beast::error_code e, size_t) {
                                self->OnHeader(e);
                              });
    });
  }

  void OnHeader(beast::error_code ec) {
    if (TransportError(ec)) return;
    start_ = Clock::now();
    in_request_ = true;
    const auto& request = parser_->get();
    if (beast::iequals(request[http::field::expect], "100-continue")) {
      static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
      OnStream([&](auto& stream) {
        asio::async_write(stream, asio::buffer(kContinue.data(), kContinue.size()),
                          [self = shared_from_this()](beast::error_code e, size_t) {
                            if (e) return self->Close();
                            self->ReadBody();
                          });
      });
      return;
    }
    ReadBody();
  }

  void ReadBody() {
    OnStream([&](auto& stream) {
      http::async_read(stream, buffer_, *parser_, [self = shared_from_this()](
                                                      beast::error_code e, size_t) {
        self->OnBody(e);
      });
    });
  }

  void OnBody(beast::error_code ec) {
    if (TransportError(ec)) return;
    ClearDeadline();
    start_ = Clock::now();
    const auto& request = parser_->get();
    HttpRequest in{.method = View(request.method_string()),
                   .target = View(request.target()),
                   .content_type = View(request[http::field::content_type]),
                   .accept = View(request[http::field::accept]),
                   .authorization = View(request[http::field::authorization]),
                   .body = request.body()};
    HttpResponse out = server_->api()->Handle(in);
    Respond(std::move(out), !request.keep_alive(), in.method, in.target);
  }

  // A read that failed: answers what deserves an answer (431, 413, 408) and closes.
  // Returns true when the request is over.
  bool TransportError(beast::error_code ec) {
    if (!ec && !timed_out_) return false;
    std::string target;
    std::string method;
    if (parser_ && parser_->is_header_done()) {
      target = std::string(View(parser_->get().target()));
      method = std::string(View(parser_->get().method_string()));
    }
    if (timed_out_) {
      Fail(408, internal::Cat("the request was not read whole within ",
                             server_->options().request_timeout.count(), " ms"),
           method, target);
    } else if (ec == http::error::header_limit) {
      Fail(431, internal::Cat("the request line and headers are longer than ",
                             server_->options().max_header_bytes, " bytes"),
           method, target);
    } else if (ec == http::error::body_limit) {
      Fail(413, internal::Cat("the body is longer than ", server_->options().max_body_bytes,
                             " bytes"),
           method, target);
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof ||
               ec == asio::error::connection_reset || ec == asio::error::operation_aborted ||
               ec == asio::ssl::error::stream_truncated) {
      Close();
    } else {
      Fail(400, internal::Cat("malformed HTTP: ", ec.message()), method, target);
    }
    return true;
  }

  void Fail(int status, std::string_view message, const std::string& method,
            const std::string& target) {
    ClearDeadline();
    start_ = Clock::now();
    in_request_ = true;
    Respond(Api::Error(status, message), /*close=*/true, method, target);
  }

  void Respond(HttpResponse out, bool close, std::string_view method, std::string_view target) {
    close = close || server_->stopping();
    response_ = {};
    response_.version(11);
    response_.result(static_cast<unsigned>(out.status));
    response_.set(http::field::server, "wegwijzer");
    response_.set(http::field::content_type, out.content_type);
    for (const auto& [name, value] : out.headers) response_.set(name, value);
    response_.body().text = std::move(out.body);
    response_.body().more = std::move(out.more);
    response_.body().keep = std::move(out.keep);
    response_.keep_alive(!close);
    response_.prepare_payload();
    close_after_ = close;
    const int64_t micros =
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start_).count();
    server_->Log(method, target, out.status, micros);
    SetDeadline(server_->options().request_timeout);  // a client that does not read is let go
    OnStream([&](auto& stream) {
      http::async_write(stream, response_,
                        [self = shared_from_this()](beast::error_code ec, size_t) {
                          self->OnWrite(ec);
                        });
    });
  }

  void OnWrite(beast::error_code ec) {
    ClearDeadline();
    if (ec) return Close();
    if (close_after_ || server_->stopping()) return Linger();
    ReadHeader();
  }

  // Closes gracefully: sends FIN, then reads and drops what the client still sends
  // for up to a second, so that it sees the response rather than a reset.
  void Linger() {
    in_request_ = false;
    if (tls_) {
      // TLS: close_notify (the client's answer is waited for at most a second), then
      // the socket is closed.
      SetDeadline(std::chrono::milliseconds(1000));
      tls_->async_shutdown([self = shared_from_this()](beast::error_code) { self->Close(); });
      return;
    }
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_send, ignored);
    SetDeadline(std::chrono::milliseconds(1000));
    Drain();
  }

  void Drain() {
    if (drain_ == nullptr) drain_ = std::make_unique<std::array<char, 4096>>();
    socket_.async_read_some(asio::buffer(*drain_),
                            [self = shared_from_this()](beast::error_code ec, size_t) {
                              if (ec || self->timed_out_) return self->Close();
                              self->Drain();
                            });
  }

  void Close() {
    closed_ = true;
    timer_.cancel();
    beast::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }

  // A deadline for what runs next: when it passes, the socket's operations are
  // cancelled and timed_out_ says why. Setting one costs a clock read, no timer
  // operation: one timer wait per connection wakes at most every tick() and compares
  // the time with deadline_ (a timer armed and cancelled per request cost more CPU
  // than routing the request).
  void SetDeadline(std::chrono::milliseconds after) {
    timed_out_ = false;
    deadline_ = Clock::now() + after;
    if (!timer_waiting_) StartTimer();
  }
  void ClearDeadline() {
    timed_out_ = false;
    deadline_ = Clock::time_point::max();
  }
  std::chrono::milliseconds tick() const {
    return std::min({server_->options().request_timeout, server_->options().idle_timeout,
                     std::chrono::milliseconds(1000)});
  }
  // The wait ends no later than deadline_, and no later than now + tick(): any
  // deadline set later lies at or after it, so the wait never has to be moved earlier.
  void StartTimer() {
    timer_waiting_ = true;
    timer_.expires_at(std::min(deadline_, Clock::now() + tick()));
    timer_.async_wait([self = shared_from_this()](beast::error_code ec) { self->OnTimer(ec); });
  }
  void OnTimer(beast::error_code ec) {
    timer_waiting_ = false;
    if (ec || closed_ || deadline_ == Clock::time_point::max()) return;
    if (Clock::now() >= deadline_) {
      timed_out_ = true;
      deadline_ = Clock::time_point::max();
      beast::error_code ignored;
      socket_.cancel(ignored);
      return;
    }
    StartTimer();
  }

  tcp::socket socket_;
  std::optional<TlsStream> tls_;  // with TLS: the session over socket_
  asio::steady_timer timer_;
  Server::Impl* server_;
  uint64_t id_;
  bool refuse_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<PiecesBody> response_;
  std::unique_ptr<std::array<char, 4096>> drain_;  // only while lingering
  bool in_request_ = false;
  bool timed_out_ = false;
  bool close_after_ = false;
  bool closed_ = false;
  bool timer_waiting_ = false;
  Clock::time_point deadline_ = Clock::time_point::max();
  Clock::time_point start_{};
};

absl::Status Server::Impl::Listen() {
  beast::error_code ec;
  const asio::ip::address address = asio::ip::make_address(options_.host, ec);
  if (ec) {
    return absl::InvalidArgumentError(
        internal::Cat("--listen: '", options_.host, "' is not an IP address"));
  }
  const tcp::endpoint endpoint(address, options_.port);
  auto fail = [&](std::string_view what) {
    return absl::UnavailableError(internal::Cat("cannot ", what, " ", options_.host, ":",
                                               options_.port, ": ", ec.message()));
  };
  if (acceptor_.open(endpoint.protocol(), ec); ec) return fail("open");
  if (acceptor_.set_option(asio::socket_base::reuse_address(true), ec); ec) return fail("set up");
  if (acceptor_.bind(endpoint, ec); ec) return fail("listen on");
  if (acceptor_.listen(asio::socket_base::max_listen_connections, ec); ec) return fail("listen on");
  port_ = acceptor_.local_endpoint(ec).port();
  return absl::OkStatus();
}

absl::Status Server::Impl::LoadTls() {
  const std::string& cert = options_.tls_certificate_file;
  const std::string& key = options_.tls_private_key_file;
  if (cert.empty() && key.empty()) return absl::OkStatus();
  if (cert.empty() || key.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and its private key (--tls-cert and --tls-key)");
  }
  tls_.emplace(asio::ssl::context::tls_server);
  beast::error_code ec;
  tls_->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                        asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 |
                        asio::ssl::context::no_tlsv1_1 | asio::ssl::context::single_dh_use,
                    ec);
  if (ec) return absl::InternalError(internal::Cat("TLS: ", ec.message()));
  if (tls_->use_certificate_chain_file(cert, ec); ec) {
    return absl::InvalidArgumentError(
        internal::Cat(cert, ": not a PEM certificate chain that reads: ", ec.message()));
  }
  if (tls_->use_private_key_file(key, asio::ssl::context::pem, ec); ec) {
    return absl::InvalidArgumentError(internal::Cat(
        key, ": not a PEM private key that reads, or not the key of ", cert, ": ",
        ec.message()));
  }
  if (SSL_CTX_check_private_key(tls_->native_handle()) != 1) {
    return absl::InvalidArgumentError(
        internal::Cat(key, ": not the private key of the certificate in ", cert));
  }
  return absl::OkStatus();
}

void Server::Impl::Accept() {
  acceptor_.async_accept(asio::make_strand(ioc_), [this](beast::error_code ec, tcp::socket socket) {
    if (stopping()) return;
    if (ec) {
      // Out of file descriptors and the like: try again rather than stop serving.
      if (ec != asio::error::operation_aborted) Accept();
      return;
    }
    beast::error_code ignored;
    socket.set_option(tcp::no_delay(true), ignored);
    const bool refuse = open() >= options_.max_connections;
    if (!refuse) open_.fetch_add(1, std::memory_order_relaxed);
    const uint64_t id = next_id_++;
    auto session = std::make_shared<Session>(std::move(socket), this, id, refuse);
    Add(id, session);
    session->Start();
    Accept();
  });
}

void Server::Impl::Run() {
  Accept();
  threads_.reserve(threads_wanted_);
  for (int i = 0; i < threads_wanted_; ++i) threads_.emplace_back([this] { ioc_.run(); });
}

void Server::Impl::Stop() {
  if (stopping_.exchange(true, std::memory_order_acq_rel)) return;
  asio::post(acceptor_.get_executor(), [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
  });
  std::vector<std::shared_ptr<Session>> open_sessions;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (auto& [id, weak] : sessions_) {
      if (std::shared_ptr<Session> s = weak.lock()) open_sessions.push_back(std::move(s));
    }
  }
  for (const std::shared_ptr<Session>& s : open_sessions) s->StopIfIdle();
}

void Server::Impl::Wait() {
  std::call_once(joined_, [this] {
    for (std::thread& t : threads_) t.join();
  });
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options, Api* api) {
  auto impl = std::make_unique<Impl>(options, api);
  if (absl::Status s = impl->LoadTls(); !s.ok()) return s;
  if (absl::Status s = impl->Listen(); !s.ok()) return s;
  impl->Run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  impl_->Stop();
  impl_->Wait();
}

uint16_t Server::port() const { return impl_->port(); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }

}  // namespace wegwijzer::server
