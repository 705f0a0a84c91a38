import AMQPCore
import NIOCore
import Testing
@testable import OctopusEnvelope

struct SubscriptionCreatedV1Event: OctopusEvent, Codable, Equatable {
    static let eventType = "SubscriptionCreatedV1"
    var licenseKey: String
    var seats: Int
    var price: Double
    var trial: Bool
    var features: [String]
    var owner: Owner
    var note: String?

    struct Owner: Codable, Equatable {
        var name: String
        var tenant: UInt64
    }
}

/// Every primitive the containers read and write.
struct Everything: Codable, Equatable {
    var b: Bool, s: String, d: Double, f: Float
    var i: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64
    var u: UInt, u8: UInt8, u16: UInt16, u32: UInt32, u64: UInt64
    var nested: [[Int?]], map: [String: [Bool]], optional: String?, explicitNull: String?
    var list: [Everything]?

    enum CodingKeys: String, CodingKey {
        case b, s, d, f, i, i8, i16, i32, i64, u, u8, u16, u32, u64, nested, map, optional, explicitNull, list
    }

    init(b: Bool, s: String, d: Double, f: Float, i: Int, i8: Int8, i16: Int16, i32: Int32, i64: Int64, u: UInt, u8: UInt8,
         u16: UInt16, u32: UInt32, u64: UInt64, nested: [[Int?]], map: [String: [Bool]], optional: String?,
         explicitNull: String?, list: [Everything]?) {
        (self.b, self.s, self.d, self.f, self.i, self.i8, self.i16, self.i32, self.i64) = (b, s, d, f, i, i8, i16, i32, i64)
        (self.u, self.u8, self.u16, self.u32, self.u64) = (u, u8, u16, u32, u64)
        (self.nested, self.map, self.optional, self.explicitNull, self.list) = (nested, map, optional, explicitNull, list)
    }

    init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        b = try c.decode(Bool.self, forKey: .b); s = try c.decode(String.self, forKey: .s)
        d = try c.decode(Double.self, forKey: .d); f = try c.decode(Float.self, forKey: .f)
        i = try c.decode(Int.self, forKey: .i); i8 = try c.decode(Int8.self, forKey: .i8)
        i16 = try c.decode(Int16.self, forKey: .i16); i32 = try c.decode(Int32.self, forKey: .i32)
        i64 = try c.decode(Int64.self, forKey: .i64); u = try c.decode(UInt.self, forKey: .u)
        u8 = try c.decode(UInt8.self, forKey: .u8); u16 = try c.decode(UInt16.self, forKey: .u16)
        u32 = try c.decode(UInt32.self, forKey: .u32); u64 = try c.decode(UInt64.self, forKey: .u64)
        var n = try c.nestedUnkeyedContainer(forKey: .nested)
        var nested: [[Int?]] = []
        while !n.isAtEnd {
            var inner = try n.nestedUnkeyedContainer()
            var row: [Int?] = []
            while !inner.isAtEnd { row.append(try inner.decodeNil() ? nil : try inner.decode(Int.self)) }
            nested.append(row)
        }
        self.nested = nested
        map = try c.decode([String: [Bool]].self, forKey: .map)
        optional = try c.decodeIfPresent(String.self, forKey: .optional)
        explicitNull = try c.decodeNil(forKey: .explicitNull) ? nil : try c.decode(String.self, forKey: .explicitNull)
        list = try c.decodeIfPresent([Everything].self, forKey: .list)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(b, forKey: .b); try c.encode(s, forKey: .s); try c.encode(d, forKey: .d); try c.encode(f, forKey: .f)
        try c.encode(i, forKey: .i); try c.encode(i8, forKey: .i8); try c.encode(i16, forKey: .i16)
        try c.encode(i32, forKey: .i32); try c.encode(i64, forKey: .i64); try c.encode(u, forKey: .u)
        try c.encode(u8, forKey: .u8); try c.encode(u16, forKey: .u16); try c.encode(u32, forKey: .u32)
        try c.encode(u64, forKey: .u64)
        var n = c.nestedUnkeyedContainer(forKey: .nested)
        for row in nested {
            var inner = n.nestedUnkeyedContainer()
            for item in row { if let item { try inner.encode(item) } else { try inner.encodeNil() } }
        }
        try c.encode(map, forKey: .map)
        try c.encodeIfPresent(optional, forKey: .optional)
        try c.encodeNil(forKey: .explicitNull)
        try c.encodeIfPresent(list, forKey: .list)
    }
}

@Suite struct TypedEventTests {
    static let event = SubscriptionCreatedV1Event(
        licenseKey: "k-1", seats: 5, price: 12.5, trial: false, features: ["a", "b\"c"],
        owner: .init(name: "Ünïcødé", tenant: 42), note: nil)

    @Test func anEventBecomesAnEnvelopeAndBack() throws {
        let envelope = try OctopusEnvelope(event: TypedEventTests.event, id: "SubscriptionCreated-k-1", source: "Octofront",
                                           occurredTime: AMQPTimestamp(millisecondsSince1970: 1_636_374_780_000),
                                           activityID: exampleActivity)
        #expect(envelope.type == "SubscriptionCreatedV1")
        #expect(string(envelope.payload) ==
            #"{"licenseKey":"k-1","seats":5,"price":12.5,"trial":false,"features":["a","b\"c"],"owner":{"name":"Ünïcødé","tenant":42}}"#)
        #expect(try envelope.event(as: SubscriptionCreatedV1Event.self) == TypedEventTests.event)
        let view = try OctopusEnvelopeView(message: AMQPMessageView(decoding: envelope.encodedMessage()))
        #expect(try view.event(as: SubscriptionCreatedV1Event.self) == TypedEventTests.event)
    }

    @Test func theTypeMustMatch() throws {
        let envelope = try OctopusEnvelope(decoding: buffer(envelopeJSON(["type": #""SubscriptionCreatedV2""#])))
        #expect(throwing(try envelope.event(as: SubscriptionCreatedV1Event.self))?.code == .eventTypeMismatch)
        let view = try OctopusEnvelopeView(decoding: envelope.encoded())
        #expect(throwing(try view.event(as: SubscriptionCreatedV1Event.self))?.code == .eventTypeMismatch)
    }

    @Test func everyPrimitiveRoundTrips() throws {
        let leaf = Everything(b: true, s: "", d: -0.0, f: 1.5, i: .min, i8: .min, i16: .min, i32: .min, i64: .min,
                              u: .max, u8: .max, u16: .max, u32: .max, u64: .max, nested: [], map: [:], optional: nil,
                              explicitNull: nil, list: nil)
        let value = Everything(b: false, s: "\u{0}\u{1F}\"\\/é😀", d: 1e-300, f: 3.4e38, i: .max, i8: .max, i16: .max, i32: .max,
                               i64: .max, u: 0, u8: 0, u16: 0, u32: 0, u64: 0, nested: [[1, nil, -3], [], [nil]],
                               map: ["x": [true], "": []], optional: "o", explicitNull: nil, list: [leaf, leaf])
        let payload = try OctopusPayloadEncoder().encode(value)
        #expect(try OctopusPayloadDecoder().decode(Everything.self, from: payload) == value)
        #expect(try OctopusPayloadDecoder(rejectsUnknownMembers: true).decode(Everything.self, from: payload) == value)
        #expect(throwing(try OctopusEnvelope.validatePayload(payload)) == nil)
    }

    @Test func integersAreStrict() {
        func decode<T: Decodable>(_ type: T.Type, _ json: String) -> OctopusEnvelopeError? {
            throwing(try OctopusPayloadDecoder().decode([String: T].self, from: buffer(#"{"v":\#(json)}"#)))
        }
        #expect(decode(Int8.self, "127") == nil)
        #expect(decode(Int8.self, "-128") == nil)
        #expect(decode(Int8.self, "128")?.code == .payloadDecodingFailed)
        #expect(decode(Int8.self, "-129") != nil)
        #expect(decode(UInt8.self, "-1") != nil)
        #expect(decode(UInt8.self, "-0") == nil)
        #expect(decode(Int64.self, "-9223372036854775808") == nil)
        #expect(decode(Int64.self, "9223372036854775808") != nil)
        #expect(decode(UInt64.self, "18446744073709551615") == nil)
        #expect(decode(UInt64.self, "18446744073709551616") != nil)
        #expect(decode(UInt64.self, "184467440737095516150") != nil)
        #expect(decode(Int.self, "1.0")?.detail?.contains("integer") == true)
        #expect(decode(Int.self, "1e2") != nil)
        #expect(decode(Int.self, #""1""#) != nil)
        #expect(decode(Double.self, "1e400") != nil)
        #expect(decode(Float.self, "1e39") != nil)
        #expect(decode(Double.self, "-1.5E-3") == nil)
        #expect(decode(Bool.self, "1") != nil)
        #expect(decode(String.self, "null") != nil)
    }

    @Test func missingAndMistypedMembersNameTheirPath() {
        let json = #"{"licenseKey":"k","seats":5,"price":1,"trial":true,"features":["a",2],"owner":{"name":"n","tenant":1}}"#
        let error = throwing(try OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: buffer(json)))
        #expect(error?.code == .payloadDecodingFailed)
        #expect(error?.field == "payload.features[1]")
        let missing = #"{"licenseKey":"k","seats":5,"price":1,"trial":true,"features":[],"owner":{"name":"n"}}"#
        #expect(throwing(try OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: buffer(missing)))?.field == "payload.owner.tenant")
        let null = #"{"licenseKey":null,"seats":5,"price":1,"trial":true,"features":[],"owner":{"name":"n","tenant":1}}"#
        let nullError = throwing(try OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: buffer(null)))
        #expect(nullError?.field == "payload.licenseKey")
        #expect(nullError?.detail?.contains("null") == true)
    }

    @Test func unknownMembersAreRejectedWhenAsked() {
        let json = #"{"licenseKey":"k","seats":5,"price":1,"trial":true,"features":[],"owner":{"name":"n","tenant":1,"extra":0}}"#
        #expect(throwing(try OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: buffer(json))) == nil)
        let error = throwing(try OctopusPayloadDecoder(rejectsUnknownMembers: true).decode(SubscriptionCreatedV1Event.self, from: buffer(json)))
        #expect(error?.field == "payload.owner.extra")
    }

    @Test func thePayloadIsValidatedBeforeDecoding() {
        let json = #"{"licenseKey":"k","licenseKey":"k2","seats":5,"price":1,"trial":true,"features":[],"owner":{"name":"n","tenant":1}}"#
        #expect(throwing(try OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: buffer(json)))?.code == .duplicateKey)
    }

    @Test func escapedMemberNamesAreFound() throws {
        let value = try OctopusPayloadDecoder().decode([String: Int].self, from: buffer(#"{"\u0061":1,"b\n":2}"#))
        #expect(value == ["a": 1, "b\n": 2])
        struct Named: Decodable { var a: Int }
        #expect(try OctopusPayloadDecoder().decode(Named.self, from: buffer(#"{"\u0061":1}"#)).a == 1)
    }

    @Test func aPayloadMustBeAnObject() {
        #expect(throwing(try OctopusPayloadEncoder().encode([1, 2]))?.code == .payloadEncodingFailed)
        #expect(throwing(try OctopusPayloadEncoder().encode("x"))?.code == .payloadEncodingFailed)
        #expect(throwing(try OctopusPayloadDecoder().decode([Int].self, from: buffer("[1]")))?.code == .notAnObject)
    }

    @Test func nonFiniteNumbersCannotBeWritten() {
        let error = throwing(try OctopusPayloadEncoder().encode(["x": [Double.nan]]))
        #expect(error?.code == .payloadEncodingFailed)
        #expect(error?.field == "payload.x[0]")
        #expect(throwing(try OctopusPayloadEncoder().encode(["x": Float.infinity]))?.field == "payload.x")
    }

    @Test func superEncodersAndDecodersWork() throws {
        class Base: Codable {
            var a = 1
            init() {}
        }
        final class Derived: Base, @unchecked Sendable {
            var b = 2
            enum Keys: String, CodingKey { case b }
            override init() { super.init() }
            required init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: Keys.self)
                b = try c.decode(Int.self, forKey: .b)
                try super.init(from: try c.superDecoder())
            }
            override func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: Keys.self)
                try c.encode(b, forKey: .b)
                try super.encode(to: c.superEncoder())
            }
        }
        let payload = try OctopusPayloadEncoder().encode(Derived())
        #expect(string(payload) == #"{"b":2,"super":{"a":1}}"#)
        let decoded = try OctopusPayloadDecoder().decode(Derived.self, from: payload)
        #expect(decoded.a == 1 && decoded.b == 2)
    }

    @Test func aHandWrittenEventWritesItsOwnBytes() throws {
        struct Ping: OctopusEvent {
            static let eventType = "PingV1"
            var raw: ByteBuffer
            func encodePayload(into buffer: inout ByteBuffer) { buffer.writeImmutableBuffer(raw) }
            init(payload: ByteBuffer) { raw = payload }
        }
        let envelope = try OctopusEnvelope(event: Ping(payload: buffer(#"{"n": 1}"#)), id: "p", source: "s", activityID: exampleActivity)
        #expect(string(try envelope.event(as: Ping.self).raw) == #"{"n": 1}"#)
        #expect(throwing(try OctopusEnvelope(event: Ping(payload: buffer("{")), id: "p", source: "s", activityID: exampleActivity))?.code == .invalidJSON)
    }

    @Test func randomPayloadsDecodeAsTheyWereWritten() throws {
        // A JSON value model decoded by the Codable decoder must match the text it came from.
        var generator = SeededGenerator(seed: 5)
        for _ in 0..<300 {
            let json = RandomJSON.object(depth: 0, using: &generator)
            let value = try OctopusPayloadDecoder().decode(JSONValue.self, from: buffer(json))
            let again = try OctopusPayloadEncoder().encode(value)
            #expect(try OctopusPayloadDecoder().decode(JSONValue.self, from: again) == value, "\(json)")
        }
    }
}

/// Any JSON value, through Codable.
indirect enum JSONValue: Codable, Equatable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() { self = .null; return }
        if let bool = try? single.decode(Bool.self) { self = .bool(bool); return }
        if let number = try? single.decode(Double.self) { self = .number(number); return }
        if let string = try? single.decode(String.self) { self = .string(string); return }
        if let array = try? single.decode([JSONValue].self) { self = .array(array); return }
        if let bigNumber = try? decoder.singleValueContainer(), (try? bigNumber.decode([String: JSONValue].self)) == nil {
            // A number too large for a Double: the largest one stands for it.
            self = .number(.greatestFiniteMagnitude)
            return
        }
        self = .object(try single.decode([String: JSONValue].self))
    }

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .null: try single.encodeNil()
        case .bool(let value): try single.encode(value)
        case .number(let value): try single.encode(value)
        case .string(let value): try single.encode(value)
        case .array(let value): try single.encode(value)
        case .object(let value): try single.encode(value)
        }
    }
}

/// The README's envelope example, without the broker.
@Suite struct ReadmeEnvelopeExampleTests {
    struct SubscriptionCreatedV1Event: OctopusEvent, Codable {
        static let eventType = "SubscriptionCreatedV1"
        var licenseKey: String
        var seats: Int
    }

    @Test func theExampleRuns() throws {
        let envelope = try OctopusEnvelope(
            event: SubscriptionCreatedV1Event(licenseKey: "8a52c8af", seats: 5),
            id: "SubscriptionCreated-licensekey-8a52c8af", source: "Octofront",
            activityID: OctopusTraceParent.random().description)
        let received = try AMQPMessageView(decoding: envelope.encodedMessage())
        let view = try OctopusEnvelopeView(message: received)
        #expect(view.hasType(SubscriptionCreatedV1Event.eventType))
        let event = try view.event(as: SubscriptionCreatedV1Event.self)
        #expect(event.licenseKey == "8a52c8af" && event.seats == 5)
        #expect(abs(view.occurredTime.millisecondsSince1970 - AMQPTimestamp.now().millisecondsSince1970) < 60_000)
    }
}
