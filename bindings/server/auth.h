// Internal to `wegwijzer serve`: who may do what (README "Server", "Tokens").
//
// A token file has one token per line, as a salted hash bound to an organisation
// and a role:
//
//   sha256:SALT:DIGEST, ORGANISATION, ROLE
//
// SALT is 16 to 64 random bytes in hex, DIGEST is hex SHA-256(SALT bytes || token
// bytes) (64 hex digits), ORGANISATION is the party the token acts for (a desk's id
// for `desk`, the provider's id in the directory for `provider`, any name for
// `admin`), ROLE is `desk`, `provider` or `admin`. Blank lines and lines starting
// with '#' are ignored; spaces around the fields are dropped. `wegwijzer serve
// --hash-token ORGANISATION ROLE` makes a line from a token read on standard input
// (MakeTokenLine), so that the token itself never appears in a file, an argv or a
// shell history.
//
// What each role may do (Api's referral endpoints, api_referrals.cc):
//   desk      create referrals (as their desk); read, list and move on its own ones
//   provider  read, list and move on referrals addressed to it
//   admin     read and list any referral; POST /v1/admin/reload
// A token never names a second party: the party a request acts for is the token's.
//
// Example:
//   absl::StatusOr<Tokens> tokens = Tokens::Load("tokens.txt");
//   if (!tokens.ok()) return 1;  // "tokens.txt:3: role: 'boss' is not desk, ..."
//   std::optional<Principal> who = tokens->Find(bearer_token);
//
// Thread-safety: Tokens is immutable once loaded, safe to share between threads.
#ifndef WEGWIJZER_BINDINGS_SERVER_AUTH_H_
#define WEGWIJZER_BINDINGS_SERVER_AUTH_H_

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace wegwijzer::server {

enum class Role { kDesk, kProvider, kAdmin };
std::string_view RoleName(Role role);  // "desk", "provider", "admin"

// The party a request acts for: a token's organisation and role.
struct Principal {
  std::string organisation;
  Role role = Role::kDesk;
  bool operator==(const Principal&) const = default;
};

class Tokens {
 public:
  // Whether a provider id exists (the directory served); null: not checked.
  using ProviderCheck = std::function<bool(std::string_view provider_id)>;

  // Reads a token file. kInvalidArgument naming file:line, the field and the reason
  // for the first bad line (wrong number of fields, an unknown scheme, a salt or
  // digest that is not hex of the right length, an empty organisation, an unknown
  // role, a provider the directory lacks, the same hash twice); kNotFound when the
  // file cannot be read. An empty file is valid (no one may do anything).
  static absl::StatusOr<Tokens> Load(const std::string& path,
                                     const ProviderCheck& known_provider = nullptr);
  // The same for text already read; `file_name` names it in errors.
  static absl::StatusOr<Tokens> Parse(std::string_view text, std::string_view file_name,
                                      const ProviderCheck& known_provider = nullptr);

  // The principal of `token`, or nullopt. Compares the token's salted hash with
  // every line's in constant time (CRYPTO_memcmp) and does not stop at a match, so
  // the time taken does not tell which line (or whether any) matched. O(lines)
  // SHA-256 computations of the token's length.
  std::optional<Principal> Find(std::string_view token) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::string salt;    // bytes
    std::string digest;  // 32 bytes
    Principal principal;
  };
  std::vector<Entry> entries_;
};

// The token file's line for `token` with a fresh random salt (16 bytes from
// OpenSSL's RAND_bytes). kInvalidArgument when the token is shorter than 16
// characters or holds whitespace or control characters, the organisation is empty
// or holds a ',' or control characters, or the role is unknown.
absl::StatusOr<std::string> MakeTokenLine(std::string_view token, std::string_view organisation,
                                          std::string_view role);

// The token of an Authorization header "Bearer TOKEN" (the scheme in any case), or
// nullopt when the header is absent or another scheme.
std::optional<std::string_view> BearerToken(std::string_view authorization);

}  // namespace wegwijzer::server

#endif  // WEGWIJZER_BINDINGS_SERVER_AUTH_H_
