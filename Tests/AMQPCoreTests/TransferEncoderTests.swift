import NIOCore
import Testing
@testable import AMQPCore

@Suite struct TransferEncoderTests {
    static let transfer = Transfer(handle: 0, deliveryID: 5, deliveryTag: bytes("0000000000000005"), messageFormat: 0)

    /// Runs the encoder and returns the bytes in write order, and the pieces handed to `emit`.
    static func write(_ message: AMQPMessage, maxFrameSize: UInt32, copyThreshold: Int = 16_384,
                      transfer: Transfer = transfer) throws -> (stream: ByteBuffer, emitted: [ByteBuffer], frames: Int) {
        var scratch = ByteBuffer()
        let parts = message.encodeParts(into: &scratch, bodyThreshold: 1)
        let encoder = AMQPTransferEncoder(maxFrameSize: maxFrameSize, copyThreshold: copyThreshold)
        var out = ByteBuffer()
        var emitted: [ByteBuffer] = []
        let frames = try encoder.writeTransfer(transfer, channel: 2, message: parts, into: &out) { emitted.append($0) }
        var stream = ByteBuffer()
        for piece in emitted { stream.writeImmutableBuffer(piece) }
        stream.writeImmutableBuffer(out)
        return (stream, emitted, frames)
    }

    /// Decodes the frames and reassembles the delivery.
    static func reassemble(_ stream: ByteBuffer, maxFrameSize: UInt32) throws -> (transfers: [Transfer], payload: ByteBuffer) {
        var input = stream
        var decoder = AMQPFrameDecoder(maxFrameSize: maxFrameSize)
        var transfers: [Transfer] = []
        var payload = ByteBuffer()
        while let item = try decoder.decodeItem(from: &input) {
            guard case .frame(let frame) = item, case .amqp(.transfer(let transfer), let piece) = frame.body else {
                Issue.record("unexpected \(item)")
                continue
            }
            #expect(frame.channel == 2)
            transfers.append(transfer)
            payload.writeImmutableBuffer(piece)
        }
        #expect(input.readableBytes == 0)
        return (transfers, payload)
    }

    @Test func smallMessageIsOneFrame() throws {
        let message = AMQPMessage(data: ByteBuffer(repeating: 7, count: 100))
        let (stream, emitted, frames) = try Self.write(message, maxFrameSize: 512)
        #expect(frames == 1)
        #expect(emitted.isEmpty)
        let (transfers, payload) = try Self.reassemble(stream, maxFrameSize: 512)
        #expect(transfers == [Self.transfer])
        #expect(payload == message.encoded())
    }

    @Test(arguments: [512, 513, 1000, 4096])
    func largeMessageIsSplitWithMoreOnAllButTheLast(_ maxFrameSize: Int) throws {
        let message = AMQPMessage(data: ByteBuffer(repeating: 9, count: 1 << 20), properties: MessageProperties(messageID: "big"))
        let (stream, _, frames) = try Self.write(message, maxFrameSize: UInt32(maxFrameSize))
        let (transfers, payload) = try Self.reassemble(stream, maxFrameSize: UInt32(maxFrameSize))
        #expect(frames == transfers.count)
        #expect(frames > (1 << 20) / maxFrameSize)
        #expect(transfers.dropLast().allSatisfy { $0.more })
        #expect(transfers.last?.more == false)
        #expect(transfers.allSatisfy { $0.deliveryID == 5 && $0.handle == 0 })
        #expect(payload == message.encoded())
        // Every frame but the last is filled to the limit.
        var input = stream
        var sizes: [UInt32] = []
        while input.readableBytes > 0 {
            let size = input.getInteger(at: input.readerIndex, as: UInt32.self)!
            sizes.append(size)
            input.moveReaderIndex(forwardBy: Int(size))
        }
        #expect(sizes.dropLast().allSatisfy { $0 == UInt32(maxFrameSize) })
        #expect(sizes.last! <= UInt32(maxFrameSize))
    }

    @Test func largeBodyPiecesAreEmittedWithoutCopying() throws {
        let body = ByteBuffer(repeating: 3, count: 65_536)
        let message = AMQPMessage(data: body)
        let (stream, emitted, frames) = try Self.write(message, maxFrameSize: 1 << 20, copyThreshold: 4096)
        #expect(frames == 1)
        // header bytes, then the body itself (same storage), then nothing left but the tail.
        #expect(emitted.count == 2)
        #expect(emitted[1].withUnsafeReadableBytes { $0.baseAddress } == body.withUnsafeReadableBytes { $0.baseAddress })
        let (_, payload) = try Self.reassemble(stream, maxFrameSize: 1 << 20)
        #expect(payload == message.encoded())
    }

    @Test func multiFrameAbortAndMoreFromTheCallerArePreserved() throws {
        var transfer = Self.transfer
        transfer.more = true
        let message = AMQPMessage(data: ByteBuffer(repeating: 1, count: 2000))
        let (stream, _, _) = try Self.write(message, maxFrameSize: 512, transfer: transfer)
        let (transfers, _) = try Self.reassemble(stream, maxFrameSize: 512)
        #expect(transfers.allSatisfy { $0.more })
    }

    @Test func frameTooSmallForThePerformativeIsAnError() {
        let message = AMQPMessage(data: ByteBuffer(repeating: 1, count: 100))
        var transfer = Self.transfer
        transfer.deliveryTag = ByteBuffer(repeating: 0, count: 40)
        #expect(throws: AMQPTransferEncoder.FrameTooSmall.self) { try Self.write(message, maxFrameSize: 60, transfer: transfer) }
    }
}
