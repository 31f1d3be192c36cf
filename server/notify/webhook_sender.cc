#include "server/notify/webhook_sender.h"

#include <curl/curl.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

#include "server/config/secure_url.h"

namespace termijn::notify {

namespace {

size_t discard(char*, size_t size, size_t n, void*) { return size * n; }

// Non-zero aborts the transfer.
int abort_when_stopped(void* stopped, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<std::atomic<bool>*>(stopped)->load() ? 1 : 0;
}

}  // namespace

std::string webhook_signature(std::string_view secret, int64_t unix_time, std::string_view body) {
  const std::string t = std::to_string(unix_time);
  const std::string signed_text = t + "." + std::string(body);
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()),
       reinterpret_cast<const unsigned char*>(signed_text.data()), signed_text.size(), mac,
       &length);
  static const char kHex[] = "0123456789abcdef";
  std::string hex;
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[mac[i] >> 4];
    hex += kHex[mac[i] & 0xf];
  }
  return "t=" + t + ",v1=" + hex;
}

WebhookResult CurlWebhookSender::post(const WebhookPost& p) {
  WebhookResult result;
  if (stopped_) {
    result.error = "not sent: termijnd is stopping";
    result.stopped = true;
    return result;
  }
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), &curl_easy_cleanup);
  if (!curl) {
    result.error = "libcurl could not start";
    return result;
  }
  curl_slist* headers = nullptr;
  for (const std::string& h :
       {std::string("Content-Type: application/json"), "Termijn-Event: " + p.event_type,
        "Termijn-Delivery: " + p.delivery_id,
        "Termijn-Signature: " + webhook_signature(p.secret, p.unix_time, p.body),
        std::string("Expect:")}) {
    headers = curl_slist_append(headers, h.c_str());
  }
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(headers,
                                                                          &curl_slist_free_all);
  char error[CURL_ERROR_SIZE] = "";
  CURL* c = curl.get();
  curl_easy_setopt(c, CURLOPT_URL, p.url.c_str());
  if (config::is_loopback_url(p.url)) curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http");
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(c, CURLOPT_POSTFIELDS, p.body.data());
  curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(p.body.size()));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!p.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, p.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, static_cast<long>(p.timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT, static_cast<long>(p.timeout.count()));
  curl_easy_setopt(c, CURLOPT_USERAGENT, "termijn-webhooks/1");
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, abort_when_stopped);
  curl_easy_setopt(c, CURLOPT_XFERINFODATA, &stopped_);
  const CURLcode code = curl_easy_perform(c);
  if (code != CURLE_OK) {
    result.error = *error != '\0' ? error : curl_easy_strerror(code);
    result.stopped = stopped_;  // cut off by stop(), which curl reports as an error
    return result;
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &result.status);
  result.delivered = result.status >= 200 && result.status < 300;
  if (!result.delivered) result.error = "HTTP " + std::to_string(result.status);
  return result;
}

}  // namespace termijn::notify
