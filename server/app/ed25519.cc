#include "server/app/ed25519.h"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <memory>
#include <stdexcept>

#include "server/app/pem.h"
#include "server/app/sha256.h"
#include "server/config/files.h"

namespace termijn::app {

namespace {

std::string raw_public_key(EVP_PKEY* key) {
  std::string raw(32, '\0');
  size_t length = raw.size();
  if (EVP_PKEY_get_raw_public_key(key, reinterpret_cast<unsigned char*>(raw.data()), &length) !=
          1 ||
      length != raw.size()) {
    throw std::runtime_error("cannot read an Ed25519 public key");
  }
  return raw;
}

}  // namespace

Ed25519Signer::Ed25519Signer(EVP_PKEY* key)
    : key_(key, EVP_PKEY_free), public_key_(raw_public_key(key)) {}

absl::StatusOr<Ed25519Signer> Ed25519Signer::load(const std::string& path) {
  const absl::StatusOr<std::string> pem = config::read_private_file(path);
  if (!pem.ok()) {
    return absl::FailedPreconditionError("audit signing key: " +
                                         std::string(pem.status().message()));
  }
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(
      BIO_new_mem_buf(pem->data(), static_cast<int>(pem->size())), BIO_free);
  EVP_PKEY* key = PEM_read_bio_PrivateKey(bio.get(), nullptr, no_passphrase, nullptr);
  if (key == nullptr || EVP_PKEY_id(key) != EVP_PKEY_ED25519) {
    EVP_PKEY_free(key);
    ERR_clear_error();
    return absl::FailedPreconditionError(
        "audit signing key: " + path +
        " is not an Ed25519 private key in PEM, or it is encrypted (openssl genpkey -algorithm "
        "ed25519)");
  }
  return Ed25519Signer(key);
}

Ed25519Signer Ed25519Signer::generate() {
  EVP_PKEY* key = nullptr;
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new_id(EVP_PKEY_ED25519, nullptr), EVP_PKEY_CTX_free);
  if (!ctx || EVP_PKEY_keygen_init(ctx.get()) != 1 || EVP_PKEY_keygen(ctx.get(), &key) != 1) {
    throw std::runtime_error("cannot generate an Ed25519 key");
  }
  return Ed25519Signer(key);
}

std::string Ed25519Signer::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  size_t length = signature.size();
  // Ed25519 hashes internally: no digest is named.
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1) {
    throw std::runtime_error("Ed25519 signing failed");
  }
  return signature;
}

bool ed25519_verify(std::string_view public_key, std::string_view message,
                    std::string_view signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr,
                                  reinterpret_cast<const unsigned char*>(public_key.data()),
                                  public_key.size()),
      EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  return key && ctx && EVP_DigestVerifyInit(ctx.get(), nullptr, nullptr, nullptr, key.get()) == 1 &&
         EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                          signature.size(), reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
}

void sign_checkpoint(const Ed25519Signer& signer, domain::AuditCheckpoint& checkpoint) {
  checkpoint.public_key = to_hex(signer.public_key());
  checkpoint.signature = to_hex(signer.sign(domain::checkpoint_signed_text(checkpoint)));
}

bool checkpoint_signature_valid(const domain::AuditCheckpoint& checkpoint) {
  const auto key = from_hex(checkpoint.public_key);
  const auto signature = from_hex(checkpoint.signature);
  return key.has_value() && signature.has_value() &&
         ed25519_verify(*key, domain::checkpoint_signed_text(checkpoint), *signature);
}

bool signed_by(const domain::AuditCheckpoint& checkpoint, std::string_view public_key) {
  return checkpoint.public_key == public_key && checkpoint_signature_valid(checkpoint);
}

}  // namespace termijn::app
