// Internal to `wegwijzer serve`: the HTTP/1.1 transport (Boost.Beast over asio) that
// carries requests to an Api (api.h). Only server.cc includes Beast.
//
// Example:
//   Api api(Serve(directory), nullptr);
//   absl::StatusOr<std::unique_ptr<Server>> server = Server::Start({.port = 0}, &api);
//   std::cout << "listening on 127.0.0.1:" << (*server)->port() << "\n";
//   ...
//   (*server)->Stop();   // from any thread, or a signal-waiting thread
//   (*server)->Wait();
//
// Connections are kept alive (HTTP/1.1 keep-alive; a client's "Connection: close"
// is honoured). Limits, each answered rather than queued:
//   * a body longer than max_body_bytes: 413, then the connection is closed;
//   * a request line and headers longer than max_header_bytes: 431, closed;
//   * more than max_connections open connections: 503 with Retry-After, closed;
//   * a request not read whole within request_timeout of its first byte: 408, closed;
//     a kept-alive connection idle for idle_timeout is closed without a word.
// A request is handled on the thread that read it, to the end (routing takes
// microseconds; the API's batch limit bounds the longest).
//
// Stop(): stops accepting, closes idle connections, lets every request whose headers
// have arrived finish and be answered (with "Connection: close"), then Wait()
// returns.
//
// With ServerOptions::tls_certificate_file and tls_private_key_file, every connection
// is TLS (HTTPS): the handshake first (within request_timeout), then the same HTTP;
// a failed handshake closes the connection and is logged as "TLS 400".
//
// Logs one line per request on `log` (when not null): method, path without its
// query string (so no personal data), status, microseconds.
//
// Thread-safety: thread-safe; Stop may be called from any thread, more than once.
#ifndef WEGWIJZER_BINDINGS_SERVER_SERVER_H_
#define WEGWIJZER_BINDINGS_SERVER_SERVER_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>

#include "absl/status/statusor.h"

namespace wegwijzer::server {

class Api;

struct ServerOptions {
  // Address to listen on (IPv4 or IPv6 literal). DEFAULT: 127.0.0.1.
  std::string host = "127.0.0.1";
  // TCP port; 0 = any free one (see Server::port). DEFAULT: 8080.
  uint16_t port = 8080;
  // Threads running the io_context; 0 = std::thread::hardware_concurrency().
  // DEFAULT: 0.
  int threads = 0;
  // Largest request body, bytes, inclusive. DEFAULT: 8 MiB.
  uint64_t max_body_bytes = uint64_t{8} << 20;
  // Largest request line plus headers, bytes, inclusive. DEFAULT: 16 KiB.
  uint32_t max_header_bytes = 16 << 10;
  // Most connections open at once. DEFAULT: 10,000.
  int max_connections = 10'000;
  // Time to read a whole request from its first byte. DEFAULT: 10 s.
  std::chrono::milliseconds request_timeout{10'000};
  // A kept-alive connection without a request for this long is closed. DEFAULT: 60 s.
  std::chrono::milliseconds idle_timeout{60'000};
  // Where the one-line-per-request log goes; nullptr = nowhere. DEFAULT: stderr.
  std::FILE* log = stderr;
  // TLS (HTTPS) when both are set: a PEM certificate chain (the server's certificate
  // first) and its PEM private key, read once at Start. TLS 1.2 or later only; a
  // client that does not complete the handshake within request_timeout is let go.
  // Empty: plain HTTP (for loopback, or behind a reverse proxy that terminates TLS).
  // DEFAULT: empty.
  std::string tls_certificate_file{};
  std::string tls_private_key_file{};
};

class Server {
 public:
  // Binds, listens and starts options.threads threads. kUnavailable naming the
  // address when it cannot bind (in use, not local); kInvalidArgument for a host that
  // is not an address, for only one of the two TLS files, or for a TLS file that does
  // not read (naming it and OpenSSL's reason) or a key that does not match the
  // certificate. REQUIRES: `api` outlives the server.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options, Api* api);

  ~Server();  // Stop(), then Wait().
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // The port listened on (the one chosen when options.port was 0).
  uint16_t port() const;
  void Stop();
  // Blocks until every thread has finished (after Stop).
  void Wait();

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_BINDINGS_SERVER_SERVER_H_
