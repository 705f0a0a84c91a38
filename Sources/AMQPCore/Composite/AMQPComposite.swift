import NIOCore

/// A composite type of the spec (a described list), e.g. a performative or a message section.
/// The conformances are generated from the spec XML (see `Scripts/generate-types.py`).
public protocol AMQPComposite: AMQPFieldValue, Hashable {
    /// The numeric descriptor (domain 0x00000000 in the high 32 bits).
    static var descriptorCode: UInt64 { get }
    /// The symbolic descriptor, e.g. `amqp:open:list`.
    static var descriptorName: AMQPSymbol { get }
    /// The type's name in the spec, e.g. `open`.
    static var specName: String { get }

    /// Reads the fields from a reader positioned on the composite's list.
    init(fields: inout AMQPFieldReader) throws(AMQPDecodingError)
    /// Writes the fields in order; the writer drops trailing nulls.
    func writeFields(into buffer: inout ByteBuffer, _ writer: inout AMQPFieldWriter)
}

extension AMQPComposite {
    /// Writes `0x00 descriptor list`.
    @inlinable
    public func writeAMQP(into buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(0x00))
        buffer.writeAMQPULong(Self.descriptorCode)
        buffer.writeAMQPList { buffer in
            var writer = AMQPFieldWriter(start: buffer.writerIndex)
            writeFields(into: &buffer, &writer)
            return writer.finish(&buffer)
        }
    }

    /// Reads the composite after its constructor: `code` must be 0x00, then the descriptor must
    /// name this type (in either form), then the list.
    @inlinable
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> Self {
        guard code == FormatCode.described else {
            throw decoder.wrongType(code, expected: specName)
        }
        let start = decoder.offset
        let descriptor = try decoder.readDescriptorCode()
        guard descriptor == descriptorCode else {
            throw AMQPDecodingError(code: .unexpectedDescriptor, offset: start, typeName: specName,
                                    detail: "descriptor \(AMQPDescriptorNames.describe(descriptor))")
        }
        return try readBody(from: &decoder)
    }

    /// Reads the composite's list, after its descriptor.
    @inlinable
    public static func readBody(from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> Self {
        var fields = try AMQPFieldReader(from: &decoder, typeName: specName)
        let value = try Self(fields: &fields)
        try fields.finish()
        return value
    }

    /// Decodes exactly one described value of this type from `bytes`.
    public init(decoding bytes: ByteBuffer, limits: AMQPDecodingLimits = .default) throws(AMQPDecodingError) {
        var decoder = AMQPDecoder(buffer: bytes, limits: limits)
        self = try Self.readAMQP(code: try decoder.readByte(), from: &decoder)
        guard decoder.isAtEnd else { throw decoder.error(.trailingBytes) }
    }

    /// The composite as a generic described value.
    public var amqpValue: AMQPValue {
        var buffer = ByteBuffer()
        writeAMQP(into: &buffer)
        // Our own encoding always decodes.
        return try! AMQPValue(decoding: buffer)
    }
}

extension AMQPDecoder {
    /// Reads a descriptor and returns its numeric code; a symbolic descriptor is mapped through
    /// the spec's names, and an unknown one yields `UInt64.max`.
    @inlinable
    public mutating func readDescriptorCode() throws(AMQPDecodingError) -> UInt64 {
        let start = offset
        let code = try readByte()
        switch code {
        case 0x53: return UInt64(try read(UInt8.self))
        case 0x80: return try read(UInt64.self)
        case 0x44: return 0
        case 0xA3, 0xB3:
            let symbol = try readSymbolData(code: code)
            return AMQPDescriptorNames.code(for: symbol) ?? UInt64.max
        default:
            throw error(.invalidDescriptor, at: start, detail: formatCodeText(code))
        }
    }
}

/// Reads the fields of one composite in order. Absent trailing fields and nulls read as nil.
public struct AMQPFieldReader {
    @usableFromInline var decoder: AMQPDecoder
    @usableFromInline let count: Int
    @usableFromInline var index: Int
    @usableFromInline let typeName: String

    @inlinable
    init(from parent: inout AMQPDecoder, typeName: String) throws(AMQPDecodingError) {
        let start = parent.offset
        let code = try parent.readByte()
        switch code {
        case 0x45:
            decoder = AMQPDecoder(buffer: ByteBuffer(), limits: parent.limits, baseOffset: parent.offset)
            count = 0
        case 0xC0, 0xD0:
            do {
                (count, decoder) = try parent.readCompoundHeader(code: code)
            } catch {
                throw error.inContext(type: typeName, field: nil)
            }
            decoder.depth = parent.depth + 1
        default:
            throw AMQPDecodingError(code: .invalidFieldType, offset: start, typeName: typeName,
                                    detail: "expected list, found \(formatCodeText(code))")
        }
        index = 0
        self.typeName = typeName
    }

    /// Reads the next field; nil when it is null or beyond the list's end.
    @inlinable
    public mutating func read<T: AMQPFieldValue>(_ type: T.Type, _ field: String) throws(AMQPDecodingError) -> T? {
        guard index < count else { return nil }
        index += 1
        do {
            let code = try decoder.readByte()
            if code == FormatCode.null { return nil }
            return try T.readAMQP(code: code, from: &decoder)
        } catch {
            throw error.inContext(type: typeName, field: field)
        }
    }

    /// Reads a mandatory field; null or absent is `missingMandatoryField`.
    @inlinable
    public mutating func mandatory<T: AMQPFieldValue>(_ type: T.Type, _ field: String) throws(AMQPDecodingError) -> T {
        let start = decoder.offset
        guard let value = try read(type, field) else {
            throw AMQPDecodingError(code: .missingMandatoryField, offset: start, typeName: typeName, fieldName: field)
        }
        return value
    }

    /// Skips fields this version does not know (later spec versions may append some) and checks
    /// that the list's elements fill its declared size.
    @inlinable
    mutating func finish() throws(AMQPDecodingError) {
        do {
            while index < count {
                index += 1
                try decoder.skipValue()
            }
            try decoder.expectEnd()
        } catch {
            throw error.inContext(type: typeName, field: nil)
        }
    }
}

/// Tracks the fields written for one composite so that trailing nulls can be dropped.
public struct AMQPFieldWriter {
    /// Fields written so far, nulls included.
    @usableFromInline var written: Int = 0
    /// Fields up to and including the last non-null one.
    @usableFromInline var count: Int = 0
    /// Writer index just after the last non-null field.
    @usableFromInline var end: Int

    @inlinable
    init(start: Int) { end = start }

    @inlinable
    public mutating func write<T: AMQPFieldValue>(_ value: T, into buffer: inout ByteBuffer) {
        value.writeAMQP(into: &buffer)
        written += 1
        count = written
        end = buffer.writerIndex
    }

    @inlinable
    public mutating func write<T: AMQPFieldValue>(_ value: T?, into buffer: inout ByteBuffer) {
        if let value { write(value, into: &buffer) } else { writeNull(into: &buffer) }
    }

    @inlinable
    public mutating func writeNull(into buffer: inout ByteBuffer) {
        buffer.writeAMQPNull()
        written += 1
    }

    /// Writes null when `value` equals the spec default.
    @inlinable
    public mutating func write<T: AMQPFieldValue & Equatable>(_ value: T, default: T, into buffer: inout ByteBuffer) {
        if value == `default` { writeNull(into: &buffer) } else { write(value, into: &buffer) }
    }

    /// Writes a `multiple` field; an empty one is null.
    @inlinable
    public mutating func write(_ values: [AMQPSymbol], into buffer: inout ByteBuffer) {
        if values.isEmpty { writeNull(into: &buffer) } else { write(AMQPArray(symbols: values), into: &buffer) }
    }

    /// Drops the trailing nulls and returns how many fields remain.
    @inlinable
    mutating func finish(_ buffer: inout ByteBuffer) -> Int {
        buffer.moveWriterIndex(to: end)
        return count
    }
}

extension AMQPArray: AMQPFieldValue {
    public func writeAMQP(into buffer: inout ByteBuffer) { buffer.writeAMQPArray(self) }
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPArray {
        guard code == 0xE0 || code == 0xF0 else { throw decoder.wrongType(code, expected: "array") }
        return try decoder.readArrayData(code: code)
    }
}
