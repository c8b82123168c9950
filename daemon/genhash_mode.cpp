#include "daemon/genhash_mode.h"

#include <boost/asio/ip/address.hpp>

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace tandem::daemon {

namespace {

constexpr const char* kProgram = "tandemd --genhash";

struct OptionSpec {
  char shortName;
  const char* longName;
  bool takesValue;
};

// keepalived 2.2.7's getopt_long table for genhash ("hvSIs:V:p:u:m:P:t:").
constexpr OptionSpec kOptions[] = {
    {'h', "help", false},  {'v', "verbose", false},         {'S', "use-ssl", false},  {'I', "use-sni", false},
    {'s', "server", true}, {'V', "use-virtualhost", true},  {'p', "port", true},      {'u', "url", true},
    {'m', "fwmark", true}, {'P', "protocol", true},         {'t', "timeout", true},
};

const OptionSpec* findShort(char name) {
  for (const OptionSpec& spec : kOptions)
    if (spec.shortName == name) return &spec;
  return nullptr;
}

// getopt_long: an exact name, else the one option the prefix names; nullptr when none or several do.
const OptionSpec* findLong(std::string_view name) {
  const OptionSpec* found = nullptr;
  for (const OptionSpec& spec : kOptions) {
    const std::string_view candidate = spec.longName;
    if (candidate == name) return &spec;
    if (!name.empty() && candidate.starts_with(name)) {
      if (found) return nullptr;
      found = &spec;
    }
  }
  return found;
}

// keepalived's "unsigned after optional blanks" parse of -m and -t (strtoul, refusing a sign and trailing text).
std::optional<unsigned long> blankUnsigned(const std::string& value, bool allowEmpty) {
  const char* start = value.c_str() + std::strspn(value.c_str(), " \t");
  if (start[0] == '-' || (!allowEmpty && !start[0])) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const unsigned long parsed = std::strtoul(start, &end, 10);
  if (*end || errno == ERANGE || parsed > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
  return parsed;
}

// One option's value into the command; keepalived's message when it is refused.
std::optional<std::string> apply(char name, const std::string& value, GenhashCommand& c) {
  switch (name) {
    case 'v': c.verbose = true; break;
    case 'S': c.options.ssl = true; break;
    case 'I': c.options.sni = true; break;
    case 's': {
      boost::system::error_code ec;
      boost::asio::ip::make_address(value, ec);
      if (ec) return "server should be an IP, not " + value;
      c.options.server = value;
      break;
    }
    case 'V': c.options.virtualhost = value; break;
    case 'p': {
      char* end = nullptr;
      errno = 0;
      const long port = std::strtol(value.c_str(), &end, 10);
      if (*end || errno == ERANGE || port <= 0 || port > 65535) return "invalid port number '" + value + "'";
      c.options.port = static_cast<std::uint16_t>(port);
      break;
    }
    case 'u': c.url = value; break;
    case 'm': {
      const auto mark = blankUnsigned(value, true);
      if (!mark || *mark > 0xffffffffUL) return "invalid fwmark '" + value + "'";
      c.options.fwmark = static_cast<std::uint32_t>(*mark);
      break;
    }
    case 'P':
      if (value == "1.0") c.options.protocol = check::HttpVersion::V1_0;
      else if (value == "1.0c" || value == "1.0C") c.options.protocol = check::HttpVersion::V1_0C;
      else if (value == "1.1") c.options.protocol = check::HttpVersion::V1_1;
      else return "invalid HTTP protocol version '" + value + "'";
      break;
    case 't': {
      const auto seconds = blankUnsigned(value, false);
      if (!seconds) return "invalid timeout '" + value + "'";
      if (*seconds == 0) return "invalid timeout '" + value + "': at least 1 second";
      c.options.timeout = std::chrono::seconds(*seconds);
      break;
    }
    default: break;
  }
  return std::nullopt;
}

std::string banner(const char* title) { return std::string("-----------------------[") + title + "]-----------------------\n"; }

std::string responseTime(const std::string& url, std::chrono::microseconds elapsed) {
  return "\nGlobal response time for [" + url + "] = " + std::to_string(elapsed.count()) + " usecs\n";
}

std::string hexToBytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
    bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

}  // namespace

GenhashParse parseGenhashArguments(const std::vector<std::string>& args) {
  GenhashParse result;
  GenhashCommand command;
  std::string given;  // the short names of the options seen
  std::vector<std::string> unexpected;
  auto fail = [&result](std::string message) {
    result.error = std::move(message);
    return result;
  };
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      unexpected.insert(unexpected.end(), args.begin() + static_cast<std::ptrdiff_t>(i) + 1, args.end());
      break;
    }
    if (arg.size() < 2 || arg[0] != '-') {  // getopt permutes: operands are gathered, options still parsed
      unexpected.push_back(arg);
      continue;
    }
    // The option named, its value if any, and how to name the option in a message.
    std::vector<std::pair<const OptionSpec*, std::string>> found;
    if (arg[1] == '-') {
      const std::size_t equals = arg.find('=');
      const OptionSpec* spec = findLong(std::string_view(arg).substr(2, equals == std::string::npos ? std::string::npos : equals - 2));
      if (!spec || (equals != std::string::npos && !spec->takesValue)) return fail("Unknown option " + arg);
      std::string value;
      if (equals != std::string::npos) value = arg.substr(equals + 1);
      else if (spec->takesValue && i + 1 < args.size()) value = args[++i];
      else if (spec->takesValue) return fail("Missing parameter for option " + arg);
      found.emplace_back(spec, value);
    } else {
      for (std::size_t j = 1; j < arg.size(); ++j) {  // a cluster such as -vS, or -s127.0.0.1
        const OptionSpec* spec = findShort(arg[j]);
        if (!spec) return fail(std::string("Unknown option -") + arg[j]);
        if (!spec->takesValue) {
          found.emplace_back(spec, std::string());
          continue;
        }
        if (j + 1 < arg.size()) found.emplace_back(spec, arg.substr(j + 1));
        else if (i + 1 < args.size()) found.emplace_back(spec, args[++i]);
        else return fail(std::string("Missing parameter for option -") + arg[j]);
        break;
      }
    }
    for (const auto& [spec, value] : found) {
      if (spec->shortName == 'h') {
        result.help = true;
        return result;
      }
      if (auto error = apply(spec->shortName, value, command)) return fail(*error);
      given += spec->shortName;
    }
  }
  if (!unexpected.empty()) {
    std::string message = "Unexpected argument(s):";
    for (const std::string& arg : unexpected) message += " " + arg;
    return fail(message);
  }
  std::string missing;
  for (const char* required : {"-s server-address", "-p port", "-u url"}) {
    if (given.find(required[1]) != std::string::npos) continue;
    missing += (missing.empty() ? "" : ", ") + std::string(required);
  }
  if (!missing.empty()) return fail("missing " + missing + "; genhash needs -s server-address -p port -u url");
  result.command = std::move(command);
  return result;
}

std::string genhashUsage() {
  return std::string("Usage: ") + kProgram +
         " COMMAND [OPTIONS]\n"
         "Commands:\n"
         "   -s server-address -p port -u url\n"
         "   -S -s server-address -p port -u url\n"
         "   -h\n\n"
         "Options:\n"
         "Either long or short options are allowed.\n"
         "   --use-ssl         -S       Use SSL connection to remote server.\n"
         "   --use-sni         -I       Use SNI during SSL handshake (uses virtualhost setting; see -V).\n"
         "   --server          -s       Use the specified remote server address.\n"
         "   --port            -p       Use the specified remote server port.\n"
         "   --url             -u       Use the specified remote server url.\n"
         "   --use-virtualhost -V       Use the specified virtualhost in GET query.\n"
         "   --verbose         -v       Use verbose mode output.\n"
         "   --help            -h       Display this short inlined help screen.\n"
         "   --fwmark          -m       Use the specified FW mark.\n"
         "   --protocol        -P       Use the specified HTTP protocol - '1.0', 1.0c', '1.1'.\n"
         "                                1.0c means 1.0 with 'Connection: close'\n"
         "   --timeout         -t       Timeout in seconds\n";
}

std::string hexDump(std::string_view bytes) {
  std::string out;
  const std::size_t count = bytes.size();
  const std::size_t padded = (count + 15) / 16 * 16;
  char cell[16];
  for (std::size_t i = 0; i < padded; ++i) {
    if (i % 16 == 0) {
      std::snprintf(cell, sizeof cell, "%.4zu ", i & 0xffff);
      out += cell;
    }
    if (i < count) {
      std::snprintf(cell, sizeof cell, "%3.2x", static_cast<unsigned char>(bytes[i]));
      out += cell;
    } else {
      out += "   ";
    }
    if ((i + 1) % 16 == 8) out += " -";
    if ((i + 1) % 16 == 0) {
      out += "   ";
      for (std::size_t j = i - 15; j <= i; ++j) {
        const char c = j < count ? bytes[j] : ' ';
        out += c >= 0x20 && c <= 0x7e ? c : '.';
      }
      out += '\n';
    }
  }
  return out;
}

std::string genhashReport(const GenhashCommand& command, const check::HttpResponse& response,
                          std::chrono::microseconds elapsed) {
  if (!command.verbose) return response.md5Hex + "\n";
  std::string head;
  for (const std::string& line : response.headers) head += line + "\r\n";
  head += "\r\n";
  std::string out = banner("    HTTP Header Buffer    ") + hexDump(head);
  out += banner(" HTTP Header Ascii Buffer ") + head + "\n";
  out += banner("        HTML Buffer        ");
  out += "(" + std::to_string(response.bodyBytes) + " bytes, hashed as they arrived; tandemd keeps no copy to dump)\n\n";
  out += banner("    HTML hash resulting    ") + hexDump(hexToBytes(response.md5Hex));
  out += banner(" HTML hash final resulting ") + response.md5Hex + "\n";
  out += responseTime(command.url, elapsed);
  return out;
}

std::optional<int> genhashArgumentStart(int argc, const char* const* argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--") return std::nullopt;
    if (arg == "-T" || arg == "--genhash") return i + 1;
  }
  return std::nullopt;
}

int runGenhash(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  const GenhashParse parsed = parseGenhashArguments(args);
  if (parsed.help) {
    out << genhashUsage();
    return 0;
  }
  if (!parsed.command) {
    err << kProgram << ": " << parsed.error << " (" << kProgram << " -h lists the options)\n";
    return 1;
  }
  const GenhashCommand& command = *parsed.command;
  const auto start = std::chrono::steady_clock::now();
  const check::HttpResponse response = check::genhash(command.url, command.options);
  const auto elapsed =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - start);
  if (!response.error.empty()) {
    err << kProgram << ": " << response.error << "\n";
    if (command.verbose) out << responseTime(command.url, elapsed);
    return 1;
  }
  out << genhashReport(command, response, elapsed);
  return 0;
}

}  // namespace tandem::daemon
