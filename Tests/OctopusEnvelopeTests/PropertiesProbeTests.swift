import AMQPCore
import NIOCore
import Testing
@testable import OctopusEnvelope

/// The fast read of message-id, subject and content-type must judge every encoding as the
/// general decode of the properties section does.
@Suite struct PropertiesProbeTests {
    static func str(_ text: String, code8: UInt8 = 0xA1, wide: Bool = false) -> [UInt8] {
        let utf8 = Array(text.utf8)
        if wide {
            return [code8 | 0x10] + withUnsafeBytes(of: UInt32(utf8.count).bigEndian, Array.init) + utf8
        }
        return [code8, UInt8(utf8.count)] + utf8
    }

    static func section(_ fields: [[UInt8]], wide: Bool = false, longDescriptor: Bool = false) -> [UInt8] {
        let body = fields.flatMap { $0 }
        let descriptor: [UInt8] = longDescriptor ? [0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x73] : [0x00, 0x53, 0x73]
        if fields.isEmpty { return descriptor + [0x45] }
        if wide {
            return descriptor + [0xD0] + withUnsafeBytes(of: UInt32(body.count + 4).bigEndian, Array.init)
                + withUnsafeBytes(of: UInt32(fields.count).bigEndian, Array.init) + body
        }
        return descriptor + [0xC0, UInt8(body.count + 1), UInt8(fields.count)] + body
    }

    static func message(_ properties: [UInt8]) throws -> AMQPMessageView {
        var bytes = ByteBuffer(bytes: properties)
        bytes.writeAMQPDataSection(try sample().encoded())
        return try AMQPMessageView(decoding: bytes)
    }

    static let null: [UInt8] = [0x40]
    static let id = str("e-1"), subject = str("SubscriptionCreatedV1"), json = str("application/json", code8: 0xA3)

    static let cases: [(String, [UInt8])] = [
        ("usual", section([id, null, null, subject, null, null, json])),
        ("wide strings", section([str("e-1", wide: true), null, null, str("SubscriptionCreatedV1", wide: true), null, null,
                                  str("application/json", code8: 0xA3, wide: true)])),
        ("list32", section([id, null, null, subject, null, null, json], wide: true)),
        ("long descriptor", section([id], longDescriptor: true)),
        ("list0", section([])),
        ("only id", section([id])),
        ("other id", section([str("e-2")])),
        ("ulong id", section([[0x53, 0x01]])),
        ("uuid id", section([[0x98] + Array(repeating: 7, count: 16)])),
        ("binary id", section([[0xA0, 0x03, 0x65, 0x2D, 0x31]])),
        ("symbol id", section([str("e-1", code8: 0xA3)])),
        ("symbol subject", section([id, null, null, str("SubscriptionCreatedV1", code8: 0xA3)])),
        ("other subject", section([id, null, null, str("Other")])),
        ("ulong subject", section([id, null, null, [0x44]])),
        ("string content-type", section([id, null, null, subject, null, null, str("application/json")])),
        ("content-type with charset", section([id, null, null, subject, null, null, str(" Application/JSON ;charset=utf-8", code8: 0xA3)])),
        ("other content-type", section([id, null, null, subject, null, null, str("application/jsonx", code8: 0xA3)])),
        ("fields after content-type", section([id, str("u", code8: 0xA0), str("/q"), subject, str("r"), [0x44], json, null,
                                               [0x83] + Array(repeating: 0, count: 8), null, str("g"), [0x43]])),
        ("described field", section([id, null, null, [0x00, 0x53, 0x01, 0x40]])),
        ("truncated list", Array(section([id, null, null, subject]).dropLast(2)) + [0x00, 0x53, 0x74, 0xC1, 0x01, 0x00]),
        ("no properties", [0x00, 0x53, 0x74, 0xC1, 0x01, 0x00]),
        ("nothing before the body", []),
    ]

    @Test(arguments: cases.map(\.0))
    func fastAndGeneralAgree(_ name: String) throws {
        let bytes = Self.cases.first { $0.0 == name }!.1
        let message: AMQPMessageView
        do {
            message = try Self.message(bytes)
        } catch {
            return   // not a valid message: nothing to compare
        }
        let view = try OctopusEnvelopeView(message: message, checkingProperties: false)
        let fast = throwing(try view.checkProperties(of: message))
        let general: OctopusEnvelopeError?
        do {
            let properties = try message.properties()
            general = throwing(try view.check(properties))
        } catch {
            general = OctopusEnvelopeError(code: .invalidMessage, field: "properties", amqpError: error)
        }
        #expect(fast?.code == general?.code, "\(name): fast \(String(describing: fast)), general \(String(describing: general))")
        #expect(fast?.field == general?.field, "\(name)")
    }

    @Test func theUsualEncodingsAgreeWithTheEnvelope() throws {
        for name in ["usual", "wide strings", "list32", "list0", "only id", "content-type with charset", "fields after content-type",
                     "no properties", "nothing before the body", "symbol subject", "long descriptor"] {
            let message = try Self.message(Self.cases.first { $0.0 == name }!.1)
            #expect(throwing(try OctopusEnvelopeView(message: message)) == nil, "\(name)")
        }
        for name in ["other id", "ulong id", "uuid id", "binary id", "other subject", "other content-type"] {
            let message = try Self.message(Self.cases.first { $0.0 == name }!.1)
            #expect(throwing(try OctopusEnvelopeView(message: message))?.code == .propertyMismatch, "\(name)")
        }
    }
}
