import AMQPCore
import NIOCore
import Testing
@testable import OctopusEnvelope

@Suite struct EnvelopeDecodingTests {
    @Test func theSpecExampleDecodes() throws {
        let view = try OctopusEnvelopeView(decoding: buffer(specExample))
        #expect(view.id == "SubscriptionCreated-licensekey-8a52c8af-2408-486f-ba4a-d277079de2b0")
        #expect(view.source == "Octofront")
        #expect(view.type == "SubscriptionCreatedV1")
        #expect(view.occurredTimeUTC == "2021-11-08T12:33:00Z")
        #expect(view.occurredTime == AMQPTimestamp(millisecondsSince1970: 1_636_374_780_000))
        #expect(view.activityID == exampleActivity)
        #expect(view.specVersion == "1")
        #expect(string(view.payload) == "{}")
        #expect(view.hasType("SubscriptionCreatedV1") && !view.hasType("SubscriptionCreatedV2"))
        #expect(view.hasSource("Octofront") && !view.hasSource("Octo"))
        #expect(view.traceParent.traceIDHigh == 0x15c3886877ecbd4a && view.traceParent.flags == 0)
    }

    @Test func thePayloadIsASliceOfTheInput() throws {
        let json = envelopeJSON(["payload": #"{"a":[1,2,{"b":null}],"c":"d"}"#])
        let input = buffer(json)
        let view = try OctopusEnvelopeView(decoding: input)
        #expect(string(view.payload) == #"{"a":[1,2,{"b":null}],"c":"d"}"#)
        #expect(addresses(input).contains(addresses(view.payload).lowerBound))
        #expect(addresses(input).contains(addresses(view.payload).upperBound))
        let owned = view.envelope()
        #expect(addresses(input).contains(addresses(owned.payload).lowerBound))
    }

    @Test func membersMayComeInAnyOrderWithWhitespace() throws {
        let json = """
            \r\n\t {
              "payload" : { "x" : [ 1 , 2 ] } ,
              "specVersion":"1", "activityId" :"\(exampleActivity)",
              "occurredTimeUtc":"2021-11-08T12:33:00Z","type":"T","source":"S","id":"i"
            }\n
            """
        let envelope = try OctopusEnvelope(decoding: buffer(json))
        #expect(envelope.id == "i" && envelope.source == "S" && envelope.type == "T")
        #expect(string(envelope.payload) == #"{ "x" : [ 1 , 2 ] }"#)
    }

    @Test func escapedFieldsAndNamesDecode() throws {
        let json = envelopeJSON(["id": #""a\"b\\c\/d\u00e9\ud83d\ude00\n""#])
            .replacing(#""source""#, with: #""sour\u0063e""#)
        let view = try OctopusEnvelopeView(decoding: buffer(json))
        #expect(view.id == "a\"b\\c/dé😀\n")
        #expect(view.hasID("a\"b\\c/dé😀\n"))
        #expect(view.source == "Octofront")
    }

    @Test func nonASCIIFieldsDecode() throws {
        let view = try OctopusEnvelopeView(decoding: buffer(envelopeJSON(["source": #""Größe-系统""#])))
        #expect(view.source == "Größe-系统")
        #expect(view.hasSource("Größe-系统"))
    }

    @Test(arguments: ["id", "source", "type", "occurredTimeUtc", "activityId", "specVersion", "payload"])
    func everyFieldIsRequired(_ name: String) {
        let error = decodeError(envelopeJSON([name: String?.none]))
        #expect(error?.code == .missingField)
        #expect(error?.field == name)
    }

    @Test(arguments: [
        ("id", "null"), ("id", "1"), ("source", "true"), ("type", #"["T"]"#), ("occurredTimeUtc", "1636374780000"),
        ("activityId", "{}"), ("specVersion", "1"), ("payload", "null"), ("payload", "[]"), ("payload", #""{}""#),
    ])
    func fieldsHaveTheirTypes(_ name: String, _ value: String) {
        let error = decodeError(envelopeJSON([name: value]))
        #expect(error?.code == .invalidFieldType, "\(name): \(value)")
        #expect(error?.field == name)
    }

    @Test(arguments: ["id", "source", "type"])
    func stringFieldsAreNotEmpty(_ name: String) {
        let error = decodeError(envelopeJSON([name: #""""#]))
        #expect(error?.code == .emptyField)
        #expect(error?.field == name)
    }

    @Test func anIDHasAtMost128Characters() throws {
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: "x", count: 128) + "\""])) == nil)
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: "x", count: 129) + "\""]))?.code == .fieldTooLong)
        // UTF-16 code units, as Service Bus counts: é is one, 😀 two.
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: "é", count: 128) + "\""])) == nil)
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: "😀", count: 64) + "\""])) == nil)
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: "😀", count: 64) + "x\""]))?.code == .fieldTooLong)
        #expect(decodeError(envelopeJSON(["id": "\"" + String(repeating: #"\u0041"#, count: 129) + "\""]))?.code == .fieldTooLong)
    }

    @Test func unknownAndRepeatedMembersAreRejected() {
        let unknown = decodeError(envelopeJSON(["subject": #""x""#]))
        #expect(unknown?.code == .unknownField)
        #expect(decodeError(envelopeJSON(["Id": #""x""#]))?.code == .unknownField)   // names are case-sensitive
        let json = envelopeJSON()
        let repeated = json.dropLast() + #","type":"Other"}"#
        let error = decodeError(String(repeated))
        #expect(error?.code == .duplicateKey)
        #expect(error?.field == "type")
        #expect(error?.offset == json.utf8.count)
        let escaped = json.dropLast() + #","\u0074ype":"Other"}"#
        #expect(decodeError(String(escaped))?.code == .duplicateKey)
    }

    @Test(arguments: ["\"2\"", "\"1.0\"", "\" 1\"", "\"v1\"", "\"\""])
    func onlySpecVersion1IsRead(_ value: String) {
        #expect(decodeError(envelopeJSON(["specVersion": value]))?.code == .unsupportedSpecVersion)
    }

    @Test(arguments: [
        "2021-11-08 12:33:00Z", "2021-11-08T12:33:00", "2021-11-08T12:33:00+00:00", "2021-11-08t12:33:00z",
        "2021-11-08T12:33Z", "2021-11-8T12:33:00Z", "2021-13-08T12:33:00Z", "2021-02-29T12:33:00Z",
        "2021-11-31T12:33:00Z", "2021-11-08T24:00:00Z", "2021-11-08T12:60:00Z", "2021-11-08T12:33:60Z",
        "2021-11-08T12:33:00.Z", "2021-11-08T12:33:00.1234567890Z", "+2021-11-08T12:33:00Z", "",
    ])
    func occurredTimeIsISO8601UTC(_ value: String) {
        let error = decodeError(envelopeJSON(["occurredTimeUtc": "\"\(value)\""]))
        #expect(error?.code == .invalidTime, "\(value)")
        #expect(error?.field == "occurredTimeUtc")
    }

    @Test func occurredTimeKeepsItsTextAndMilliseconds() throws {
        let view = try OctopusEnvelopeView(decoding: buffer(envelopeJSON(["occurredTimeUtc": #""2024-02-29T23:59:59.9876543Z""#])))
        #expect(view.occurredTimeUTC == "2024-02-29T23:59:59.9876543Z")
        #expect(view.occurredTime == AMQPTimestamp(iso8601UTC: "2024-02-29T23:59:59.987Z"))
    }

    @Test(arguments: [
        "", "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443", "00-15C3886877ECBD4A95B8B031CD7FBB46-c5fe780fb33bb443-00",
        "00-00000000000000000000000000000000-c5fe780fb33bb443-00", "00-15c3886877ecbd4a95b8b031cd7fbb46-0000000000000000-00",
        "ff-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00", "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00-x",
        "|15c3886877ecbd4a95b8b031cd7fbb46.c5fe780fb33bb443.", "8a52c8af-2408-486f-ba4a-d277079de2b0",
    ])
    func activityIDIsATraceparent(_ value: String) {
        let error = decodeError(envelopeJSON(["activityId": "\"\(value)\""]))
        #expect(error?.code == .invalidActivityID, "\(value)")
    }

    @Test func aLaterTraceparentVersionMayCarryMore() throws {
        let value = "01-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-01-future"
        let view = try OctopusEnvelopeView(decoding: buffer(envelopeJSON(["activityId": "\"\(value)\""])))
        #expect(view.traceParent.version == 1 && view.traceParent.isSampled)
    }

    @Test(arguments: [
        ("", OctopusEnvelopeError.Code.notAnObject), ("[]", .notAnObject), ("null", .notAnObject), ("\"{}\"", .notAnObject),
        ("{}", .missingField), ("{", .invalidJSON), ("{\"id\"", .invalidJSON), ("{\"id\":", .invalidJSON),
        ("{\"id\":\"x\"", .invalidJSON), ("{\"id\":\"x\",}", .invalidJSON), ("{\"id\" \"x\"}", .invalidJSON),
        ("{'id':'x'}", .invalidJSON), ("{id:\"x\"}", .invalidJSON), ("\u{FEFF}{}", .notAnObject),
    ])
    func malformedEnvelopes(_ json: String, _ code: OctopusEnvelopeError.Code) {
        #expect(decodeError(json)?.code == code, "\(json)")
    }

    @Test func nothingButWhitespaceMayFollow() {
        #expect(decodeError(envelopeJSON() + " \n") == nil)
        #expect(decodeError(envelopeJSON() + "x")?.code == .trailingBytes)
        #expect(decodeError(envelopeJSON() + "{}")?.code == .trailingBytes)
        #expect(decodeError(envelopeJSON() + "\0")?.code == .trailingBytes)
    }

    @Test func thePayloadIsHeldToStrictJSON() {
        let error = decodeError(envelopeJSON(["payload": #"{"a":1,"a":2}"#]))
        #expect(error?.code == .duplicateKey)
        #expect(decodeError(envelopeJSON(["payload": #"{"a":01}"#]))?.code == .invalidJSON)
        #expect(decodeError(envelopeJSON(["payload": #"{"a":"\ud800"}"#]))?.code == .invalidString)
    }

    @Test func limitsAreEnforced() {
        let json = envelopeJSON()
        #expect(decodeError(json, limits: OctopusEnvelopeLimits(maxBytes: json.utf8.count)) == nil)
        #expect(decodeError(json, limits: OctopusEnvelopeLimits(maxBytes: json.utf8.count - 1))?.code == .tooLarge)
        // The envelope is depth 1, the payload 2, so a payload with 62 levels inside it reaches 64.
        let deep = String(repeating: "[", count: 62) + String(repeating: "]", count: 62)
        #expect(decodeError(envelopeJSON(["payload": #"{"a":\#(deep)}"#])) == nil)
        #expect(decodeError(envelopeJSON(["payload": #"{"a":[\#(deep)]}"#]))?.code == .nestingTooDeep)
        #expect(decodeError(envelopeJSON(["payload": #"{"a":{}}"#]), limits: OctopusEnvelopeLimits(maxDepth: 2))?.code == .nestingTooDeep)
    }

    @Test func errorsSayWhereAndNeverQuoteValues() {
        let secret = "hunter2-secret"
        let error = decodeError(envelopeJSON(["occurredTimeUtc": "\"\(secret)\""]))
        let text = error.map { "\($0)" } ?? ""
        #expect(text.contains("occurredTimeUtc") && text.contains("at byte"))
        #expect(!text.contains(secret))
        let unknown = decodeError(envelopeJSON([secret: "1"])).map { "\($0)" } ?? ""
        #expect(!unknown.contains(secret))
        let payload = decodeError(envelopeJSON(["payload": "{\"\(secret)\":1,\"\(secret)\":2}"])).map { "\($0)" } ?? ""
        #expect(!payload.contains(secret))
    }
}
