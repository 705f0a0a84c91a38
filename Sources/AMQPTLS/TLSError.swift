/// Why a TLS connection failed, in words a user can act on. Never contains key material.
public struct TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case untrustedIssuer = "the peer's certificate is not signed by a trusted authority"
            case hostnameMismatch = "the peer's certificate does not name the host"
            case certificateExpired = "the peer's certificate has expired"
            case certificateNotYetValid = "the peer's certificate is not valid yet"
            case certificateRejected = "the peer's certificate was rejected"
            case noPeerCertificate = "the peer sent no certificate"
            case handshakeFailed = "the TLS handshake failed"
            case closedDuringHandshake = "the peer closed the connection during the TLS handshake"
            case handshakeTimeout = "the TLS handshake did not finish in time"
            case invalidConfiguration = "the TLS configuration is invalid"
            case protocolError = "TLS failed after the handshake"
        }

        let base: Base
        public static let untrustedIssuer = Code(base: .untrustedIssuer)
        public static let hostnameMismatch = Code(base: .hostnameMismatch)
        public static let certificateExpired = Code(base: .certificateExpired)
        public static let certificateNotYetValid = Code(base: .certificateNotYetValid)
        public static let certificateRejected = Code(base: .certificateRejected)
        public static let noPeerCertificate = Code(base: .noPeerCertificate)
        public static let handshakeFailed = Code(base: .handshakeFailed)
        public static let closedDuringHandshake = Code(base: .closedDuringHandshake)
        public static let handshakeTimeout = Code(base: .handshakeTimeout)
        public static let invalidConfiguration = Code(base: .invalidConfiguration)
        public static let protocolError = Code(base: .protocolError)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// OpenSSL's own words (verification result or error queue), when there are any.
    public var detail: String?

    public init(code: Code, detail: String? = nil) {
        self.code = code
        self.detail = detail
    }

    public var description: String {
        detail.map { "\(code) (\($0))" } ?? code.description
    }
}
