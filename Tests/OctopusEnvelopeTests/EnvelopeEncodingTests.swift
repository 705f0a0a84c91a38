import AMQPCore
import NIOCore
import Testing
@testable import OctopusEnvelope

@Suite struct EnvelopeEncodingTests {
    @Test func theSpecExampleEncodesByteForByte() throws {
        let envelope = try OctopusEnvelope(
            id: "SubscriptionCreated-licensekey-8a52c8af-2408-486f-ba4a-d277079de2b0", source: "Octofront",
            type: "SubscriptionCreatedV1", occurredTimeUTC: "2021-11-08T12:33:00Z",
            activityID: "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00", payload: buffer("{}"))
        #expect(string(envelope.encoded()) == specExample)
        #expect(envelope.encodedSize == specExample.utf8.count)
        #expect(try OctopusEnvelope(decoding: envelope.encoded()) == envelope)
    }

    @Test func occurredTimeIsWrittenFromATimestamp() throws {
        let whole = try OctopusEnvelope(id: "i", source: "s", type: "T", occurredTime: AMQPTimestamp(millisecondsSince1970: 1_636_374_780_000),
                                        activityID: exampleActivity, payload: buffer("{}"))
        #expect(whole.occurredTimeUTC == "2021-11-08T12:33:00Z")
        let fraction = try OctopusEnvelope(id: "i", source: "s", type: "T", occurredTime: AMQPTimestamp(millisecondsSince1970: 1_636_374_780_007),
                                           activityID: exampleActivity, payload: buffer("{}"))
        #expect(fraction.occurredTimeUTC == "2021-11-08T12:33:00.007Z")
        #expect(fraction.occurredTime.millisecondsSince1970 == 1_636_374_780_007)
    }

    @Test func thePayloadIsWrittenAsGiven() throws {
        let payload = #"{ "b" : 1.50e+3, "a" : [ true , null ], "é" : "\u00e9" }"#
        let envelope = try sample(payload: "\n " + payload + " \n")
        #expect(string(envelope.payload) == payload)
        #expect(string(envelope.encoded()).hasSuffix(#","payload":"# + payload + "}"))
    }

    @Test func fieldsAreEscapedMinimally() throws {
        let id = "q\"b\\s/c\u{01}\u{1F}\n\r\t\u{08}\u{0C}é😀\u{7F}"
        let envelope = try sample(id: id)
        let json = string(envelope.encoded())
        #expect(json.hasPrefix(#"{"id":"q\"b\\s/c\u0001\u001f\n\r\t\b\fé😀\#u{7F}","source":"#))
        #expect(envelope.encodedSize == envelope.encoded().readableBytes)
        let view = try OctopusEnvelopeView(decoding: envelope.encoded())
        #expect(view.id == id)
        #expect(view.envelope() == envelope)
    }

    @Test func encodingAppendsToABuffer() throws {
        let envelope = try sample()
        var out = ByteBuffer(string: "prefix")
        envelope.encode(into: &out)
        #expect(string(out) == "prefix" + string(envelope.encoded()))
    }

    @Test func buildingChecksEveryField() {
        func build(id: String = "i", source: String = "s", type: String = "T", time: String = "2021-11-08T12:33:00Z",
                   activity: String = exampleActivity, payload: String = "{}") -> OctopusEnvelopeError.Code? {
            do {
                _ = try OctopusEnvelope(id: id, source: source, type: type, occurredTimeUTC: time, activityID: activity,
                                        payload: buffer(payload))
                return nil
            } catch {
                return error.code
            }
        }
        #expect(build() == nil)
        #expect(build(id: "") == .emptyField)
        #expect(build(id: String(repeating: "x", count: 129)) == .fieldTooLong)
        #expect(build(source: "") == .emptyField)
        #expect(build(type: "") == .emptyField)
        #expect(build(time: "2021-11-08T12:33:00") == .invalidTime)
        #expect(build(activity: "x") == .invalidActivityID)
        #expect(build(payload: "[]") == .notAnObject)
        #expect(build(payload: #"{"a":1,"a":2}"#) == .duplicateKey)
        #expect(build(payload: "{} x") == .trailingBytes)
        #expect(throwing(try OctopusEnvelope(id: "i", source: "s", type: "T", occurredTime: AMQPTimestamp(millisecondsSince1970: .max),
                                             activityID: exampleActivity, payload: buffer("{}")))?.code == .invalidTime)
    }

    @Test func anEnvelopeLargerThanTheLimitIsNotBuilt() throws {
        let small = OctopusEnvelopeLimits(maxBytes: 300)
        let payload = "{\"a\":\"" + String(repeating: "x", count: 200) + "\"}"
        #expect(throwing(try OctopusEnvelope(id: "i", source: "s", type: "T", occurredTimeUTC: "2021-11-08T12:33:00Z",
                                             activityID: exampleActivity, payload: buffer(payload), limits: small))?.code == .tooLarge)
    }

    @Test func randomEnvelopesRoundTrip() throws {
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<500 {
            let payload = RandomJSON.object(depth: 0, using: &generator)
            let envelope = try OctopusEnvelope(
                id: RandomJSON.text(using: &generator, nonEmpty: true, maxLength: 60),
                source: RandomJSON.text(using: &generator, nonEmpty: true, maxLength: 20),
                type: RandomJSON.text(using: &generator, nonEmpty: true, maxLength: 20),
                occurredTime: AMQPTimestamp(millisecondsSince1970: Int64.random(in: -62_135_596_800_000...253_402_300_799_999, using: &generator)),
                activityID: OctopusTraceParent.random(using: &generator).description,
                payload: buffer(payload))
            let encoded = envelope.encoded()
            #expect(encoded.readableBytes == envelope.encodedSize)
            let decoded = try OctopusEnvelope(decoding: encoded)
            #expect(decoded == envelope)
            #expect(string(decoded.payload) == payload)
        }
    }
}
