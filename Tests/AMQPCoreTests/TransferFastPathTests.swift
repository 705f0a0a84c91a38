import NIOCore
import Testing
@testable import AMQPCore

/// The transfer fast path gives exactly what the general decoder gives, for the frames it
/// takes and for corrupted ones (which it leaves to the general decoder).
@Suite struct TransferFastPathTests {
    /// A frame on channel 3 whose body is `performative` then a 5-byte payload.
    static func frame(_ performative: [UInt8]) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeInteger(UInt32(8 + performative.count + 5))
        buffer.writeBytes([2, 0, 0, 3])
        buffer.writeBytes(performative)
        buffer.writeBytes([1, 2, 3, 4, 5])
        return buffer
    }

    /// A transfer list of `fields` (each already encoded), as list8 or list32.
    static func transfer(_ fields: [[UInt8]], list32: Bool = false) -> [UInt8] {
        let elements = fields.flatMap { $0 }
        if list32 {
            var bytes: [UInt8] = [0x00, 0x53, 0x14, 0xD0]
            withUnsafeBytes(of: UInt32(elements.count + 4).bigEndian) { bytes += $0 }
            withUnsafeBytes(of: UInt32(fields.count).bigEndian) { bytes += $0 }
            return bytes + elements
        }
        return [0x00, 0x53, 0x14, 0xC0, UInt8(elements.count + 1), UInt8(fields.count)] + elements
    }

    static func both(_ frame: ByteBuffer) -> (fast: Result<AMQPFrame, AMQPDecodingError>, general: Result<AMQPFrame, AMQPDecodingError>) {
        func parse(_ fast: Bool) -> Result<AMQPFrame, AMQPDecodingError> {
            do throws(AMQPDecodingError) {
                return .success(try AMQPFrameDecoder.parseFrame(frame, offset: 0, limits: .default, fastTransfers: fast))
            } catch {
                return .failure(error)
            }
        }
        return (parse(true), parse(false))
    }

    static func expectSame(_ frame: ByteBuffer, _ comment: Comment? = nil) {
        let (fast, general) = both(frame)
        switch (fast, general) {
        case (.success(let a), .success(let b)): #expect(a == b, comment)
        case (.failure(let a), .failure(let b)): #expect("\(a)" == "\(b)", comment)
        default: Issue.record("fast \(fast) vs general \(general); \(comment?.rawValue ?? "")")
        }
    }

    @Test func encodedTransfersRoundTrip() throws {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<2_000 {
            let tagLength = [0, 1, 8, 255, 256, 300][round % 6]
            let transfer = Transfer(
                handle: [0, 1, 255, 256, .max][round % 5],
                deliveryID: round % 7 == 0 ? nil : UInt32.random(in: 0...UInt32.max, using: &generator),
                deliveryTag: round % 11 == 0 ? nil : ByteBuffer(repeating: UInt8(truncatingIfNeeded: round), count: tagLength),
                messageFormat: round % 3 == 0 ? nil : UInt32(round % 2),
                settled: [nil, true, false][round % 3],
                more: round % 4 == 0,
                rcvSettleMode: [nil, .first, .second][round % 3],
                resume: round % 5 == 0, aborted: round % 6 == 0, batchable: round % 9 == 0)
            var buffer = ByteBuffer()
            buffer.writeAMQPFrame(AMQPFrame(channel: 1, performative: .transfer(transfer), payload: ByteBuffer(string: "body")))
            // The fast path takes it, and reads the same transfer and payload.
            let parsed = try AMQPFrameDecoder.parseFrame(buffer, offset: 0, limits: .default, fastTransfers: true)
            guard case .amqp(.transfer(let read), let payload) = parsed.body else {
                Issue.record("not a transfer")
                continue
            }
            #expect(read == transfer)
            #expect(payload == ByteBuffer(string: "body"))
            #expect(TransferFastPath.parse(buffer.getSlice(at: 8, length: buffer.readableBytes - 8)!) != nil)
            Self.expectSame(buffer, "round \(round)")
            // The engine's entry: the transfer as its parts, the same as the frame.
            var stream = buffer
            var decoder = AMQPFrameDecoder()
            guard case .transfer(1, let direct, let directPayload)? = try decoder.decodeNext(from: &stream) else {
                Issue.record("decodeNext did not give a transfer")
                continue
            }
            #expect(direct == transfer && directPayload == payload && stream.readableBytes == 0)
        }
    }

    @Test func otherEncodingsAgree() {
        let null: [UInt8] = [0x40]
        let cases: [[[UInt8]]] = [
            [[0x70, 0, 0, 0, 7], [0x70, 0, 0, 1, 0], [0xB0, 0, 0, 0, 2, 9, 9], [0x52, 0], [0x56, 1], [0x56, 0], [0x50, 1],
             null, [0x41], [0x42], [0x56, 0]],
            [[0x43]],                               // handle only
            [null],                                 // no handle: missing mandatory field
            [[0x43], null, null, null, null, null, [0x50, 2]],   // rcv-settle-mode 2: invalid
            [[0x43], null, null, null, [0x56, 2]],  // boolean byte 2: invalid
            [[0x43], [0xA1, 1, 0x61]],              // delivery-id as a string: wrong type
            [[0x43], null, null, null, null, null, null, [0x00, 0x53, 0x24, 0x45]],   // a state: general path
            [[0x43], null, null, null, null, null, null, null, null, null, null, [0x40]],   // a twelfth field
        ]
        for fields in cases {
            Self.expectSame(Self.frame(Self.transfer(fields)), "\(fields)")
            Self.expectSame(Self.frame(Self.transfer(fields, list32: true)), "list32 \(fields)")
        }
        // Declared sizes that do not match the elements.
        var short = Self.transfer([[0x43], [0x52, 1]])
        short[4] -= 1
        Self.expectSame(Self.frame(short), "list8 size one short")
        var long = Self.transfer([[0x43], [0x52, 1]])
        long[4] += 1
        Self.expectSame(Self.frame(long), "list8 size one long")
        var count = Self.transfer([[0x43], [0x52, 1]])
        count[5] = 3
        Self.expectSame(Self.frame(count), "list8 count one more than there is")
    }

    /// Every single-byte corruption of a typical transfer frame decodes the same both ways.
    @Test func corruptedFramesAgree() {
        var buffer = ByteBuffer()
        let transfer = Transfer(handle: 2, deliveryID: 300, deliveryTag: ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 1, 2]),
                                messageFormat: 0, settled: false)
        buffer.writeAMQPFrame(AMQPFrame(channel: 1, performative: .transfer(transfer), payload: ByteBuffer(string: "payload")))
        let bytes = Array(buffer.readableBytesView)
        for index in 8..<bytes.count {
            for value: UInt8 in [0x00, 0x01, 0x40, 0x41, 0x43, 0x52, 0x56, 0x70, 0xA0, 0xB0, 0xC0, 0xD0, 0xFF, bytes[index] &+ 1] {
                var corrupted = bytes
                corrupted[index] = value
                Self.expectSame(ByteBuffer(bytes: corrupted), "byte \(index) = \(value)")
            }
        }
    }
}
