#pragma once

#include <optional>
#include <string>

namespace termijn::config {

/// A URL as libcurl will use it.
struct UrlParts {
  std::string scheme;  ///< lower case: "https"
  std::string host;    ///< "rt.example.org", "127.0.0.1", "[::1]"
  std::string port;
  std::string path;
  bool has_credentials = false;  ///< a user or a password before the host
};

/// `url` split by libcurl's own parser, so that what is checked is what libcurl connects to;
/// nullopt when it is not a URL.
std::optional<UrlParts> split_url(const std::string& url);

/// localhost, 127.0.0.0/8 and ::1 (with or without brackets): traffic that never leaves the
/// machine.
bool is_loopback(std::string host);

/// Whether `url`'s host is a loopback address. Such a transfer must not go through a proxy that
/// the environment names (http_proxy, ALL_PROXY): libcurl would send even http://127.0.0.1 there,
/// and what was checked to stay on the machine would cross the network in clear text.
bool is_loopback_url(const std::string& url);

/// Whether `url` keeps what it carries (a token, a signed event) off the wire in clear text:
/// https://, or http:// to a loopback host only; and no user or password in it, where logs would
/// show them. The host is the one libcurl connects to: "http://127.0.0.1@rt.example.org/" and
/// "http://localhost.rt.example.org/" are not loopback.
bool secure_or_loopback(const std::string& url);

}  // namespace termijn::config
