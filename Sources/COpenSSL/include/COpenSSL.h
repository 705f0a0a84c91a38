// The parts of the system OpenSSL (libssl 3) that AMQPTLS uses, plus functions for the
// macros Swift cannot import.
#ifndef COPENSSL_H
#define COPENSSL_H

#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

int camqp_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version);
long camqp_SSL_CTX_set_mode(SSL_CTX *ctx, long mode);
long camqp_SSL_set_tlsext_host_name(SSL *ssl, const char *name);
void camqp_BIO_set_retry_read(BIO *bio);
void camqp_BIO_clear_retry_flags(BIO *bio);
void camqp_OPENSSL_free(void *pointer);
long camqp_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode);

/// Constants from macros.
extern const int camqp_TLS1_2_VERSION;
extern const long camqp_SSL_MODE_ENABLE_PARTIAL_WRITE;
extern const long camqp_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
extern const long camqp_SSL_MODE_RELEASE_BUFFERS;
extern const int camqp_BIO_CTRL_FLUSH;
extern const int camqp_BIO_CTRL_PENDING;
extern const int camqp_BIO_CTRL_WPENDING;
extern const int camqp_BIO_TYPE_SOURCE_SINK;

#endif
