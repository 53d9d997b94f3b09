// A raw-socket HTTP/1.1 client for the server's tests: no Beast, so that the tests
// check the server against an independent reading of the protocol.
#ifndef WEGWIJZER_TESTS_SERVER_HTTP_CLIENT_H_
#define WEGWIJZER_TESTS_SERVER_HTTP_CLIENT_H_

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "gtest/gtest.h"

namespace wegwijzer::server {

// ---- a raw-socket HTTP client ----

struct Reply {
  int status = 0;
  std::map<std::string, std::string> headers;  // names lowercase
  std::string body;
  bool closed = false;  // the server closed the connection after it
};

inline int Connect(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  timeval timeout{.tv_sec = 10, .tv_usec = 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  return fd;
}

inline void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (n <= 0) return;  // the server may close early (413, 431): the reply says why
    bytes.remove_prefix(static_cast<size_t>(n));
  }
}

// Reads one response (headers, Content-Length body) from `fd`; `pending` keeps bytes
// read past it.
inline std::optional<Reply> ReadReply(int fd, std::string* pending) {
  auto fill = [&]() {
    char chunk[65536];
    const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
    if (n <= 0) return false;
    pending->append(chunk, static_cast<size_t>(n));
    return true;
  };
  size_t end;
  while ((end = pending->find("\r\n\r\n")) == std::string::npos) {
    if (!fill()) return std::nullopt;
  }
  Reply reply;
  const std::string head = pending->substr(0, end);
  pending->erase(0, end + 4);
  std::vector<std::string> lines;
  for (size_t at = 0; at <= head.size();) {
    size_t next = head.find("\r\n", at);
    if (next == std::string::npos) next = head.size();
    lines.push_back(head.substr(at, next - at));
    at = next + 2;
  }
  reply.status = std::stoi(lines[0].substr(9, 3));
  for (size_t i = 1; i < lines.size(); ++i) {
    const size_t colon = lines[i].find(':');
    if (colon == std::string::npos) continue;
    std::string name = lines[i].substr(0, colon);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    reply.headers[name] = lines[i].substr(colon + 2);
  }
  const size_t length = std::stoul(reply.headers["content-length"]);
  while (pending->size() < length) {
    if (!fill()) return std::nullopt;
  }
  reply.body = pending->substr(0, length);
  pending->erase(0, length);
  reply.closed = reply.headers["connection"] == "close";
  return reply;
}

inline std::string Http(std::string_view method, std::string_view target, std::string_view body = "",
                 std::string_view content_type = "application/json",
                 std::string_view extra_headers = "") {
  std::string request;
  request.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
  if (!body.empty() || method == "POST") {
    request.append("Content-Type: ").append(content_type).append("\r\n");
    request.append("Content-Length: ").append(std::to_string(body.size())).append("\r\n");
  }
  request.append(extra_headers).append("\r\n").append(body);
  return request;
}

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_TESTS_SERVER_HTTP_CLIENT_H_
