#include "server/web/form_tokens.h"

#include <openssl/crypto.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <stdexcept>

#include "server/app/sha256.h"
#include "server/config/files.h"

namespace termijn::web {
namespace {

std::string random_hex(size_t bytes) {
  std::string raw(bytes, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(raw.data()), static_cast<int>(bytes)) != 1) {
    throw std::runtime_error("no randomness");
  }
  return app::to_hex(raw);
}

}  // namespace

absl::StatusOr<FormTokens> FormTokens::load(const std::string& file) {
  if (file.empty()) return FormTokens(random_hex(32));
  absl::StatusOr<std::string> text = config::read_private_file(file);
  if (!text.ok()) {
    return absl::InvalidArgumentError("web.form_key_file: " + std::string(text.status().message()));
  }
  std::string key = *std::move(text);
  key.erase(0, key.find_first_not_of(" \t\r\n"));
  key.erase(key.find_last_not_of(" \t\r\n") + 1);
  if (key.size() < 32) {
    return absl::InvalidArgumentError("web.form_key_file: " + file +
                                      " must hold at least 32 characters (openssl rand -hex 32)");
  }
  return FormTokens(std::move(key));
}

std::string FormTokens::new_nonce() { return random_hex(16); }

std::string FormTokens::token(const std::string& principal, const std::string& nonce) const {
  const std::string message = principal + "\n" + nonce;
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  HMAC(EVP_sha256(), key_.data(), static_cast<int>(key_.size()),
       reinterpret_cast<const unsigned char*>(message.data()), message.size(), out, &size);
  return app::to_hex(std::string(reinterpret_cast<char*>(out), size));
}

bool FormTokens::valid(const std::string& principal, const std::string& nonce,
                       const std::string& token) const {
  if (nonce.empty()) return false;
  const std::string expected = this->token(principal, nonce);
  return token.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), token.data(), expected.size()) == 0;
}

}  // namespace termijn::web
