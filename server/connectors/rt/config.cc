#include "server/connectors/rt/config.h"

#include <sys/stat.h>
#include <toml++/toml.h>

#include <fstream>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "server/config/secure_url.h"

namespace termijn::rt {
namespace {

absl::Status invalid(const std::string& key, const std::string& reason) {
  return absl::InvalidArgumentError(key + ": " + reason);
}

absl::StatusOr<std::string> read_token(const std::string& path) {
  struct stat info {};
  if (::stat(path.c_str(), &info) != 0) return invalid("rt.token_file", "cannot read " + path);
  if ((info.st_mode & 077) != 0) {
    return absl::FailedPreconditionError("rt.token_file: " + path +
                                         " may be read by others; chmod 600 it");
  }
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  const std::string token(absl::StripAsciiWhitespace(text.str()));
  if (!in || token.empty()) return invalid("rt.token_file", path + " holds no token");
  return token;
}

}  // namespace

absl::StatusOr<ConnectorConfig> load_config(const std::string& path) {
  toml::table file;
  try {
    file = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(path + ": " + std::string(e.description()));
  }
  ConnectorConfig config;
  config.server = file["termijn"]["server"].value_or(config.server);
  config.ca = file["termijn"]["ca"].value_or(std::string());
  config.cert = file["termijn"]["cert"].value_or(std::string());
  config.key = file["termijn"]["key"].value_or(std::string());
  config.options.party = file["termijn"]["party"].value_or(std::string());
  config.rt.base_url = file["rt"]["url"].value_or(std::string());
  config.rt.queue = file["rt"]["queue"].value_or(std::string());
  config.rt.record_field = file["rt"]["record_field"].value_or(config.rt.record_field);
  config.rt.ca_file = file["rt"]["ca_file"].value_or(std::string());
  config.rt.timeout_seconds = file["rt"]["timeout_seconds"].value_or(config.rt.timeout_seconds);
  config.state_file = file["connector"]["state_file"].value_or(std::string());
  config.retry_initial_seconds =
      file["connector"]["retry_initial_seconds"].value_or(config.retry_initial_seconds);
  config.retry_max_seconds =
      file["connector"]["retry_max_seconds"].value_or(config.retry_max_seconds);

  for (const auto& [key, value] :
       {std::pair<std::string, const std::string*>{"termijn.ca", &config.ca},
        {"termijn.cert", &config.cert},
        {"termijn.key", &config.key},
        {"rt.url", &config.rt.base_url},
        {"rt.queue", &config.rt.queue},
        {"rt.record_field", &config.rt.record_field},
        {"connector.state_file", &config.state_file}}) {
    if (value->empty()) return invalid(key, "missing");
  }
  if (config.rt.base_url.rfind("http://", 0) != 0 && config.rt.base_url.rfind("https://", 0) != 0) {
    return invalid("rt.url", "not an http:// or https:// URL: " + config.rt.base_url);
  }
  if (!config::secure_or_loopback(config.rt.base_url)) {
    // The auth token goes with every call.
    return invalid("rt.url", "must be https:// (http:// only to a loopback address): " +
                                 config.rt.base_url);
  }
  if (config.rt.timeout_seconds < 1 || config.rt.timeout_seconds > 600) {
    return invalid("rt.timeout_seconds", "must be 1 to 600");
  }
  // RT may still be making a ticket whose create timed out, as long as RT's own timeout.
  config.options.create_in_doubt = absl::Seconds(config.rt.timeout_seconds);
  if (config.retry_initial_seconds < 1 || config.retry_max_seconds < config.retry_initial_seconds ||
      config.retry_max_seconds > 3600) {
    return invalid("connector.retry_initial_seconds",
                   "must be at least 1 and at most retry_max_seconds (at most 3600)");
  }
  const std::string token_file = file["rt"]["token_file"].value_or(std::string());
  if (token_file.empty()) return invalid("rt.token_file", "missing");
  auto token = read_token(token_file);
  if (!token.ok()) return token.status();
  config.rt.token = *token;
  return config;
}

}  // namespace termijn::rt
