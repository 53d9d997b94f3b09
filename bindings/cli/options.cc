#include "options.h"

#include <algorithm>
#include <fstream>
#include <limits>
#include <set>

namespace wegwijzer::cli {

std::optional<std::string> ParsedOptions::Get(std::string_view name) const {
  for (const auto& [key, value] : options) {
    if (key == name) return value;
  }
  return std::nullopt;
}

std::optional<std::string> ParseOptions(std::span<const std::string_view> args,
                                        const OptionSpec& spec, ParsedOptions* parsed) {
  auto listed = [](const std::vector<std::string_view>& list, std::string_view flag) {
    return std::find(list.begin(), list.end(), flag) != list.end();
  };
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view flag = args[i];
    if (flag == "--help" || flag == "-h") {
      parsed->help = true;
      continue;
    }
    if (!flag.starts_with("--")) {
      parsed->positional.emplace_back(flag);
      continue;
    }
    std::optional<std::string> attached;
    if (const size_t eq = flag.find('='); eq != std::string_view::npos) {
      attached = std::string(flag.substr(eq + 1));
      flag = flag.substr(0, eq);
    }
    const bool is_switch = listed(spec.switches, flag);
    if (!is_switch && !listed(spec.with_value, flag)) {
      return "unknown option '" + std::string(flag) + "'";
    }
    if (parsed->Has(flag)) return std::string(flag) + " given twice";
    if (is_switch) {
      if (attached) return std::string(flag) + " takes no value";
      parsed->options.emplace_back(std::string(flag), "");
    } else if (attached) {
      parsed->options.emplace_back(std::string(flag), *attached);
    } else if (i + 1 < args.size()) {
      parsed->options.emplace_back(std::string(flag), std::string(args[++i]));
    } else {
      return std::string(flag) + " needs a value";
    }
  }
  return std::nullopt;
}

std::optional<std::string> ReadConfigFile(const std::string& path, const OptionSpec& spec,
                                          const ParsedOptions& overridden,
                                          std::vector<std::string>* words) {
  std::ifstream in(path);
  if (!in) return "--config: cannot read " + path;
  auto listed = [](const std::vector<std::string_view>& list, std::string_view flag) {
    return std::find(list.begin(), list.end(), flag) != list.end();
  };
  auto trim = [](std::string_view text) {
    const size_t first = text.find_first_not_of(" \t\r");
    if (first == std::string_view::npos) return std::string_view();
    return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
  };
  std::set<std::string> seen;
  std::string line;
  for (int number = 1; std::getline(in, line); ++number) {
    const std::string where = path + ":" + std::to_string(number) + ": ";
    const std::string_view text = trim(line);
    if (text.empty() || text.front() == '#') continue;
    size_t end = text.find_first_of(" \t=");
    std::string_view name = text.substr(0, end);
    std::string_view rest = end == std::string_view::npos ? "" : trim(text.substr(end));
    if (rest.starts_with('=')) rest = trim(rest.substr(1));
    const std::string flag = name.starts_with("--") ? std::string(name) : "--" + std::string(name);
    const bool is_switch = listed(spec.switches, flag);
    if (flag == "--config" || (!is_switch && !listed(spec.with_value, flag))) {
      return where + "unknown option '" + std::string(name) + "'";
    }
    if (!seen.insert(flag).second) return where + flag + " given twice in the file";
    if (is_switch && !rest.empty()) return where + flag + " takes no value";
    if (!is_switch && rest.empty()) return where + flag + " needs a value";
    if (overridden.Has(flag)) continue;
    words->push_back(is_switch ? flag : flag + "=" + std::string(rest));
  }
  if (in.bad()) return "--config: cannot read " + path;
  return std::nullopt;
}

std::optional<int64_t> ParseWholeNumber(std::string_view text, int64_t least, int64_t most) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const int digit = c - '0';
    if (value > (std::numeric_limits<int64_t>::max() - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (value < least || value > most) return std::nullopt;
  return value;
}

std::optional<int64_t> ParseWholeNumberClamped(std::string_view text, int64_t least,
                                               int64_t most) {
  if (text.empty()) return std::nullopt;
  int64_t value = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = std::min<int64_t>(value * 10 + (c - '0'), most);  // no overflow: most < 2^59
  }
  if (value < least) return std::nullopt;
  return value;
}

std::string WholeNumberError(std::string_view flag, std::string_view text, int64_t least,
                             int64_t most) {
  std::string range = most == std::numeric_limits<int64_t>::max()
                          ? ">= " + std::to_string(least)
                          : "from " + std::to_string(least) + " to " + std::to_string(most);
  return std::string(flag) + " takes a whole number " + range + ", not '" + std::string(text) +
         "'";
}

}  // namespace wegwijzer::cli
