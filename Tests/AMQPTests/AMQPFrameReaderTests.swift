import AMQPCore
import NIOCore
import NIOEmbedded
import Testing
@testable import AMQP

/// The frame reader: any split of the byte stream gives the same headers and frames; whole
/// frames are slices of the read; an oversized frame fails from its size alone.
@Suite struct AMQPFrameReaderTests {
    /// A header, an open, a transfer with a 3 KiB message, a heartbeat, a close.
    static var stream: ByteBuffer {
        var bytes = ByteBuffer()
        bytes.writeAMQPProtocolHeader(.amqp)
        bytes.writeAMQPFrame(AMQPFrame(channel: 0, performative: .open(Open(containerID: "c")), payload: ByteBuffer()))
        let message = AMQPMessage(data: ByteBuffer(repeating: 7, count: 3000)).encoded()
        bytes.writeAMQPFrame(AMQPFrame(channel: 1, performative: .transfer(Transfer(handle: 0, deliveryID: 0, deliveryTag: ByteBuffer(string: "t"))),
                                       payload: message))
        bytes.writeAMQPFrame(.heartbeat())
        bytes.writeAMQPFrame(AMQPFrame(channel: 0, performative: .close(Close()), payload: ByteBuffer()))
        return bytes
    }

    static func read(_ pieces: [ByteBuffer], maxFrameSize: UInt32 = 65_536) throws -> [AMQPInbound] {
        let channel = EmbeddedChannel(handler: AMQPFrameReader(maxFrameSize: maxFrameSize))
        for piece in pieces { try channel.writeInbound(piece) }
        var items: [AMQPInbound] = []
        while let item = try channel.readInbound(as: AMQPInbound.self) { items.append(item) }
        return items
    }

    @Test func everySplitGivesTheSameItems() throws {
        let stream = Self.stream
        let whole = try Self.read([stream])
        #expect(whole.count == 5)
        for cut in stride(from: 1, to: stream.readableBytes, by: 7) {
            let pieces = [stream.getSlice(at: 0, length: cut)!, stream.getSlice(at: cut, length: stream.readableBytes - cut)!]
            #expect(try Self.read(pieces) == whole, "split at \(cut)")
        }
        // Byte by byte.
        let bytes = (0..<stream.readableBytes).map { stream.getSlice(at: $0, length: 1)! }
        #expect(try Self.read(bytes) == whole)
    }

    @Test func aWholeFrameIsASliceOfTheRead() throws {
        let stream = Self.stream
        let items = try Self.read([stream])
        guard case .frame(let frame) = items[2], case .amqp(_, let payload) = frame.body else {
            Issue.record("no transfer")
            return
        }
        let inside = stream.withUnsafeReadableBytes { streamBytes in
            payload.withUnsafeReadableBytes { payloadBytes in
                payloadBytes.baseAddress! >= streamBytes.baseAddress! && payloadBytes.baseAddress! < streamBytes.baseAddress! + streamBytes.count
            }
        }
        #expect(inside)
    }

    @Test func anOversizedFrameFailsFromItsSize() throws {
        var bytes = ByteBuffer()
        bytes.writeInteger(UInt32(1_000_000))
        let channel = EmbeddedChannel(handler: AMQPFrameReader(maxFrameSize: 4096))
        #expect(throws: AMQPDecodingError.self) { try channel.writeInbound(bytes) }
    }
}
