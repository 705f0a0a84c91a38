import AMQPCore

/// Why a link was refused or detached. `error` is the AMQP error the peer sent or we sent it.
public struct AMQPLinkError: AMQPScopedError, Hashable, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case detachedByPeer = "the peer detached the link"
            case refused = "the peer refused the link"
            case protocolViolation = "the peer broke the link protocol"
            case messageTooLarge = "the message exceeds the link's max-message-size"
        }

        let base: Base
        public static let detachedByPeer = Code(base: .detachedByPeer)
        public static let refused = Code(base: .refused)
        public static let protocolViolation = Code(base: .protocolViolation)
        public static let messageTooLarge = Code(base: .messageTooLarge)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var error: AMQPError?

    public init(code: Code, error: AMQPError? = nil) {
        self.code = code
        self.error = error
    }
}
