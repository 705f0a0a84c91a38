import AMQPCore
import AMQPTLS

/// Why a connection ended or could not be used. Carries the remote or local AMQP error
/// condition; `description` never includes credentials.
public struct AMQPConnectionError: AMQPScopedError, Hashable, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case closedByPeer = "the peer closed the connection"
            case protocolViolation = "the peer broke the protocol"
            case unsupportedProtocol = "the peer speaks another protocol or version"
            case idleTimeout = "the peer was silent past the idle time-out"
            case transportClosed = "the transport closed"
            case sasl = "SASL failed"
            case tls = "TLS failed"
        }

        let base: Base
        public static let closedByPeer = Code(base: .closedByPeer)
        public static let protocolViolation = Code(base: .protocolViolation)
        public static let unsupportedProtocol = Code(base: .unsupportedProtocol)
        public static let idleTimeout = Code(base: .idleTimeout)
        public static let transportClosed = Code(base: .transportClosed)
        public static let sasl = Code(base: .sasl)
        /// The TLS layer failed: `tls` says why.
        public static let tls = Code(base: .tls)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The AMQP error the peer sent, or the one we sent it.
    public var error: AMQPError?
    /// For `.tls`: what TLS reported (untrusted issuer, hostname mismatch, …).
    public var tls: TLSError?

    public init(code: Code, error: AMQPError? = nil, tls: TLSError? = nil) {
        self.code = code
        self.error = error
        self.tls = tls
    }

    public var description: String {
        if let tls { return "\(code): \(tls)" }
        guard let error else { return code.description }
        return "\(code): \(error.condition)" + (error.errorDescription.map { " (\($0))" } ?? "")
    }
}
