import NIOCore

/// A Swift type that can be a field of an AMQP composite type: it writes itself with its own
/// constructor, and reads itself from the data after a constructor the decoder already read.
public protocol AMQPFieldValue: Sendable {
    /// Writes the value, constructor included.
    func writeAMQP(into buffer: inout ByteBuffer)
    /// Reads the value whose constructor `code` was just read; throws `invalidFieldType`
    /// when `code` cannot encode this type. 0x40 (null) never reaches this.
    static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> Self
}

extension AMQPDecoder {
    @inlinable
    func wrongType(_ code: UInt8, expected: String) -> AMQPDecodingError {
        error(.invalidFieldType, at: offset - 1, detail: "expected \(expected), found \(formatCodeText(code))")
    }
}

extension Bool: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPBoolean(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> Bool {
        switch code {
        case 0x41: return true
        case 0x42: return false
        case 0x56: return try decoder.readBooleanByte()
        default: throw decoder.wrongType(code, expected: "boolean")
        }
    }
}

extension UInt8: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPUByte(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt8 {
        guard code == 0x50 else { throw decoder.wrongType(code, expected: "ubyte") }
        return try decoder.read(UInt8.self)
    }
}

extension UInt16: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPUShort(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt16 {
        guard code == 0x60 else { throw decoder.wrongType(code, expected: "ushort") }
        return try decoder.read(UInt16.self)
    }
}

extension UInt32: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPUInt(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt32 {
        switch code {
        case 0x43: return 0
        case 0x52: return UInt32(try decoder.read(UInt8.self))
        case 0x70: return try decoder.read(UInt32.self)
        default: throw decoder.wrongType(code, expected: "uint")
        }
    }
}

extension UInt64: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPULong(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt64 {
        switch code {
        case 0x44: return 0
        case 0x53: return UInt64(try decoder.read(UInt8.self))
        case 0x80: return try decoder.read(UInt64.self)
        default: throw decoder.wrongType(code, expected: "ulong")
        }
    }
}

extension String: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPString(self) }
    /// Accepts a string, or a symbol (some peers send addresses as symbols).
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> String {
        switch code {
        case 0xA1, 0xB1: return try decoder.readStringData(code: code)
        case 0xA3, 0xB3: return try decoder.readSymbolData(code: code).rawValue
        default: throw decoder.wrongType(code, expected: "string")
        }
    }
}

extension AMQPSymbol: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPSymbol(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPSymbol {
        guard code == 0xA3 || code == 0xB3 else { throw decoder.wrongType(code, expected: "symbol") }
        return try decoder.readSymbolData(code: code)
    }
}

extension ByteBuffer: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPBinary(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> ByteBuffer {
        guard code == 0xA0 || code == 0xB0 else { throw decoder.wrongType(code, expected: "binary") }
        return try decoder.readBinaryData(code: code)
    }
}

extension AMQPTimestamp: AMQPFieldValue {
    @inlinable public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPTimestamp(self) }
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPTimestamp {
        guard code == 0x83 else { throw decoder.wrongType(code, expected: "timestamp") }
        return AMQPTimestamp(millisecondsSince1970: try decoder.read(Int64.self))
    }
}

extension AMQPMap: AMQPFieldValue {
    public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPMap(self) }
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPMap {
        guard code == 0xC1 || code == 0xD1 else { throw decoder.wrongType(code, expected: "map") }
        return try decoder.readMapData(code: code)
    }
}

extension AMQPValue: AMQPFieldValue {
    public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPValue(self) }
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPValue {
        if code == FormatCode.described {
            try decoder.enter()
            defer { decoder.depth -= 1 }
            let descriptor = try decoder.readDescriptor()
            return .described(AMQPDescribed(descriptor: descriptor, value: try decoder.readValue()))
        }
        return try decoder.readValue(code: code)
    }
}

/// A `multiple="true"` field (spec 1.4): on the wire a single value or an array of them
/// (or, from some peers, a list); here always an array. Empty arrays are written as null.
extension Array: AMQPFieldValue where Element == AMQPSymbol {
    public func writeAMQP(into buffer: inout ByteBuffer) {
        buffer.writeAMQPArray(AMQPArray(symbols: self))
    }

    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> [AMQPSymbol] {
        switch code {
        case 0xA3, 0xB3:
            return [try decoder.readSymbolData(code: code)]
        case 0xE0, 0xF0:
            let start = decoder.offset - 1
            let array = try decoder.readArrayData(code: code)
            guard case .primitive(.symbol) = array.elementType else {
                throw AMQPDecodingError(code: .invalidFieldType, offset: start,
                                        detail: "expected symbol array, found \(array.elementType) array")
            }
            return array.elements.map { value in
                guard case .symbol(let symbol) = value else { preconditionFailure("checked element type") }
                return symbol
            }
        case 0x45, 0xC0, 0xD0:
            // Not what the spec says, but what some Proton bindings send: a list of symbols.
            let start = decoder.offset - 1
            let list = code == 0x45 ? [] : try decoder.readListData(code: code)
            return try list.map { value throws(AMQPDecodingError) in
                guard case .symbol(let symbol) = value else {
                    throw AMQPDecodingError(code: .invalidFieldType, offset: start, detail: "expected a list of symbols")
                }
                return symbol
            }
        default:
            throw decoder.wrongType(code, expected: "symbol or symbol array")
        }
    }
}
