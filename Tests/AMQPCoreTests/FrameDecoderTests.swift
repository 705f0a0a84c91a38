import NIOCore
import NIOTestUtils
import Testing
@testable import AMQPCore

@Suite struct FrameDecoderTests {
    static let openFrame = AMQPFrame(channel: 0, performative: .open(Open(containerID: "c")))
    static let transferFrame = AMQPFrame(channel: 3, performative: .transfer(Transfer(handle: 1, deliveryID: 2, deliveryTag: bytes("00"))),
                                         payload: bytes("00537741"))

    static func encoded(_ items: [AMQPInbound]) -> ByteBuffer {
        var buffer = ByteBuffer()
        let encoder = AMQPFrameEncoder()
        for item in items { encoder.encode(data: item, out: &buffer) }
        return buffer
    }

    @Test func headersAndFramesExactBytes() {
        #expect(hex(Self.encoded([.header(.amqp)])) == "414d515000010000")
        #expect(hex(Self.encoded([.header(.sasl)])) == "414d515003010000")
        #expect(hex(Self.encoded([.header(.tls)])) == "414d515002010000")
        #expect(hex(Self.encoded([.frame(.heartbeat())])) == "0000000802000000")
        #expect(hex(Self.encoded([.frame(Self.openFrame)])) == "0000001102000000" + "005310c00401a10163")
    }

    @Test func verifierAcceptsSplitAndCoalescedInput() throws {
        let items: [AMQPInbound] = [
            .header(.sasl),
            .frame(AMQPFrame(channel: 0, body: .sasl(.mechanisms(SASLMechanisms(saslServerMechanisms: ["ANONYMOUS"]))))),
            .header(.amqp),
            .frame(Self.openFrame),
            .frame(.heartbeat()),
            .frame(Self.transferFrame),
        ]
        let pairs = items.map { (Self.encoded([$0]), [$0]) }
        try ByteToMessageDecoderVerifier.verifyDecoder(inputOutputPairs: pairs) { AMQPFrameDecoder() }
    }

    @Test func decodesByteByByteAndReturnsNilForNeedMore() throws {
        var stream = Self.encoded([.header(.amqp), .frame(Self.openFrame), .frame(Self.transferFrame)])
        var decoder = AMQPFrameDecoder()
        var input = ByteBuffer()
        var out: [AMQPInbound] = []
        while let byte = stream.readInteger(as: UInt8.self) {
            input.writeInteger(byte)
            while let item = try decoder.decodeItem(from: &input) { out.append(item) }
        }
        #expect(out == [.header(.amqp), .frame(Self.openFrame), .frame(Self.transferFrame)])
        #expect(decoder.streamOffset == Self.encoded(out).readableBytes)
    }

    @Test func frameSizeIsEnforcedFromTheFourSizeBytesAlone() {
        var decoder = AMQPFrameDecoder(maxFrameSize: 512)
        var buffer = bytes("00000201")  // 513, nothing else has arrived
        do {
            _ = try decoder.decodeItem(from: &buffer)
            Issue.record("expected frameTooLarge")
        } catch {
            #expect(error.code == .frameTooLarge)
            #expect(error.offset == 0)
        }
        var huge = AMQPFrameDecoder(maxFrameSize: .max)
        #expect(huge.maxFrameSize == AMQPFrameDecoder.absoluteMaxFrameSize)
        var claim = bytes("7fffffff02000000")
        #expect(throws: AMQPDecodingError.self) { try huge.decodeItem(from: &claim) }
    }

    @Test func malformedFrameHeadersAreTypedErrors() {
        func error(_ hexString: String) -> AMQPDecodingError.Code? {
            var decoder = AMQPFrameDecoder()
            var buffer = bytes(hexString)
            do {
                while try decoder.decodeItem(from: &buffer) != nil {}
                return nil
            } catch {
                return error.code
            }
        }
        #expect(error("00000004") == .invalidFrameHeader)                 // size below 8
        #expect(error("0000000801000000") == .invalidFrameHeader)         // doff 1
        #expect(error("0000000803000000") == .invalidFrameHeader)         // doff beyond the frame
        #expect(error("0000000802050000") == .invalidFrameType)           // type 5
        #expect(error("0000000802010000") == .invalidFrameHeader)         // empty SASL frame
        #expect(error("414d515001010000") == .invalidProtocolHeader)      // protocol id 1
        #expect(error("0000000c02000000" + "00531045") == .missingMandatoryField)
        #expect(error("0000000b02000000" + "005399") == .unexpectedDescriptor)
        #expect(error("0000000a02000000" + "0053") == .truncated)
        #expect(error("0000000b02000000" + "410000") == .invalidConstructor)
        #expect(error("0000001202010000" + "005340c00301a300" + "4040") == .trailingBytes)
        #expect(error("0000000d02000000" + "00533045" + "40") == .unexpectedDescriptor)
    }

    @Test func extendedHeaderIsSkipped() throws {
        // doff 3: four bytes of extended header before the body.
        var decoder = AMQPFrameDecoder()
        var buffer = bytes("0000001003000007" + "deadbeef" + "00531845")
        let item = try decoder.decodeItem(from: &buffer)
        #expect(item == .frame(AMQPFrame(channel: 7, performative: .close(Close()))))
    }

    @Test func unsupportedProtocolVersionsAreReportedNotRejected() throws {
        var decoder = AMQPFrameDecoder()
        var buffer = bytes("414d515000000900")
        let item = try decoder.decodeItem(from: &buffer)
        guard case .header(let header) = item else { Issue.record("expected a header"); return }
        #expect(!header.isSupportedVersion)
        #expect(header.minor == 9)
    }

    @Test func transferPayloadSharesTheReceivedStorage() throws {
        var stream = Self.encoded([.frame(Self.transferFrame)])
        let streamStart = stream.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        var decoder = AMQPFrameDecoder()
        guard case .frame(let frame) = try decoder.decodeItem(from: &stream),
              case .amqp(_, let payload) = frame.body
        else {
            Issue.record("expected a transfer")
            return
        }
        let payloadStart = payload.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(payloadStart == streamStart + UInt(Self.encoded([.frame(Self.transferFrame)]).readableBytes - 4))
    }

    /// Random bytes: each call either takes a whole item (consuming bytes), asks for more
    /// (nil, consuming nothing) or throws a typed error; so the loop below ends within as
    /// many calls as there are bytes, or the decoder has made a call that does none of these.
    @Test func garbageStreamsNeverTrapOrHang() {
        var g = SeededGenerator(seed: 99)
        var outcomes = (items: 0, needMore: 0, errors: 0)
        for _ in 0..<5_000 {
            var buffer = ByteBuffer()
            for _ in 0..<Int.random(in: 0..<64, using: &g) { buffer.writeInteger(UInt8.random(in: 0...255, using: &g)) }
            if Bool.random(using: &g) { buffer.setInteger(UInt32(buffer.readableBytes), at: 0) }
            var decoder = AMQPFrameDecoder()
            var calls = 0
            decoding: while true {
                calls += 1
                guard calls <= 64 + 2 else {
                    Issue.record("the decoder neither finished nor stopped within \(calls) calls")
                    break
                }
                let before = buffer.readableBytes
                do throws(AMQPDecodingError) {
                    guard try decoder.decodeItem(from: &buffer) != nil else {
                        #expect(buffer.readableBytes == before, "asked for more but consumed bytes")
                        outcomes.needMore += 1
                        break decoding
                    }
                    #expect(buffer.readableBytes < before, "an item from no bytes")
                    outcomes.items += 1
                } catch {
                    outcomes.errors += 1
                    break decoding
                }
            }
        }
        #expect(outcomes.needMore > 0 && outcomes.errors > 0)
    }
}
