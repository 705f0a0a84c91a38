import AMQPCore
import NIOCore
import Testing
@testable import OctopusEnvelope

@Suite struct AMQPMappingTests {
    @Test func theMessageCarriesTheEnvelopeAndItsCopies() throws {
        let envelope = try sample()
        let message = envelope.message()
        #expect(message.body == .data(envelope.encoded()))
        let properties = try #require(message.properties)
        #expect(properties.messageID == .string("e-1"))
        #expect(properties.subject == "SubscriptionCreatedV1")
        #expect(properties.contentType == "application/json")
        #expect(properties.creationTime == AMQPTimestamp(millisecondsSince1970: 1_636_374_780_000))
        let application = try #require(message.applicationProperties)
        #expect(application[string: "source"] == .string("Octofront"))
        #expect(application[string: "type"] == .string("SubscriptionCreatedV1"))
        #expect(application[string: "specVersion"] == .string("1"))
        #expect(application[string: "Diagnostic-Id"] == .string(exampleActivity))
        #expect(application[string: "traceparent"] == .string(exampleActivity))
        #expect(application.count == 5)
    }

    @Test func encodingTheMessageDirectlyWritesTheSameBytes() throws {
        for payload in ["{}", "{\"a\":\"" + String(repeating: "x", count: 300) + "\"}",
                        "{\"a\":\"" + String(repeating: "y", count: 70_000) + "\"}"] {
            for id in ["e", String(repeating: "i", count: 128), "é\"\n"] {
                let envelope = try sample(payload: payload, id: id)
                let expected = envelope.message().encoded()
                #expect(envelope.encodedMessage() == expected)
                #expect(envelope.encodedMessageSize == expected.readableBytes)
                var scratch = ByteBuffer()
                #expect(envelope.encodeMessageParts(into: &scratch).joined() == expected)
            }
        }
    }

    @Test func aLargePayloadIsNotCopiedIntoTheParts() throws {
        let envelope = try sample(payload: "{\"a\":\"" + String(repeating: "x", count: 10_000) + "\"}")
        var scratch = ByteBuffer()
        let parts = envelope.encodeMessageParts(into: &scratch)
        #expect(addresses(parts.body) == addresses(envelope.payload))
        #expect(string(parts.tail) == "}")
        let small = try sample()
        #expect(small.encodeMessageParts(into: &scratch).body.readableBytes == 0)
    }

    @Test func aReceivedMessageYieldsItsEnvelopeSharingTheFrame() throws {
        let envelope = try sample(payload: "{\"a\":\"" + String(repeating: "x", count: 2000) + "\"}")
        var frame = ByteBuffer()
        frame.writeAMQPFrame(AMQPFrame(channel: 0, performative: .transfer(Transfer(handle: 0, deliveryID: 0, deliveryTag: ByteBuffer(integer: UInt8(1)))),
                                       payload: envelope.encodedMessage()))
        let frameAddresses = addresses(frame)
        var decoder = AMQPFrameDecoder()
        guard case .frame(let decoded) = try decoder.decodeItem(from: &frame), case .amqp(_, let payload) = decoded.body else {
            Issue.record("no transfer")
            return
        }
        let view = try OctopusEnvelopeView(message: AMQPMessageView(decoding: payload))
        #expect(view.envelope() == envelope)
        #expect(frameAddresses.contains(addresses(view.payload).lowerBound))
        #expect(try OctopusEnvelope(message: envelope.message()) == envelope)
    }

    @Test func propertiesMustAgreeWithTheEnvelope() throws {
        let envelope = try sample()
        func check(_ change: (inout MessageProperties) -> Void) -> OctopusEnvelopeError? {
            var message = envelope.message()
            change(&message.properties!)
            return throwing(try OctopusEnvelopeView(message: AMQPMessageView(decoding: message.encoded())))
        }
        #expect(check { _ in } == nil)
        #expect(check { $0 = MessageProperties() } == nil)
        #expect(check { $0.contentType = "Application/JSON; charset=utf-8" } == nil)
        #expect(check { $0.messageID = "other" }?.field == "message-id")
        #expect(check { $0.messageID = .ulong(1) }?.code == .propertyMismatch)
        #expect(check { $0.subject = "Other" }?.field == "subject")
        #expect(check { $0.contentType = "text/plain" }?.field == "content-type")
        #expect(check { $0.contentType = "application/jsonx" }?.code == .propertyMismatch)
        var message = envelope.message()
        message.properties?.messageID = "other"
        #expect(throwing(try OctopusEnvelope(message: message))?.code == .propertyMismatch)
        #expect(throwing(try OctopusEnvelope(message: message, checkingProperties: false)) == nil)
        let view = try AMQPMessageView(decoding: message.encoded())
        #expect(throwing(try OctopusEnvelopeView(message: view, checkingProperties: false)) == nil)
    }

    @Test func theBodyMustBeOneDataSection() throws {
        let envelope = try sample()
        for body: AMQPMessage.Body in [.none, .value(.string(string(envelope.encoded()))), .dataSections([envelope.encoded(), envelope.encoded()]),
                                       .sequence([[]])] {
            let message = AMQPMessage(properties: envelope.messageProperties, body: body)
            #expect(throwing(try OctopusEnvelopeView(message: AMQPMessageView(decoding: message.encoded())))?.code == .invalidBody)
            #expect(throwing(try OctopusEnvelope(message: message))?.code == .invalidBody)
        }
    }

    @Test func aBadEnvelopeInAMessageSaysWhy() throws {
        let message = AMQPMessage(data: buffer(envelopeJSON(["specVersion": "\"2\""])))
        #expect(throwing(try OctopusEnvelopeView(message: AMQPMessageView(decoding: message.encoded())))?.code == .unsupportedSpecVersion)
    }
}
