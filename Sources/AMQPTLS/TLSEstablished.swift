/// Fired (as a user inbound event) when the TLS handshake completes: what the peer proved.
public struct TLSEstablished: Sendable, Hashable {
    /// The subject of the peer's verified certificate (`/CN=…`), if it sent one.
    public var peerSubject: String?
    /// The negotiated protocol version, e.g. `TLSv1.3`.
    public var protocolVersion: String
}
