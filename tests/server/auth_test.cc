// Tokens (bindings/server/auth.h): the token file, its bad lines, the hash against
// an independent SHA-256 (a digest computed outside this code base), bearer headers.
#include "auth.h"

#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace wegwijzer::server {
namespace {

using ::testing::HasSubstr;

// SHA-256(bytes 00..0f || "correct-horse-battery-staple"), by Python's hashlib.
constexpr std::string_view kLine =
    "sha256:000102030405060708090a0b0c0d0e0f:"
    "340590c1994fa7d4ffc76678e23bd3db322a0562b3fd451b6e81399df5578bb3, GM0193-kcc, desk";
constexpr std::string_view kToken = "correct-horse-battery-staple";

TEST(Tokens, FindsTheTokenOfAnIndependentlyComputedHash) {
  absl::StatusOr<Tokens> tokens = Tokens::Parse(kLine, "tokens.txt");
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 1u);
  std::optional<Principal> who = tokens->Find(kToken);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->organisation, "GM0193-kcc");
  EXPECT_EQ(who->role, Role::kDesk);
  EXPECT_FALSE(tokens->Find("correct-horse-battery-stapl").has_value());
  EXPECT_FALSE(tokens->Find("correct-horse-battery-staplE").has_value());
  EXPECT_FALSE(tokens->Find("").has_value());
  // The hash itself is not a token.
  EXPECT_FALSE(tokens->Find("340590c1994fa7d4ffc76678e23bd3db322a0562b3fd451b6e81399df5578bb3")
                   .has_value());
}

TEST(Tokens, MakeTokenLineRoundTripsWithAFreshSaltEachTime) {
  absl::StatusOr<std::string> a = MakeTokenLine("0123456789abcdef-provider", "bieb-oost", "provider");
  absl::StatusOr<std::string> b = MakeTokenLine("0123456789abcdef-provider", "bieb-oost", "provider");
  absl::StatusOr<std::string> admin = MakeTokenLine("0123456789abcdef-admin", "ops", "admin");
  ASSERT_TRUE(a.ok() && b.ok() && admin.ok());
  EXPECT_NE(*a, *b);  // salted
  EXPECT_THAT(*a, ::testing::StartsWith("sha256:"));
  EXPECT_THAT(*a, ::testing::EndsWith(", bieb-oost, provider"));
  EXPECT_THAT(*a, ::testing::Not(HasSubstr("0123456789abcdef-provider")));
  const std::string file = "# ops\n\n" + *a + "\r\n" + *admin + "\n   \n" + *b;
  absl::StatusOr<Tokens> tokens = Tokens::Parse(
      file, "t.txt", [](std::string_view id) { return id == "bieb-oost"; });
  ASSERT_TRUE(tokens.ok()) << tokens.status();
  EXPECT_EQ(tokens->size(), 3u);
  EXPECT_EQ(tokens->Find("0123456789abcdef-provider"),
            (Principal{.organisation = "bieb-oost", .role = Role::kProvider}));
  EXPECT_EQ(tokens->Find("0123456789abcdef-admin"),
            (Principal{.organisation = "ops", .role = Role::kAdmin}));
  EXPECT_FALSE(tokens->Find("0123456789abcdef-desk").has_value());
}

TEST(Tokens, MakeTokenLineRefusesWeakTokensAndBadFields) {
  struct Case {
    std::string_view token, organisation, role, error;
  } cases[] = {
      {"short", "o", "desk", "token: 5 characters; use at least 16"},
      {"0123456789abcdef 0", "o", "desk", "whitespace"},
      {"0123456789abcdef\t0", "o", "desk", "whitespace"},
      {"0123456789abcdef", "", "desk", "organisation: is empty"},
      {"0123456789abcdef", "a,b", "desk", "organisation: holds a ','"},
      {"0123456789abcdef", "a\nb", "desk", "control character"},
      {"0123456789abcdef", "o", "root", "role: 'root' is not desk, provider or admin"},
      {"0123456789abcdef", "o", "Desk", "role: 'Desk'"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::string> line = MakeTokenLine(c.token, c.organisation, c.role);
    ASSERT_FALSE(line.ok()) << c.error;
    EXPECT_EQ(line.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(line.status().message()), HasSubstr(c.error));
  }
}

// Every bad line is refused at start, naming file:line, the field and the reason.
TEST(Tokens, BadLinesAreRefusedWithFileLineFieldAndReason) {
  const std::string salt = "000102030405060708090a0b0c0d0e0f";
  const std::string digest = "340590c1994fa7d4ffc76678e23bd3db322a0562b3fd451b6e81399df5578bb3";
  // Another salt than kLine's, so that only the field under test is wrong.
  const std::string good = "sha256:ff0102030405060708090a0b0c0d0e0f:" + digest;
  struct Case {
    std::string line, error;
  } cases[] = {
      {good + ", o", "tokens.txt:2: line: 2 fields"},
      {good + ", o, desk, extra", "tokens.txt:2: line: 4 fields"},
      {"correct-horse-battery-staple, o, desk", "tokens.txt:2: hash: is not 'sha256:SALT:DIGEST'"},
      {"md5:" + salt + ":" + digest + ", o, desk", "tokens.txt:2: hash: scheme 'md5' is not sha256"},
      {"sha256:0001:" + digest + ", o, desk", "tokens.txt:2: hash: the salt is not 16 to 64 bytes"},
      {"sha256:zz" + salt.substr(2) + ":" + digest + ", o, desk", "hash: the salt is not"},
      {"sha256:" + salt + ":" + digest.substr(2) + ", o, desk",
       "tokens.txt:2: hash: the digest is not 64 hex digits"},
      {"sha256:" + salt + ":" + digest + "00, o, desk", "hash: the digest is not 64 hex digits"},
      {"sha256:" + salt + ":" + digest.substr(1) + "g, o, desk", "hash: the digest is not"},
      {good + ", , desk", "tokens.txt:2: organisation: is empty"},
      {good + ", o, boss", "tokens.txt:2: role: 'boss' is not desk, provider or admin"},
      {good + ", o, ", "tokens.txt:2: role: '' is not"},
      {good + ", ghost-provider, provider", "tokens.txt:2: organisation: provider 'ghost-provider' is not in the directory"},
      {std::string(kLine), "tokens.txt:2: hash: the same hash as an earlier line"},
  };
  for (const Case& c : cases) {
    const std::string text = std::string(kLine) + "\n" + c.line + "\n";
    absl::StatusOr<Tokens> tokens = Tokens::Parse(
        text, "tokens.txt", [](std::string_view id) { return id == "bieb-oost"; });
    ASSERT_FALSE(tokens.ok()) << c.line;
    EXPECT_EQ(tokens.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(std::string(tokens.status().message()), HasSubstr(c.error)) << c.line;
  }
  // Unchecked provider ids pass without a directory; an empty file is valid.
  EXPECT_TRUE(Tokens::Parse(good + ", ghost-provider, provider", "t").ok());
  EXPECT_EQ(Tokens::Parse("", "t")->size(), 0u);
  EXPECT_EQ(Tokens::Load("/nonexistent/tokens.txt").status().code(), absl::StatusCode::kNotFound);
}

TEST(Tokens, BearerHeader) {
  EXPECT_EQ(BearerToken("Bearer abc"), "abc");
  EXPECT_EQ(BearerToken("bearer   abc  "), "abc");
  EXPECT_EQ(BearerToken("BEARER abc"), "abc");
  EXPECT_FALSE(BearerToken("").has_value());
  EXPECT_FALSE(BearerToken("Bearer").has_value());
  EXPECT_FALSE(BearerToken("Bearer   ").has_value());
  EXPECT_FALSE(BearerToken("Basic dXNlcjpwYXNz").has_value());
  EXPECT_FALSE(BearerToken("Bearerabc").has_value());
}

}  // namespace
}  // namespace wegwijzer::server
