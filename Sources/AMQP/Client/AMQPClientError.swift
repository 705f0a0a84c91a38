import AMQPCore
import AMQPTLS

/// What the async API throws: a code, the AMQP error the peer sent (or we sent it) when there
/// is one, and a detail. `description` never shows credentials.
public struct AMQPClientError: AMQPScopedError, Hashable, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case invalidURL = "the URL is not amqp://[user[:password]@]host[:port]"
            case connectFailed = "could not connect"
            case connectionClosed = "the connection closed"
            case sessionEnded = "the session ended"
            case linkDetached = "the link detached"
            case alreadySettled = "the delivery is settled already"
            case timedOut = "timed out"
            case invalidMessage = "the message cannot be decoded"
            case cancelled = "the task was cancelled"
            case tlsFailed = "TLS failed"
            case staleDelivery = "the delivery can no longer be settled"
        }

        let base: Base
        public static let invalidURL = Code(base: .invalidURL)
        /// The transport (TCP) could not be established.
        public static let connectFailed = Code(base: .connectFailed)
        /// The connection is closed (by us, by the peer, by a protocol error, SASL or a lost
        /// transport); `error` carries the condition when there is one.
        public static let connectionClosed = Code(base: .connectionClosed)
        /// The session ended; `error` carries the condition (e.g. `amqp:not-found` from a
        /// broker that ends the session instead of refusing the link).
        public static let sessionEnded = Code(base: .sessionEnded)
        /// The link detached or was refused; `error` carries the condition.
        public static let linkDetached = Code(base: .linkDetached)
        public static let alreadySettled = Code(base: .alreadySettled)
        public static let timedOut = Code(base: .timedOut)
        public static let invalidMessage = Code(base: .invalidMessage)
        public static let cancelled = Code(base: .cancelled)
        /// The TLS handshake or session failed; `tlsError` says why.
        public static let tlsFailed = Code(base: .tlsFailed)
        /// The delivery came on a link that has since been re-attached (after a reconnect):
        /// it cannot be settled there, and the peer delivers it again.
        public static let staleDelivery = Code(base: .staleDelivery)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var error: AMQPError?
    /// What was happening, in words (never a secret).
    public var detail: String?
    /// For `tlsFailed`: untrusted issuer, hostname mismatch, expired certificate, …
    public var tlsError: TLSError?

    public init(code: Code, error: AMQPError? = nil, detail: String? = nil, tlsError: TLSError? = nil) {
        self.code = code
        self.error = error
        self.detail = detail
        self.tlsError = tlsError
    }

    /// The remote condition, if any: `amqp:not-found`, `amqp:unauthorized-access`, …
    public var condition: AMQPErrorCondition? { error?.condition }

    public var description: String {
        var text = code.description
        if let detail { text += " (\(detail))" }
        if let error {
            text += ": \(error.condition)" + (error.errorDescription.map { " (\($0))" } ?? "")
        }
        return text
    }

    init(_ error: AMQPConnectionError) {
        if let tls = error.tls {
            self.init(code: .tlsFailed, detail: "\(tls)", tlsError: tls)
        } else {
            self.init(code: .connectionClosed, error: error.error, detail: error.code.description)
        }
    }

    init(_ error: AMQPSessionError) {
        self.init(code: .sessionEnded, error: error.error, detail: error.code.description)
    }

    init(_ error: AMQPLinkError) {
        self.init(code: .linkDetached, error: error.error, detail: error.code.description)
    }
}
