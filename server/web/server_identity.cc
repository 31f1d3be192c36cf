#include "server/web/server_identity.h"

#include <openssl/err.h>
#include <openssl/x509.h>

#include <string>

namespace termijn::web {

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
  auto cas = api::load_certificates(files.ca_file);
  if (!cas.ok()) return cas.status();
  auto pair = api::load_server_key_pair(files);
  if (!pair.ok()) return pair.status();
  auto m = std::make_shared<Material>();
  m->cas = X509_STORE_new();
  m->ca_names = sk_X509_NAME_new_null();
  for (const api::Certificate& ca : *cas) {
    if (X509_STORE_add_cert(m->cas, ca.get()) != 1 ||
        sk_X509_NAME_push(m->ca_names, X509_NAME_dup(X509_get_subject_name(ca.get()))) <= 0) {
      ERR_clear_error();  // OpenSSL's errors stay with the thread (a SIGHUP's) unless cleared
      return absl::InvalidArgumentError(files.ca_file + ": cannot take its certificates");
    }
  }
  m->leaf = pair->chain.front().release();
  m->chain = sk_X509_new_null();
  for (size_t i = 1; i < pair->chain.size(); ++i) sk_X509_push(m->chain, pair->chain[i].release());
  m->key = pair->key.release();
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
