#pragma once

#include <absl/status/statusor.h>

#include <memory>
#include <string>
#include <string_view>

#include "server/domain/audit.h"

typedef struct evp_pkey_st EVP_PKEY;

namespace termijn::app {

/// An Ed25519 private key (OpenSSL) that signs audit checkpoints.
class Ed25519Signer {
 public:
  /// Loads a PEM private key as `openssl genpkey -algorithm ed25519` writes it. Refuses a file
  /// that its group or others may read or write: whoever holds the key can sign any trail.
  static absl::StatusOr<Ed25519Signer> load(const std::string& path);
  /// A fresh key that lives only in memory (tests).
  static Ed25519Signer generate();

  /// The 32 raw bytes of the public key.
  const std::string& public_key() const { return public_key_; }
  /// The 64 raw bytes of the signature over `message`.
  std::string sign(std::string_view message) const;

 private:
  explicit Ed25519Signer(EVP_PKEY* key);
  std::shared_ptr<EVP_PKEY> key_;
  std::string public_key_;
};

/// True when `signature` (64 raw bytes) is `public_key`'s (32 raw bytes) over `message`.
bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature);

/// Fills in the checkpoint's public key and signature.
void sign_checkpoint(const Ed25519Signer& signer, domain::AuditCheckpoint& checkpoint);

/// True when the checkpoint's signature is its public key's over its signed text.
bool checkpoint_signature_valid(const domain::AuditCheckpoint& checkpoint);

/// True when the checkpoint names `public_key` (hex) and its signature verifies: it was made by
/// the holder of that key. A row that names the key but does not verify is a forgery.
bool signed_by(const domain::AuditCheckpoint& checkpoint, std::string_view public_key);

}  // namespace termijn::app
