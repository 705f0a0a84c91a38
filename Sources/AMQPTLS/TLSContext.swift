import COpenSSL
import Synchronization

/// An OpenSSL `SSL_CTX` made from a `TLSConfiguration`: trust store, our certificate and key,
/// TLS 1.2 at least, verification mode. Made once and shared by every connection using it
/// (OpenSSL contexts are safe to share once configured).
public final class TLSContext: @unchecked Sendable {
    let context: OpaquePointer
    public let configuration: TLSConfiguration

    public init(_ configuration: TLSConfiguration) throws(TLSError) {
        OPENSSL_init_ssl(0, nil)
        let method = configuration.role == .client ? TLS_client_method() : TLS_server_method()
        guard let context = SSL_CTX_new(method) else {
            throw TLSError(code: .invalidConfiguration, detail: "SSL_CTX_new: \(Self.errorQueue())")
        }
        self.context = context
        self.configuration = configuration
        _ = camqp_SSL_CTX_set_min_proto_version(context, camqp_TLS1_2_VERSION)
        _ = camqp_SSL_CTX_set_mode(context, camqp_SSL_MODE_ENABLE_PARTIAL_WRITE | camqp_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER)
        try loadTrustRoots(configuration.trustRoots)
        if let identity = configuration.identity { try loadIdentity(identity) }
        var mode = SSL_VERIFY_NONE
        if configuration.verifyPeer { mode = SSL_VERIFY_PEER }
        if configuration.role == .server, configuration.requireClientCertificate {
            mode |= SSL_VERIFY_FAIL_IF_NO_PEER_CERT
        }
        SSL_CTX_set_verify(context, mode, nil)
    }

    deinit {
        SSL_CTX_free(context)
    }

    private func loadTrustRoots(_ roots: TLSConfiguration.TrustRoots) throws(TLSError) {
        switch roots {
        case .system:
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw TLSError(code: .invalidConfiguration, detail: "the system trust store: \(Self.errorQueue())")
            }
        case .file(let path):
            guard SSL_CTX_load_verify_locations(context, path, nil) == 1 else {
                throw TLSError(code: .invalidConfiguration, detail: "CA file \(path): \(Self.errorQueue())")
            }
        case .pem(let text):
            let store = SSL_CTX_get_cert_store(context)
            let certificates = try Self.certificates(fromPEM: text)
            for certificate in certificates {
                X509_STORE_add_cert(store, certificate)
                X509_free(certificate)
            }
        }
    }

    private func loadIdentity(_ identity: TLSConfiguration.Identity) throws(TLSError) {
        switch identity {
        case .files(let chain, let key):
            guard SSL_CTX_use_certificate_chain_file(context, chain) == 1 else {
                throw TLSError(code: .invalidConfiguration, detail: "certificate file \(chain): \(Self.errorQueue())")
            }
            guard SSL_CTX_use_PrivateKey_file(context, key, SSL_FILETYPE_PEM) == 1 else {
                // Never the key's contents: only its path.
                throw TLSError(code: .invalidConfiguration, detail: "private key file \(key): \(Self.errorQueue())")
            }
        case .pem(let chain, let key):
            let certificates = try Self.certificates(fromPEM: chain)
            guard let leaf = certificates.first else {
                throw TLSError(code: .invalidConfiguration, detail: "no certificate in the PEM text")
            }
            defer { certificates.forEach { X509_free($0) } }
            guard SSL_CTX_use_certificate(context, leaf) == 1 else {
                throw TLSError(code: .invalidConfiguration, detail: "certificate: \(Self.errorQueue())")
            }
            for extra in certificates.dropFirst() {
                // The context takes this reference.
                X509_up_ref(extra)
                SSL_CTX_ctrl(context, SSL_CTRL_EXTRA_CHAIN_CERT, 0, UnsafeMutableRawPointer(extra))
            }
            let bio = key.withCString { BIO_new_mem_buf($0, Int32(key.utf8.count)) }
            defer { BIO_free(bio) }
            guard let privateKey = PEM_read_bio_PrivateKey(bio, nil, nil, nil) else {
                throw TLSError(code: .invalidConfiguration, detail: "the private key PEM text does not parse")
            }
            defer { EVP_PKEY_free(privateKey) }
            guard SSL_CTX_use_PrivateKey(context, privateKey) == 1 else {
                throw TLSError(code: .invalidConfiguration, detail: "private key: \(Self.errorQueue())")
            }
        }
        guard SSL_CTX_check_private_key(context) == 1 else {
            throw TLSError(code: .invalidConfiguration, detail: "the private key does not match the certificate")
        }
    }

    static func certificates(fromPEM text: String) throws(TLSError) -> [OpaquePointer] {
        let bio = text.withCString { BIO_new_mem_buf($0, Int32(text.utf8.count)) }
        defer { BIO_free(bio) }
        var certificates: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            certificates.append(certificate)
        }
        ERR_clear_error()
        guard !certificates.isEmpty else { throw TLSError(code: .invalidConfiguration, detail: "no certificate in the PEM text") }
        return certificates
    }

    /// OpenSSL's error queue as text, emptied.
    static func errorQueue() -> String {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            guard code != 0 else { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages.isEmpty ? "no detail" : messages.joined(separator: "; ")
    }
}

extension TLSContext {
    private static let cache = Mutex<[TLSConfiguration: TLSContext]>([:])

    /// The context for `configuration`, made once and then shared by every connection that
    /// asks for the same configuration.
    public static func shared(for configuration: TLSConfiguration) throws(TLSError) -> TLSContext {
        if let context = cache.withLock({ $0[configuration] }) { return context }
        let context = try TLSContext(configuration)
        return cache.withLock { contexts in
            if let existing = contexts[configuration] { return existing }
            contexts[configuration] = context
            return context
        }
    }
}
