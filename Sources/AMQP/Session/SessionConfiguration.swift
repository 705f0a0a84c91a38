import AMQPCore

/// What this side of a session advertises in its begin (spec 2.7.2).
public struct SessionConfiguration: Sendable, Hashable {
    /// Transfer frames the peer may send before we widen the window again (spec 2.5.6). The
    /// session reopens it to this size, after a read, when half of it is used.
    public var incomingWindow: UInt32
    /// Transfer frames we are prepared to send before a flow from the peer (advisory).
    public var outgoingWindow: UInt32
    /// The highest link handle the peer may attach with.
    public var handleMax: UInt32
    public var offeredCapabilities: [AMQPSymbol]
    public var desiredCapabilities: [AMQPSymbol]
    public var properties: AMQPMap?

    public init(
        incomingWindow: UInt32 = 5000,
        outgoingWindow: UInt32 = 5000,
        handleMax: UInt32 = 1023,
        offeredCapabilities: [AMQPSymbol] = [],
        desiredCapabilities: [AMQPSymbol] = [],
        properties: AMQPMap? = nil
    ) {
        self.incomingWindow = max(incomingWindow, 1)
        self.outgoingWindow = outgoingWindow
        self.handleMax = handleMax
        self.offeredCapabilities = offeredCapabilities
        self.desiredCapabilities = desiredCapabilities
        self.properties = properties
    }
}

/// Why a session ended. `error` is the AMQP error the peer sent or the one we sent it.
public struct AMQPSessionError: AMQPScopedError, Hashable, Sendable {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case endedByPeer = "the peer ended the session"
            case protocolViolation = "the peer broke the session protocol"
        }

        let base: Base
        public static let endedByPeer = Code(base: .endedByPeer)
        public static let protocolViolation = Code(base: .protocolViolation)
        public var description: String { base.rawValue }
    }

    public var code: Code
    public var error: AMQPError?

    public init(code: Code, error: AMQPError? = nil) {
        self.code = code
        self.error = error
    }
}
