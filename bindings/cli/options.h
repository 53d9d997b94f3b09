// Internal to the command-line program: the one option parser every command uses,
// and the one reading of whole numbers, so that "--flag=VALUE", an option given
// twice or " 1" mean the same in every command.
#ifndef WEGWIJZER_BINDINGS_CLI_OPTIONS_H_
#define WEGWIJZER_BINDINGS_CLI_OPTIONS_H_

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace wegwijzer::cli {

// What a command accepts: options that take a value ("--out FILE" or "--out=FILE")
// and switches ("--explain").
struct OptionSpec {
  std::vector<std::string_view> with_value;
  std::vector<std::string_view> switches;
};

// The words of a command line, parsed against an OptionSpec.
struct ParsedOptions {
  std::vector<std::string> positional;  // words that do not start with "--"
  bool help = false;                    // --help or -h was given
  std::vector<std::pair<std::string, std::string>> options;  // in order; switches: ""

  // The value of `name`, nullopt when not given (a given switch: "").
  std::optional<std::string> Get(std::string_view name) const;
  bool Has(std::string_view name) const { return Get(name).has_value(); }
  // The value of `name`, or "" when not given.
  std::string Value(std::string_view name) const { return Get(name).value_or(""); }
};

// Parses `args` (the words after the command's name). Returns a usage message for an
// unknown option, one given twice, a switch given a value, or a missing value;
// nullopt when every word was taken. "--help" / "-h" set `help` and parsing goes on.
std::optional<std::string> ParseOptions(std::span<const std::string_view> args,
                                        const OptionSpec& spec, ParsedOptions* parsed);

// Reads a configuration file of options for `spec`, one a line: "name = value" (or
// "name value"), or "name" alone for a switch; the name with or without its leading
// "--"; blank lines and lines starting with '#' are skipped; the value is the rest of
// the line, blanks around it trimmed (no quoting). Appends the options as command-line
// words ("--name=value", "--name") to `words`, leaving out the names in `overridden`
// (the ones the command line gives: the command line wins). Returns a usage message
// naming PATH:LINE for a line that does not read (an unknown name, a switch given a
// value, a value missing, a name given twice), or the file that cannot be read;
// nullopt when every line was taken.
std::optional<std::string> ReadConfigFile(const std::string& path, const OptionSpec& spec,
                                          const ParsedOptions& overridden,
                                          std::vector<std::string>* words);

// A whole number written in ASCII digits only (no sign, blank, point or exponent),
// within [least, most]; nullopt otherwise. A number beyond `most` is nullopt, not
// clamped: callers that clamp say so.
std::optional<int64_t> ParseWholeNumber(std::string_view text, int64_t least, int64_t most);

// The same, but a number beyond `most` (however many digits) is `most`: for counts
// and limits, where asking for more than the largest is asking for the largest.
// REQUIRES: most < 2^59.
std::optional<int64_t> ParseWholeNumberClamped(std::string_view text, int64_t least,
                                               int64_t most);

// The usage message for a bad whole number: "--days takes a whole number from 1 to
// 36500, not 'x'" (or ">= least" when `most` is the largest int64).
std::string WholeNumberError(std::string_view flag, std::string_view text, int64_t least,
                             int64_t most);

}  // namespace wegwijzer::cli

#endif  // WEGWIJZER_BINDINGS_CLI_OPTIONS_H_
