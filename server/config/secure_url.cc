#include "server/config/secure_url.h"

#include <arpa/inet.h>
#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>

namespace termijn::config {

std::optional<UrlParts> split_url(const std::string& url) {
  std::unique_ptr<CURLU, decltype(&curl_url_cleanup)> handle(curl_url(), curl_url_cleanup);
  if (!handle || curl_url_set(handle.get(), CURLUPART_URL, url.c_str(), CURLU_NON_SUPPORT_SCHEME) !=
                     CURLUE_OK) {
    return std::nullopt;
  }
  auto part = [&](CURLUPart which) -> std::optional<std::string> {
    char* value = nullptr;
    if (curl_url_get(handle.get(), which, &value, 0) != CURLUE_OK || value == nullptr) {
      return std::nullopt;
    }
    std::string out(value);
    curl_free(value);
    return out;
  };
  UrlParts parts;
  parts.scheme = part(CURLUPART_SCHEME).value_or("");
  parts.host = part(CURLUPART_HOST).value_or("");
  parts.port = part(CURLUPART_PORT).value_or("");
  parts.path = part(CURLUPART_PATH).value_or("");
  parts.has_credentials = part(CURLUPART_USER).has_value() || part(CURLUPART_PASSWORD).has_value();
  return parts;
}

bool is_loopback(std::string host) {
  std::transform(host.begin(), host.end(), host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (host == "localhost") return true;
  in_addr v4{};
  if (inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  in6_addr v6{};
  return inet_pton(AF_INET6, host.c_str(), &v6) == 1 &&
         std::memcmp(&v6, &in6addr_loopback, sizeof v6) == 0;
}

bool is_loopback_url(const std::string& url) {
  const auto parts = split_url(url);
  return parts && is_loopback(parts->host);
}

bool secure_or_loopback(const std::string& url) {
  const auto parts = split_url(url);
  if (!parts || parts->host.empty() || parts->has_credentials) return false;
  return parts->scheme == "https" || (parts->scheme == "http" && is_loopback(parts->host));
}

}  // namespace termijn::config
