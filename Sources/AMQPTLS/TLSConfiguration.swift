/// How a TLS endpoint is set up. One `TLSContext` is made from it and shared by every
/// connection that uses it.
public struct TLSConfiguration: Sendable, Hashable {
    public enum Role: Sendable, Hashable {
        case client
        case server
    }

    /// Where trusted certificate authorities come from.
    public enum TrustRoots: Sendable, Hashable {
        /// The system's store (Debian: /etc/ssl/certs).
        case system
        /// A PEM file of CA certificates.
        case file(String)
        /// PEM text of CA certificates.
        case pem(String)
    }

    /// A certificate chain and its private key, as PEM files or PEM text.
    public enum Identity: Sendable, Hashable {
        case files(certificateChain: String, privateKey: String)
        case pem(certificateChain: String, privateKey: String)
    }

    public var role: Role
    public var trustRoots: TrustRoots
    /// Our certificate: the server's, or the client's for mutual TLS.
    public var identity: Identity?
    /// Client: verify the server's certificate chain and name (on by default). Server: ask
    /// for a client certificate and verify it when one comes.
    public var verifyPeer: Bool
    /// Server: refuse clients without a certificate (mutual TLS).
    public var requireClientCertificate: Bool
    /// The handshake must finish within this.
    public var handshakeTimeout: Duration

    public static func client(trustRoots: TrustRoots = .system, identity: Identity? = nil, verifyPeer: Bool = true) -> TLSConfiguration {
        TLSConfiguration(role: .client, trustRoots: trustRoots, identity: identity, verifyPeer: verifyPeer,
                         requireClientCertificate: false, handshakeTimeout: .seconds(10))
    }

    public static func server(identity: Identity, trustRoots: TrustRoots = .system,
                              requireClientCertificate: Bool = false) -> TLSConfiguration {
        TLSConfiguration(role: .server, trustRoots: trustRoots, identity: identity, verifyPeer: requireClientCertificate,
                         requireClientCertificate: requireClientCertificate, handshakeTimeout: .seconds(10))
    }
}
