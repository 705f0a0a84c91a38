import NIOCore

/// A Swift type that can be a field of an AMQP composite type: it writes itself with its own
/// constructor, and reads itself from the data after a constructor the decoder already read.
public protocol AMQPFieldValue: Sendable {
    /// The exact number of bytes `writeAMQP(to:)` writes.
    var amqpEncodedSize: Int { get }
    /// Writes the value, constructor included, into memory sized by `amqpEncodedSize`.
    func writeAMQP(to writer: inout AMQPRawWriter)
    /// Reads the value whose constructor `code` was just read; throws `invalidFieldType`
    /// when `code` cannot encode this type. 0x40 (null) never reaches this.
    static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> Self
}

extension AMQPFieldValue {
    /// Writes the value, constructor included.
    @inlinable
    public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPField(self) }
}

extension AMQPDecoder {
    @inlinable
    func wrongType(_ code: UInt8, expected: String) -> AMQPDecodingError {
        error(.invalidFieldType, at: offset - 1, detail: "expected \(expected), found \(formatCodeText(code))")
    }
}

extension Bool: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { 1 }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.byte(self ? 0x41 : 0x42)
    }
    @inlinable @inline(__always)
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
    @inlinable public var amqpEncodedSize: Int { 2 }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.byte(0x50)
        writer.byte(self)
    }
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt8 {
        guard code == 0x50 else { throw decoder.wrongType(code, expected: "ubyte") }
        return try decoder.read(UInt8.self)
    }
}

extension UInt16: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { 3 }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.byte(0x60)
        writer.integer(self)
    }
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> UInt16 {
        guard code == 0x60 else { throw decoder.wrongType(code, expected: "ushort") }
        return try decoder.read(UInt16.self)
    }
}

extension UInt32: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { AMQPSize.uint(self) }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.uint(self)
    }
    @inlinable @inline(__always)
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
    @inlinable public var amqpEncodedSize: Int { AMQPSize.ulong(self) }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.ulong(self)
    }
    @inlinable @inline(__always)
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
    @inlinable public var amqpEncodedSize: Int { AMQPSize.variableHeader(utf8.count) + utf8.count }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.variableHeader(code8: 0xA1, code32: 0xB1, length: utf8.count)
        writer.utf8(of: self)
    }
    /// Accepts a string, or a symbol (some peers send addresses as symbols).
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> String {
        switch code {
        case 0xA1, 0xB1: return try decoder.readStringData(code: code)
        case 0xA3, 0xB3: return try decoder.readSymbolData(code: code).rawValue
        default: throw decoder.wrongType(code, expected: "string")
        }
    }
}

extension AMQPSymbol: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { AMQPSize.variableHeader(rawValue.utf8.count) + rawValue.utf8.count }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.variableHeader(code8: 0xA3, code32: 0xB3, length: rawValue.utf8.count)
        writer.utf8(of: rawValue)
    }
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPSymbol {
        guard code == 0xA3 || code == 0xB3 else { throw decoder.wrongType(code, expected: "symbol") }
        return try decoder.readSymbolData(code: code)
    }
}

extension ByteBuffer: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { AMQPSize.variableHeader(readableBytes) + readableBytes }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.variableHeader(code8: 0xA0, code32: 0xB0, length: readableBytes)
        writer.bytes(of: self)
    }
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> ByteBuffer {
        guard code == 0xA0 || code == 0xB0 else { throw decoder.wrongType(code, expected: "binary") }
        return try decoder.readBinaryData(code: code)
    }
}

extension AMQPTimestamp: AMQPFieldValue {
    @inlinable public var amqpEncodedSize: Int { 9 }
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        writer.byte(0x83)
        writer.integer(millisecondsSince1970)
    }
    @inlinable @inline(__always)
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPTimestamp {
        guard code == 0x83 else { throw decoder.wrongType(code, expected: "timestamp") }
        return AMQPTimestamp(millisecondsSince1970: try decoder.read(Int64.self))
    }
}

extension AMQPMap: AMQPFieldValue {
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPMap {
        guard code == 0xC1 || code == 0xD1 else { throw decoder.wrongType(code, expected: "map") }
        return try decoder.readMapData(code: code)
    }
}

extension AMQPValue: AMQPFieldValue {
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
    /// Whether any symbol needs the 32-bit length form (then all of them use it).
    @inlinable
    var needsWideSymbols: Bool { contains { $0.rawValue.utf8.count > 0xFF } }

    @inlinable
    var symbolArrayBodySize: Int {
        let lengthWidth = needsWideSymbols ? 4 : 1
        var size = 1
        for symbol in self { size += lengthWidth + symbol.rawValue.utf8.count }
        return size
    }

    @inlinable
    public var amqpEncodedSize: Int {
        let body = symbolArrayBodySize
        return AMQPSize.compoundHeader(bodySize: body, count: count) + body
    }

    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        let wide = needsWideSymbols
        writer.compoundHeader(code8: 0xE0, code32: 0xF0, bodySize: symbolArrayBodySize, count: count)
        writer.byte(wide ? 0xB3 : 0xA3)
        for symbol in self {
            let length = symbol.rawValue.utf8.count
            if wide { writer.integer(UInt32(truncatingIfNeeded: length)) } else { writer.byte(UInt8(length)) }
            writer.utf8(of: symbol.rawValue)
        }
    }

    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> [AMQPSymbol] {
        switch code {
        case 0xA3, 0xB3:
            return [try decoder.readSymbolData(code: code)]
        case 0xE0, 0xF0:
            // Read straight into [AMQPSymbol], without an intermediate [AMQPValue].
            let start = decoder.offset - 1
            var (count, body) = try decoder.readCompoundHeader(code: code, minimumElementWidth: 0)
            let elementCode = try body.readByte()
            guard elementCode == 0xA3 || elementCode == 0xB3 else {
                throw AMQPDecodingError(code: .invalidFieldType, offset: start,
                                        detail: "expected symbol array, found elements \(formatCodeText(elementCode))")
            }
            guard count <= body.remaining / (elementCode == 0xA3 ? 1 : 4) else {
                throw AMQPDecodingError(code: .countExceedsSize, offset: start, detail: "\(count) symbols in \(body.remaining) bytes")
            }
            var symbols: [AMQPSymbol] = []
            symbols.reserveCapacity(count)
            for _ in 0..<count { symbols.append(try body.readSymbolData(code: elementCode)) }
            try body.expectEnd()
            return symbols
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
