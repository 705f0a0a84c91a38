#include "COpenSSL.h"

int camqp_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

long camqp_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

long camqp_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return SSL_set_tlsext_host_name(ssl, name);
}

void camqp_BIO_set_retry_read(BIO *bio) {
    BIO_set_retry_read(bio);
}

void camqp_BIO_clear_retry_flags(BIO *bio) {
    BIO_clear_retry_flags(bio);
}

void camqp_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

long camqp_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

const int camqp_TLS1_2_VERSION = TLS1_2_VERSION;
const long camqp_SSL_MODE_ENABLE_PARTIAL_WRITE = SSL_MODE_ENABLE_PARTIAL_WRITE;
const long camqp_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER = SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
const long camqp_SSL_MODE_RELEASE_BUFFERS = SSL_MODE_RELEASE_BUFFERS;
const int camqp_BIO_CTRL_FLUSH = BIO_CTRL_FLUSH;
const int camqp_BIO_CTRL_PENDING = BIO_CTRL_PENDING;
const int camqp_BIO_CTRL_WPENDING = BIO_CTRL_WPENDING;
const int camqp_BIO_TYPE_SOURCE_SINK = BIO_TYPE_SOURCE_SINK;
