import NIOCore

/// A message-id or correlation-id (spec 3.2.4, `message-id-*`): a ulong, uuid, binary or string.
public enum AMQPMessageID: Hashable, Sendable, AMQPFieldValue, ExpressibleByStringLiteral, CustomStringConvertible {
    case ulong(UInt64)
    case uuid(AMQPUUID)
    case binary(ByteBuffer)
    case string(String)

    public init(stringLiteral value: String) { self = .string(value) }

    public var description: String {
        switch self {
        case .ulong(let v): return String(v)
        case .uuid(let v): return v.uuidString
        case .binary(let v): return "0x" + v.readableBytesView.map { String(format2: $0) }.joined()
        case .string(let v): return v
        }
    }

    public var amqpEncodedSize: Int {
        switch self {
        case .ulong(let v): return AMQPSize.ulong(v)
        case .uuid: return 17
        case .binary(let v): return v.amqpEncodedSize
        case .string(let v): return v.amqpEncodedSize
        }
    }

    public func writeAMQP(to writer: inout AMQPRawWriter) {
        switch self {
        case .ulong(let v): writer.ulong(v)
        case .uuid(let v): AMQPValue.uuid(v).writeAMQP(to: &writer)
        case .binary(let v): v.writeAMQP(to: &writer)
        case .string(let v): v.writeAMQP(to: &writer)
        }
    }

    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPMessageID {
        switch code {
        case 0x44, 0x53, 0x80: return .ulong(try UInt64.readAMQP(code: code, from: &decoder))
        case 0x98:
            let high = try decoder.read(UInt64.self)
            return .uuid(AMQPUUID(high: high, low: try decoder.read(UInt64.self)))
        case 0xA0, 0xB0: return .binary(try decoder.readBinaryData(code: code))
        case 0xA1, 0xB1: return .string(try decoder.readStringData(code: code))
        default: throw decoder.wrongType(code, expected: "message-id (ulong, uuid, binary or string)")
        }
    }
}

extension String {
    /// Two lowercase hex digits.
    init(format2 byte: UInt8) {
        let digits = Array("0123456789abcdef".utf8)
        self = String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]], as: UTF8.self)
    }
}
