#include "server/connectors/rt/config.h"

#include <toml++/toml.h>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "proto/channel_keepalive.h"
#include "server/config/files.h"
#include "server/config/secure_url.h"
#include "server/config/toml_reader.h"

namespace termijn::rt {
namespace {

absl::Status invalid(const std::string& key, const std::string& reason) {
  return absl::InvalidArgumentError(key + ": " + reason);
}

absl::StatusOr<std::string> read_token(const std::string& path) {
  const absl::StatusOr<std::string> text = config::read_private_file(path);
  if (!text.ok()) {
    return absl::Status(text.status().code(),
                        "rt.token_file: " + std::string(text.status().message()));
  }
  const std::string token(absl::StripAsciiWhitespace(*text));
  if (token.empty()) return invalid("rt.token_file", path + " holds no token");
  return token;
}

}  // namespace

absl::StatusOr<ConnectorConfig> load_config(const std::string& path) {
  toml::table file;
  try {
    file = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return absl::InvalidArgumentError(path + ": line " + std::to_string(e.source().begin.line) +
                                      ": " + std::string(e.description()));
  }
  ConnectorConfig config;
  std::string token_file;
  try {
    const config::TomlReader reader(file, path);
    const auto termijn = reader.root().table("termijn");
    config.server = termijn.string_or("server", config.server);
    config.ca = termijn.string_or("ca", "");
    config.cert = termijn.string_or("cert", "");
    config.key = termijn.string_or("key", "");
    config.options.party = termijn.string_or("party", "");
    config.keepalive_seconds = static_cast<int>(termijn.integer_or(
        "keepalive_seconds", config.keepalive_seconds, kMinKeepaliveSeconds, 3600));
    const auto rt = reader.root().table("rt");
    config.rt.base_url = rt.string_or("url", "");
    config.rt.queue = rt.string_or("queue", "");
    config.rt.record_field = rt.string_or("record_field", config.rt.record_field);
    config.rt.ca_file = rt.string_or("ca_file", "");
    config.rt.timeout_seconds =
        static_cast<int>(rt.integer_or("timeout_seconds", config.rt.timeout_seconds, 1, 600));
    token_file = rt.string_or("token_file", "");
    const auto connector = reader.root().table("connector");
    config.state_file = connector.string_or("state_file", "");
    config.retry_initial_seconds = static_cast<int>(
        connector.integer_or("retry_initial_seconds", config.retry_initial_seconds, 1, 3600));
    config.retry_max_seconds = static_cast<int>(
        connector.integer_or("retry_max_seconds", config.retry_max_seconds, 1, 3600));
    reader.refuse_unknown();
  } catch (const std::runtime_error& e) {
    return absl::InvalidArgumentError(e.what());
  }

  for (const auto& [key, value] :
       {std::pair<std::string, const std::string*>{"termijn.ca", &config.ca},
        {"termijn.cert", &config.cert},
        {"termijn.key", &config.key},
        {"rt.url", &config.rt.base_url},
        {"rt.queue", &config.rt.queue},
        {"rt.record_field", &config.rt.record_field},
        {"rt.token_file", &token_file},
        {"connector.state_file", &config.state_file}}) {
    if (value->empty()) return invalid(key, "missing");
  }
  if (config.rt.base_url.rfind("http://", 0) != 0 && config.rt.base_url.rfind("https://", 0) != 0) {
    return invalid("rt.url", "not an http:// or https:// URL: " + config.rt.base_url);
  }
  if (!config::secure_or_loopback(config.rt.base_url)) {
    // The auth token goes with every call.
    return invalid("rt.url",
                   "must be https:// (http:// only to a loopback address), with no user or "
                   "password in it: " +
                       config.rt.base_url);
  }
  // RT may still be making a ticket whose create timed out, as long as RT's own timeout.
  config.options.create_in_doubt = absl::Seconds(config.rt.timeout_seconds);
  if (config.retry_max_seconds < config.retry_initial_seconds) {
    return invalid("connector.retry_initial_seconds", "must be at most retry_max_seconds");
  }
  auto token = read_token(token_file);
  if (!token.ok()) return token.status();
  config.rt.token = *token;
  return config;
}

}  // namespace termijn::rt
