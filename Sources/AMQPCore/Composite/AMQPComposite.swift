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
    /// How many fields the list holds (trailing nulls dropped) and their total size.
    var amqpFieldLayout: AMQPFieldLayout { get }
    /// How many fields the list holds (trailing nulls dropped), without sizing them.
    var amqpFieldCount: Int { get }
    /// Writes the first `count` fields in order, nulls included.
    func writeFields(to writer: inout AMQPRawWriter, count: Int)
}

extension AMQPComposite {
    @inlinable
    public var amqpEncodedSize: Int {
        let layout = amqpFieldLayout
        let list = layout.count == 0 ? 1 : AMQPSize.compoundHeader(bodySize: layout.size, count: layout.count) + layout.size
        return 1 + AMQPSize.ulong(Self.descriptorCode) + list
    }

    /// Writes `0x00 descriptor list`.
    @inlinable
    public func writeAMQP(to writer: inout AMQPRawWriter) {
        let count = amqpFieldCount
        writer.descriptor(Self.descriptorCode)
        if count == 0 {
            writer.byte(0x45)
        } else {
            writer.compound(code8: 0xC0, code32: 0xD0) { writer in
                writeFields(to: &writer, count: count)
                return count
            }
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
        decoder.zeroWidthBudget = fields.decoder.zeroWidthBudget
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
            decoder.zeroWidthBudget = parent.zeroWidthBudget
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
    @inlinable @inline(__always)
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
    @inlinable @inline(__always)
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

/// The size of a composite's field list with its trailing nulls dropped.
public struct AMQPFieldLayout {
    /// Fields up to and including the last non-null one.
    public var count = 0
    /// Their encoded size, nulls included.
    public var size = 0
    /// Nulls seen since the last non-null field.
    @usableFromInline var pendingNulls = 0

    @inlinable
    public init() {}

    @inlinable
    public mutating func add<T: AMQPFieldValue>(_ value: T) {
        size += pendingNulls + value.amqpEncodedSize
        count += pendingNulls + 1
        pendingNulls = 0
    }

    @inlinable
    public mutating func add<T: AMQPFieldValue>(_ value: T?) {
        if let value { add(value) } else { pendingNulls += 1 }
    }

    /// A field equal to its spec default is written as null.
    @inlinable
    public mutating func add<T: AMQPFieldValue & Equatable>(_ value: T, default: T) {
        if value == `default` { pendingNulls += 1 } else { add(value) }
    }

    /// A `multiple` field: an empty one is written as null.
    @inlinable
    public mutating func add(multiple values: [AMQPSymbol]) {
        if values.isEmpty { pendingNulls += 1 } else { add(values) }
    }
}

extension AMQPRawWriter {
    @inlinable
    public mutating func field<T: AMQPFieldValue>(_ value: T) { value.writeAMQP(to: &self) }

    @inlinable
    public mutating func field<T: AMQPFieldValue>(_ value: T?) {
        if let value { value.writeAMQP(to: &self) } else { byte(0x40) }
    }

    @inlinable
    public mutating func field<T: AMQPFieldValue & Equatable>(_ value: T, default: T) {
        if value == `default` { byte(0x40) } else { value.writeAMQP(to: &self) }
    }

    @inlinable
    public mutating func field(multiple values: [AMQPSymbol]) {
        if values.isEmpty { byte(0x40) } else { values.writeAMQP(to: &self) }
    }
}

extension AMQPArray: AMQPFieldValue {
    public static func readAMQP(code: UInt8, from decoder: inout AMQPDecoder) throws(AMQPDecodingError) -> AMQPArray {
        guard code == 0xE0 || code == 0xF0 else { throw decoder.wrongType(code, expected: "array") }
        return try decoder.readArrayData(code: code)
    }
}
