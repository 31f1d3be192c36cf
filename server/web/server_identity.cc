#include "server/web/server_identity.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <string>

#include "server/app/pem.h"

namespace termijn::web {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Bio open_file(const std::string& path) { return Bio(BIO_new_file(path.c_str(), "r"), BIO_free); }

}  // namespace

struct ServerIdentity::Material {
  X509* leaf = nullptr;
  STACK_OF(X509) * chain = nullptr;  // the intermediates after the leaf
  EVP_PKEY* key = nullptr;
  X509_STORE* cas = nullptr;                 // verifies the client's chain
  STACK_OF(X509_NAME) * ca_names = nullptr;  // named in the certificate request
  Material() = default;
  Material(const Material&) = delete;
  Material& operator=(const Material&) = delete;
  ~Material() {
    X509_free(leaf);
    sk_X509_pop_free(chain, X509_free);
    EVP_PKEY_free(key);
    X509_STORE_free(cas);
    sk_X509_NAME_pop_free(ca_names, X509_NAME_free);
  }
};

ServerIdentity::ServerIdentity() = default;
ServerIdentity::~ServerIdentity() = default;

absl::Status ServerIdentity::load(const api::TrustFiles& files) {
  const std::string& cert_file = files.cert_file;
  const std::string& key_file = files.key_file;
  // OpenSSL's errors stay with the thread (a SIGHUP's) unless cleared.
  const auto refuse = [](const std::string& message) {
    ERR_clear_error();
    return absl::InvalidArgumentError(message);
  };
  auto m = std::make_shared<Material>();
  m->cas = X509_STORE_new();
  m->ca_names = SSL_load_client_CA_file(files.ca_file.c_str());
  if (X509_STORE_load_file(m->cas, files.ca_file.c_str()) != 1 || m->ca_names == nullptr) {
    return refuse(files.ca_file + ": no PEM CA certificate");
  }
  if (const Bio certs = open_file(cert_file)) {
    m->leaf = PEM_read_bio_X509(certs.get(), nullptr, app::no_passphrase, nullptr);
    m->chain = sk_X509_new_null();
    while (X509* next = PEM_read_bio_X509(certs.get(), nullptr, app::no_passphrase, nullptr)) {
      sk_X509_push(m->chain, next);
    }
  }
  if (m->leaf == nullptr) return refuse(cert_file + ": no PEM certificate");
  if (const Bio key = open_file(key_file)) {
    m->key = PEM_read_bio_PrivateKey(key.get(), nullptr, app::no_passphrase, nullptr);
  }
  if (m->key == nullptr) return refuse(key_file + ": no PEM private key, or an encrypted one");
  if (X509_check_private_key(m->leaf, m->key) != 1) {
    return refuse(key_file + ": not the key of the certificate in " + cert_file);
  }
  ERR_clear_error();  // what PEM_read_bio_X509 left at the end of the chain
  std::lock_guard lock(mutex_);
  current_ = std::move(m);
  return absl::OkStatus();
}

void ServerIdentity::install(SSL_CTX* ctx) {
  SSL_CTX_set_cert_cb(ctx, &ServerIdentity::present, this);
}

int ServerIdentity::present(SSL* ssl, void* self) {
  std::shared_ptr<const Material> m;
  {
    const auto* identity = static_cast<const ServerIdentity*>(self);
    std::lock_guard lock(identity->mutex_);
    m = identity->current_;
  }
  if (!m) return 0;
  if (SSL_use_certificate(ssl, m->leaf) != 1 || SSL_use_PrivateKey(ssl, m->key) != 1 ||
      SSL_set1_chain(ssl, m->chain) != 1 || SSL_set1_verify_cert_store(ssl, m->cas) != 1) {
    return 0;
  }
  if (STACK_OF(X509_NAME)* names = SSL_dup_CA_list(m->ca_names)) {
    SSL_set_client_CA_list(ssl, names);
  }
  return 1;
}

}  // namespace termijn::web
