import AMQPCore
import NIOCore

/// Frames encoded as the engine produces them, for the transport: one buffer of frames, and
/// transfer payloads of `gatheringThreshold` bytes or more as buffers of their own beside it
/// (for a gathering write; they are not copied). Nothing per frame but the encoding itself.
public struct EncodedOutbound: Sendable {
    public let gatheringThreshold: Int
    private var chunks: [ByteBuffer] = []
    private var current = ByteBuffer()

    public init(gatheringThreshold: Int = 4096) {
        self.gatheringThreshold = gatheringThreshold
    }

    public var isEmpty: Bool { chunks.isEmpty && current.readableBytes == 0 }

    /// Transfer frames encoded and not yet taken.
    public private(set) var transferCount = 0

    mutating func write(_ item: AMQPInbound) {
        reserve()
        switch item {
        case .header(let header):
            current.writeAMQPProtocolHeader(header)
        case .frame(let frame):
            guard case .amqp(let performative, let payload) = frame.body else {
                current.writeAMQPFrame(frame)
                return
            }
            write(performative, channel: frame.channel, payload: payload)
        }
    }

    /// An AMQP frame, written without building a frame value first.
    mutating func write(_ performative: Performative, channel: UInt16, payload: ByteBuffer) {
        reserve()
        current.writeAMQPFrameHead(performative, channel: channel, payloadLength: payload.readableBytes)
        append(payload)
    }

    /// A transfer frame (the hot path: no performative value around it).
    mutating func write(_ transfer: Transfer, channel: UInt16, payload: ByteBuffer) {
        reserve()
        current.writeAMQPFrameHead(transfer, channel: channel, payloadLength: payload.readableBytes)
        transferCount += 1
        append(payload)
    }

    private mutating func append(_ payload: ByteBuffer) {
        if payload.readableBytes >= gatheringThreshold {
            chunks.append(current)
            chunks.append(payload)
            current = ByteBuffer()
        } else {
            current.writeImmutableBuffer(payload)
        }
    }

    /// Moves the encoded chunks into `buffer` (emptied first), in order.
    public mutating func take(into buffer: inout [ByteBuffer]) {
        transferCount = 0
        buffer.removeAll(keepingCapacity: true)
        swap(&buffer, &chunks)
        if current.readableBytes > 0 {
            buffer.append(current)
            current = ByteBuffer()
        }
    }

    private mutating func reserve() {
        if current.capacity == 0 { current.reserveCapacity(16 * 1024) }
    }
}
