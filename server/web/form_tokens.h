#pragma once

#include <absl/status/statusor.h>

#include <string>

namespace termijn::web {

/// The tokens that the console's forms carry against cross-site requests. A browser holds a
/// random nonce in a cookie; each form of its pages carries HMAC-SHA256(key, principal "\n"
/// nonce). A POST is taken only with the token of its own principal and its own browser's
/// nonce, which a page of another site can neither read nor make.
class FormTokens {
 public:
  /// The key in `file`, of at least 32 characters around which white space does not count, and
  /// which only its owner may read; or, when `file` is empty, a random key of this process (the
  /// forms of open pages then go stale when termijnd restarts). INVALID_ARGUMENT naming
  /// `web.form_key_file` otherwise.
  static absl::StatusOr<FormTokens> load(const std::string& file);

  /// A nonce for a browser's cookie: 32 hex digits from OpenSSL's random source.
  static std::string new_nonce();

  /// The token of `principal`'s forms in the browser with `nonce`: 64 hex digits.
  std::string token(const std::string& principal, const std::string& nonce) const;

  /// Whether `token` is that of `principal` and `nonce` (compared in constant time); never for
  /// an empty nonce.
  bool valid(const std::string& principal, const std::string& nonce,
             const std::string& token) const;

 private:
  explicit FormTokens(std::string key) : key_(std::move(key)) {}

  std::string key_;
};

}  // namespace termijn::web
