import NIOCore

/// Why an AMQP-over-WebSocket transport failed: the HTTP upgrade, the CONNECT proxy, or the
/// WebSocket framing after the upgrade. Never contains credentials or header values that may
/// carry them (`Authorization`, `Proxy-Authorization`).
public struct WebSocketTransportError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case upgradeRefused = "the server refused the WebSocket upgrade"
            case subprotocolNotAccepted = "the server did not accept the WebSocket subprotocol"
            case invalidUpgradeResponse = "the server's WebSocket upgrade response is invalid"
            case upgradeTimeout = "the WebSocket upgrade did not finish in time"
            case headTooLarge = "the HTTP head is larger than allowed"
            case invalidHTTP = "the peer sent invalid HTTP"
            case closedDuringUpgrade = "the connection closed during the WebSocket upgrade"
            case proxyRefused = "the proxy refused the CONNECT request"
            case proxyAuthenticationRequired = "the proxy requires authentication"
            case protocolViolation = "the peer violated the WebSocket protocol"
            case messageTooLarge = "the peer sent a WebSocket frame or message larger than allowed"
            case closedByPeer = "the peer closed the WebSocket"
        }

        let base: Base
        /// A response other than `101 Switching Protocols` (the status is in `status`).
        public static let upgradeRefused = Code(base: .upgradeRefused)
        /// `Sec-WebSocket-Protocol` missing from the 101 response, or not one we offered.
        public static let subprotocolNotAccepted = Code(base: .subprotocolNotAccepted)
        /// A 101 response with a wrong `Sec-WebSocket-Accept` or `Upgrade` header.
        public static let invalidUpgradeResponse = Code(base: .invalidUpgradeResponse)
        public static let upgradeTimeout = Code(base: .upgradeTimeout)
        public static let headTooLarge = Code(base: .headTooLarge)
        public static let invalidHTTP = Code(base: .invalidHTTP)
        public static let closedDuringUpgrade = Code(base: .closedDuringUpgrade)
        /// A CONNECT answered with a status other than 2xx (in `status`).
        public static let proxyRefused = Code(base: .proxyRefused)
        /// A CONNECT answered with `407 Proxy Authentication Required`.
        public static let proxyAuthenticationRequired = Code(base: .proxyAuthenticationRequired)
        /// Text frame, wrong masking, reserved bits, bad opcode, fragmented control frame.
        public static let protocolViolation = Code(base: .protocolViolation)
        public static let messageTooLarge = Code(base: .messageTooLarge)
        public static let closedByPeer = Code(base: .closedByPeer)
        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The HTTP status of the response, when one explains the failure.
    public var status: Int?
    /// The WebSocket close code sent or received (RFC 6455 §7.4), when there is one.
    public var closeCode: UInt16?
    /// More words, never secrets.
    public var detail: String?

    public init(code: Code, status: Int? = nil, closeCode: UInt16? = nil, detail: String? = nil) {
        self.code = code
        self.status = status
        self.closeCode = closeCode
        self.detail = detail
    }

    public var description: String {
        var text = code.description
        if let status { text += " (HTTP \(status))" }
        if let closeCode { text += " (close code \(closeCode))" }
        if let detail { text += ": \(detail)" }
        return text
    }
}
