// Tokens (auth.h): salted SHA-256 through OpenSSL, compared in constant time.
#include "auth.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <openssl/sha.h>

#include <set>
#include <utility>

#include "core/text.h"
#include "wegwijzer/interchange.h"

namespace wegwijzer::server {
namespace internal = ::wegwijzer::internal;
namespace {

constexpr std::string_view kScheme = "sha256";
constexpr size_t kDigestBytes = SHA256_DIGEST_LENGTH;
constexpr size_t kMinSaltBytes = 16, kMaxSaltBytes = 64, kNewSaltBytes = 16;
constexpr size_t kMinTokenChars = 16;

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

std::optional<std::string> FromHex(std::string_view hex) {
  if (hex.size() % 2 != 0) return std::nullopt;
  auto digit = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string bytes;
  bytes.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    const int high = digit(hex[i]), low = digit(hex[i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    bytes.push_back(static_cast<char>(high * 16 + low));
  }
  return bytes;
}

std::string ToHex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

// SHA-256(salt || token), through EVP (OpenSSL 3 deprecates the SHA256_* calls).
// The algorithm is fetched once and each thread keeps one context: a fetch and a
// context per call cost more than the hash of a short token.
std::string Digest(std::string_view salt, std::string_view token) {
  static EVP_MD* const sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  struct Context {
    EVP_MD_CTX* context = EVP_MD_CTX_new();
    ~Context() { EVP_MD_CTX_free(context); }
  };
  thread_local Context per_thread;
  EVP_MD_CTX* context = per_thread.context;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  const bool ok = sha256 != nullptr && context != nullptr &&
                  EVP_DigestInit_ex2(context, sha256, nullptr) == 1 &&
                  EVP_DigestUpdate(context, salt.data(), salt.size()) == 1 &&
                  EVP_DigestUpdate(context, token.data(), token.size()) == 1 &&
                  EVP_DigestFinal_ex(context, out, &length) == 1;
  if (!ok || length != kDigestBytes) return std::string();  // never matches a 32-byte digest
  return std::string(reinterpret_cast<const char*>(out), length);
}

std::optional<Role> ParseRole(std::string_view text) {
  if (text == "desk") return Role::kDesk;
  if (text == "provider") return Role::kProvider;
  if (text == "admin") return Role::kAdmin;
  return std::nullopt;
}

// Why an organisation cannot be written on a line, or empty.
std::string OrganisationProblem(std::string_view organisation) {
  if (organisation.empty()) return "is empty";
  for (unsigned char c : organisation) {
    if (c == ',') return "holds a ','";
    if (c < 0x20 || c == 0x7f) return "holds a control character";
  }
  return "";
}

}  // namespace

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kDesk: return "desk";
    case Role::kProvider: return "provider";
    case Role::kAdmin: return "admin";
  }
  return "?";
}

absl::StatusOr<Tokens> Tokens::Load(const std::string& path, const ProviderCheck& known_provider) {
  absl::StatusOr<std::string> text = ReadFile(path);
  if (!text.ok()) return text.status();
  return Parse(*text, path, known_provider);
}

absl::StatusOr<Tokens> Tokens::Parse(std::string_view text, std::string_view file_name,
                                     const ProviderCheck& known_provider) {
  Tokens tokens;
  std::set<std::string> seen;
  int line_number = 0;
  while (!text.empty()) {
    ++line_number;
    const size_t end = text.find('\n');
    const std::string_view line = Trim(text.substr(0, end));
    text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
    if (line.empty() || line.front() == '#') continue;
    auto bad = [&](std::string_view field, std::string_view why) {
      return absl::InvalidArgumentError(
          internal::Cat(file_name, ":", line_number, ": ", field, ": ", why));
    };
    std::vector<std::string_view> fields;
    for (std::string_view rest = line;;) {
      const size_t comma = rest.find(',');
      fields.push_back(Trim(rest.substr(0, comma)));
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
    if (fields.size() != 3) {
      return bad("line", internal::Cat(fields.size(),
                                      " fields; a token line is 'sha256:SALT:DIGEST, "
                                      "ORGANISATION, ROLE' (make one with wegwijzer serve "
                                      "--hash-token)"));
    }
    const std::string_view hash = fields[0];
    const size_t first = hash.find(':');
    const size_t second = first == std::string_view::npos ? first : hash.find(':', first + 1);
    if (second == std::string_view::npos) {
      return bad("hash", "is not 'sha256:SALT:DIGEST' (a bare token does not belong in the file)");
    }
    if (hash.substr(0, first) != kScheme) {
      return bad("hash", internal::Cat("scheme '", hash.substr(0, std::min<size_t>(first, 20)),
                                      "' is not sha256"));
    }
    std::optional<std::string> salt = FromHex(hash.substr(first + 1, second - first - 1));
    if (!salt || salt->size() < kMinSaltBytes || salt->size() > kMaxSaltBytes) {
      return bad("hash", internal::Cat("the salt is not ", kMinSaltBytes, " to ", kMaxSaltBytes,
                                      " bytes in hex"));
    }
    std::optional<std::string> digest = FromHex(hash.substr(second + 1));
    if (!digest || digest->size() != kDigestBytes) {
      return bad("hash", "the digest is not 64 hex digits (SHA-256)");
    }
    if (!seen.insert(std::string(hash)).second) {
      return bad("hash", "the same hash as an earlier line");
    }
    Entry entry{.salt = *std::move(salt), .digest = *std::move(digest), .principal = {}};
    const std::string problem = OrganisationProblem(fields[1]);
    if (!problem.empty()) return bad("organisation", problem);
    entry.principal.organisation = std::string(fields[1]);
    std::optional<Role> role = ParseRole(fields[2]);
    if (!role) {
      return bad("role", internal::Cat("'", fields[2].substr(0, 40),
                                      "' is not desk, provider or admin"));
    }
    entry.principal.role = *role;
    if (*role == Role::kProvider && known_provider && !known_provider(fields[1])) {
      return bad("organisation", internal::Cat("provider '", fields[1].substr(0, 100),
                                              "' is not in the directory"));
    }
    tokens.entries_.push_back(std::move(entry));
  }
  return tokens;
}

std::optional<Principal> Tokens::Find(std::string_view token) const {
  const Entry* found = nullptr;
  for (const Entry& entry : entries_) {
    const std::string digest = Digest(entry.salt, token);
    const bool same = digest.size() == kDigestBytes &&
                      CRYPTO_memcmp(digest.data(), entry.digest.data(), kDigestBytes) == 0;
    if (same && found == nullptr) found = &entry;
  }
  if (found == nullptr) return std::nullopt;
  return found->principal;
}

absl::StatusOr<std::string> MakeTokenLine(std::string_view token, std::string_view organisation,
                                          std::string_view role) {
  if (token.size() < kMinTokenChars) {
    return absl::InvalidArgumentError(internal::Cat(
        "token: ", token.size(), " characters; use at least ", kMinTokenChars,
        " (e.g. openssl rand -hex 24)"));
  }
  for (unsigned char c : token) {
    if (c <= 0x20 || c == 0x7f) {
      return absl::InvalidArgumentError("token: holds whitespace or a control character");
    }
  }
  if (const std::string problem = OrganisationProblem(organisation); !problem.empty()) {
    return absl::InvalidArgumentError(internal::Cat("organisation: ", problem));
  }
  if (!ParseRole(role)) {
    return absl::InvalidArgumentError(
        internal::Cat("role: '", role.substr(0, 40), "' is not desk, provider or admin"));
  }
  std::string salt(kNewSaltBytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(salt.data()), static_cast<int>(salt.size())) != 1) {
    return absl::UnavailableError("OpenSSL's RAND_bytes could not make a salt");
  }
  const std::string digest = Digest(salt, token);
  if (digest.size() != kDigestBytes) return absl::InternalError("SHA-256 failed");
  return internal::Cat(kScheme, ":", ToHex(salt), ":", ToHex(digest), ", ", organisation, ", ",
                       role);
}

std::optional<std::string_view> BearerToken(std::string_view authorization) {
  authorization = Trim(authorization);
  constexpr std::string_view kBearer = "bearer ";
  if (authorization.size() <= kBearer.size()) return std::nullopt;
  for (size_t i = 0; i < kBearer.size(); ++i) {
    const char c = authorization[i];
    if ((c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c) != kBearer[i]) return std::nullopt;
  }
  std::string_view token = Trim(authorization.substr(kBearer.size()));
  if (token.empty()) return std::nullopt;
  return token;
}

}  // namespace wegwijzer::server
