import NIOCore

/// The frame types of spec 2.3.1 and 5.3.3.
public enum AMQPFrameType: UInt8, Hashable, Sendable {
    case amqp = 0x00
    case sasl = 0x01
}

/// One frame (spec 2.3): a channel and a body. An AMQP frame without a body is a heartbeat.
public struct AMQPFrame: Hashable, Sendable {
    public enum Body: Hashable, Sendable {
        /// An AMQP frame: a performative and the bytes after it (a transfer's message bytes,
        /// a slice of the received frame; empty for other performatives).
        case amqp(Performative, payload: ByteBuffer)
        /// A SASL frame.
        case sasl(SASLFrameBody)
        /// An AMQP frame with no body: a heartbeat (spec 2.4.5).
        case empty
    }

    public var channel: UInt16
    public var body: Body

    public init(channel: UInt16, body: Body) {
        self.channel = channel
        self.body = body
    }

    public init(channel: UInt16, performative: Performative, payload: ByteBuffer = ByteBuffer()) {
        self.init(channel: channel, body: .amqp(performative, payload: payload))
    }

    public static func heartbeat() -> AMQPFrame { AMQPFrame(channel: 0, body: .empty) }

    public var type: AMQPFrameType {
        if case .sasl = body { return .sasl }
        return .amqp
    }
}

/// What arrives on an AMQP byte stream: protocol headers and frames.
public enum AMQPInbound: Hashable, Sendable {
    case header(AMQPProtocolHeader)
    case frame(AMQPFrame)
}

/// What `AMQPFrameDecoder.decodeNext(from:)` reads: a transfer as its parts, anything else as
/// an `AMQPInbound`.
public enum AMQPDecodedItem: Sendable {
    case item(AMQPInbound)
    /// A transfer frame on `channel`: its performative and the message bytes after it.
    case transfer(channel: UInt16, Transfer, payload: ByteBuffer)

    /// The same as an `AMQPInbound`.
    public var inbound: AMQPInbound {
        switch self {
        case .item(let item): item
        case .transfer(let channel, let transfer, let payload):
            .frame(AMQPFrame(channel: channel, body: .amqp(.transfer(transfer), payload: payload)))
        }
    }
}

/// Frame header constants (spec 2.3.1).
public enum AMQPFrameLayout {
    /// size (4), doff (1), type (1), type-specific (2).
    public static let headerLength = 8
    /// The smallest max-frame-size a peer may set (spec 2.7.1, `MIN-MAX-FRAME-SIZE`).
    public static let minimumMaxFrameSize: UInt32 = 512
}

extension ByteBuffer {
    /// Writes one complete frame, size back-filled: header, performative, payload (copied).
    /// See `AMQPTransferEncoder` for transfers with large or multi-frame payloads.
    @inlinable
    public mutating func writeAMQPFrame(_ frame: AMQPFrame) {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(UInt8(2))
        writeInteger(frame.type.rawValue)
        writeInteger(frame.channel)
        switch frame.body {
        case .amqp(let performative, let payload):
            performative.writeAMQP(into: &self)
            writeImmutableBuffer(payload)
        case .sasl(let body):
            body.writeAMQP(into: &self)
        case .empty:
            break
        }
        setInteger(UInt32(truncatingIfNeeded: writerIndex - start), at: start)
    }

    /// Writes an AMQP frame's header and performative, its size counting `payloadLength`
    /// bytes of payload that the caller writes next (here or as a buffer of its own).
    @inlinable
    public mutating func writeAMQPFrameHead(_ performative: Performative, channel: UInt16, payloadLength: Int) {
        let start = startAMQPFrame(channel: channel, type: .amqp)
        performative.writeAMQP(into: &self)
        finishAMQPFrame(sizeAt: start, extra: payloadLength)
    }

    /// `writeAMQPFrameHead` for a transfer, without a performative value around it.
    public mutating func writeAMQPFrameHead(_ transfer: Transfer, channel: UInt16, payloadLength: Int) {
        let start = startAMQPFrame(channel: channel, type: .amqp)
        transfer.writeAMQP(into: &self)
        finishAMQPFrame(sizeAt: start, extra: payloadLength)
    }

    /// Writes the header of an AMQP frame on `channel` whose performative follows; returns the
    /// index of the size field for `finishAMQPFrame(sizeAt:)`.
    @inlinable
    mutating func startAMQPFrame(channel: UInt16, type: AMQPFrameType = .amqp) -> Int {
        let start = writerIndex
        writeInteger(UInt64(2) << 24 | UInt64(type.rawValue) << 16 | UInt64(channel))
        return start
    }

    /// Back-fills the frame size of a frame started at `start`, adding `extra` bytes that are
    /// not in this buffer (a payload written elsewhere).
    @inlinable
    mutating func finishAMQPFrame(sizeAt start: Int, extra: Int = 0) {
        setInteger(UInt32(truncatingIfNeeded: writerIndex - start + extra), at: start)
    }
}
