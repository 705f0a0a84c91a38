import NIOCore

/// What a peer may send before it is refused: every size the peer controls is capped.
public struct WebSocketLimits: Sendable, Hashable {
    /// The largest WebSocket frame payload read; bigger ones close with 1009 (message too big).
    public var maxFrameSize: Int
    /// The largest message (a frame and its continuations) read; bigger ones close with 1009.
    public var maxMessageSize: Int
    /// The largest HTTP head (request line or status line and headers) read during the upgrade
    /// or from a CONNECT proxy.
    public var maxHeadSize: Int
    /// How long the upgrade (or the CONNECT exchange) may take before the channel is closed.
    public var upgradeTimeout: TimeAmount

    /// 1 MiB of AMQP frame plus room for its header, 16 KiB of HTTP head, 30 seconds.
    public static let `default` = WebSocketLimits(
        maxFrameSize: (1 << 20) + 1024, maxMessageSize: (1 << 20) + 1024, maxHeadSize: 16 * 1024,
        upgradeTimeout: .seconds(30))

    public init(maxFrameSize: Int, maxMessageSize: Int, maxHeadSize: Int, upgradeTimeout: TimeAmount) {
        // The frame decoder takes at most UInt32.max; never trap on a caller's large number.
        self.maxFrameSize = min(max(maxFrameSize, 125), Int(UInt32.max))
        self.maxMessageSize = max(maxMessageSize, 125)
        self.maxHeadSize = max(maxHeadSize, 256)
        self.upgradeTimeout = upgradeTimeout
    }
}
