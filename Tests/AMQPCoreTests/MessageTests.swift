import NIOCore
import Testing
@testable import AMQPCore

@Suite struct MessageTests {
    static var full: AMQPMessage { OurVectors.messages.first { $0.0 == "all sections" }!.1 }

    @Test func sectionsEncodeExactly() {
        let message = AMQPMessage(
            header: MessageHeader(durable: true),
            properties: MessageProperties(messageID: "m"),
            applicationProperties: [.string("k"): .int(1)],
            body: .data(bytes("abcd")))
        #expect(hex(message.encoded()) ==
            "005370c0020141" + "005373c00401a1016d" + "005374c10602a1016b5401" + "005375a002abcd")
    }

    @Test func everySectionRoundTrips() throws {
        for (name, message) in OurVectors.messages {
            #expect(try AMQPMessage(decoding: message.encoded()) == message, "\(name)")
        }
        let multi = AMQPMessage(body: .dataSections([bytes("01"), bytes("0203")]))
        #expect(try AMQPMessage(decoding: multi.encoded()) == multi)
        let sequences = AMQPMessage(body: .sequence([[.int(1)], [], [.string("x")]]))
        #expect(try AMQPMessage(decoding: sequences.encoded()) == sequences)
    }

    @Test func dataBodySharesStorageWithTheReceivedFrame() throws {
        let body = ByteBuffer(repeating: 0x5A, count: 1024)
        var frame = ByteBuffer()
        frame.writeAMQPFrame(AMQPFrame(channel: 0, performative: .transfer(Transfer(handle: 0, deliveryID: 0, deliveryTag: bytes("01"))),
                                       payload: AMQPMessage(data: body, properties: MessageProperties(messageID: "x")).encoded()))
        let frameRange = frame.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress)..<(UInt(bitPattern: $0.baseAddress) + UInt($0.count)) }
        var decoder = AMQPFrameDecoder()
        guard case .frame(let decoded) = try decoder.decodeItem(from: &frame), case .amqp(_, let payload) = decoded.body else {
            Issue.record("no transfer")
            return
        }
        let view = try AMQPMessageView(decoding: payload)
        let data = try #require(view.data)
        #expect(data == body)
        let dataStart = data.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) }
        #expect(frameRange.contains(dataStart))
        #expect(frameRange.contains(dataStart + 1023))
        // The fully decoded message's body is a slice of the same storage too.
        guard case .data(let decodedBody) = try view.body() else { Issue.record("no data body"); return }
        #expect(decodedBody.withUnsafeReadableBytes { UInt(bitPattern: $0.baseAddress) } == dataStart)
    }

    @Test func sectionsAreDecodedOnlyWhenRead() throws {
        // Properties holding invalid UTF-8: the view is created (structure is fine) and the
        // data body is readable; reading the properties is what fails.
        let encoded = bytes("005373c00501a102c328" + "005375a0026869")
        let view = try AMQPMessageView(decoding: encoded)
        #expect(view.data == bytes("6869"))
        do {
            _ = try view.properties()
            Issue.record("expected invalid UTF-8")
        } catch {
            #expect(error.code == .invalidUTF8)
            #expect(error.offset == 8)
            #expect(error.typeName == "properties")
            #expect(error.fieldName == "message-id")
        }
    }

    @Test func oneApplicationPropertyIsFoundWithoutDecodingTheRest() throws {
        let view = try AMQPMessageView(decoding: Self.full.encoded())
        #expect(try view.applicationProperty("type") == .string("order.created"))
        #expect(try view.applicationProperty("n") == .int(-5))
        #expect(try view.applicationProperty("big") == .long(1 << 40))
        #expect(try view.applicationProperty("missing") == nil)
        #expect(try view.applicationProperty("typ") == nil)
        let none = try AMQPMessageView(decoding: AMQPMessage(body: .value(.null)).encoded())
        #expect(try none.applicationProperty("type") == nil)
        // A non-string key is skipped, not matched.
        let odd = AMQPMessage(applicationProperties: [.symbol("type"): .int(1), .string("type"): .int(2)], body: .value(.null))
        #expect(try AMQPMessageView(decoding: odd.encoded()).applicationProperty("type") == .int(2))
    }

    @Test func bareMessageIsForwardedByteForByte() throws {
        let message = Self.full
        let encoded = message.encoded()
        let view = try AMQPMessageView(decoding: encoded)
        var bare = AMQPMessage(properties: message.properties, applicationProperties: message.applicationProperties, body: message.body)
        #expect(view.bareMessage == bare.encoded())
        // Forwarding: new annotations around the same bare bytes.
        var forwarded = ByteBuffer()
        MessageHeader(durable: false, deliveryCount: 9).writeAMQP(into: &forwarded)
        forwarded.writeImmutableBuffer(view.bareMessage)
        let reread = try AMQPMessage(decoding: forwarded)
        bare.header = MessageHeader(durable: false, deliveryCount: 9)
        #expect(reread == bare)
    }

    @Test func sectionOrderAndKindsAreChecked() {
        func code(_ hexString: String) -> AMQPDecodingError.Code? {
            do {
                _ = try AMQPMessageView(decoding: bytes(hexString))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(code("005373450053704" + "5") == .invalidSection)                 // header after properties
        #expect(code("00537045" + "00537045") == .invalidSection)                 // header twice
        #expect(code("005375a000" + "00537740") == .invalidSection)               // data then amqp-value
        #expect(code("00537740" + "00537740") == .invalidSection)                 // two amqp-values
        #expect(code("005378c10100" + "005375a000") == .invalidSection)           // body after footer
        #expect(code("00539945") == .invalidSection)                              // unknown section
        #expect(code("45") == .invalidSection)                                    // not described
        #expect(code("00537545") == .invalidFieldType)                            // data holding a list
        #expect(code("005374c0010" + "0") == .invalidFieldType)                   // app-properties as a list
        #expect(code("005375a005ab") == .sizeExceedsInput)
        #expect(code("") == nil)
        #expect(code("005375a000005375a000") == nil)                               // two data sections
        #expect(code("00a31c616d71703a6d6573736167652d616e6e6f746174696f6e733a6d6170" + "c10100" + "00537741") == nil)  // symbolic descriptor
    }

    /// Every prefix of an encoded message either is a shorter valid message (it ends on a
    /// section boundary: then it decodes and encodes back to exactly those bytes) or fails
    /// with a typed decoding error that says it is cut short; never anything else.
    @Test func truncatedMessagesAreTypedErrors() throws {
        let encoded = Self.full.encoded()
        var valid = 0, truncated = 0
        for length in 0..<encoded.readableBytes {
            let prefix = encoded.getSlice(at: 0, length: length)!
            do throws(AMQPDecodingError) {
                let message = try AMQPMessageView(decoding: prefix).decodeMessage()
                #expect(message.encoded() == prefix, "prefix of \(length) bytes decoded to something else")
                valid += 1
            } catch {
                #expect([.truncated, .sizeExceedsInput, .countExceedsSize].contains(error.code),
                        "prefix of \(length) bytes: \(error)")
                truncated += 1
            }
        }
        // Both kinds happen: the section boundaries, and every cut in between.
        #expect(valid >= 2)
        #expect(truncated > encoded.readableBytes / 2)
    }

    @Test func encodePartsLeavesALargeBodyUncopied() {
        let body = ByteBuffer(repeating: 1, count: 70_000)
        let message = AMQPMessage(data: body, properties: MessageProperties(messageID: "m"), applicationProperties: [.string("a"): "b"])
        var scratch = ByteBuffer()
        let parts = message.encodeParts(into: &scratch)
        #expect(parts.body.withUnsafeReadableBytes { $0.baseAddress } == body.withUnsafeReadableBytes { $0.baseAddress })
        #expect(parts.joined() == message.encoded())
        let small = AMQPMessage(data: ByteBuffer(repeating: 1, count: 100))
        let smallParts = small.encodeParts(into: &scratch)
        #expect(smallParts.body.readableBytes == 0)
        #expect(smallParts.joined() == small.encoded())
    }
}
