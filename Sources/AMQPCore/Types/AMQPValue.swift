import NIOCore

/// Any AMQP 1.0 value (spec part 1, "Types"): every primitive type, plus described values.
///
/// Equality is representational: floating-point values compare by bit pattern (so `NaN == NaN`
/// and `0.0 != -0.0`), strings by their UTF-8 bytes (not by Unicode canonical equivalence, so
/// a precomposed and a decomposed "é" are different map keys, as they are on the wire), maps
/// and lists in wire order.
public enum AMQPValue: Sendable {
    case null
    case boolean(Bool)
    case ubyte(UInt8)
    case ushort(UInt16)
    case uint(UInt32)
    case ulong(UInt64)
    case byte(Int8)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    case decimal32(AMQPDecimal32)
    case decimal64(AMQPDecimal64)
    case decimal128(AMQPDecimal128)
    case char(Unicode.Scalar)
    case timestamp(AMQPTimestamp)
    case uuid(AMQPUUID)
    case binary(ByteBuffer)
    case string(String)
    case symbol(AMQPSymbol)
    case list([AMQPValue])
    case map(AMQPMap)
    case array(AMQPArray)
    indirect case described(AMQPDescribed)
}

/// The primitive types of spec 1.6, used to type array elements.
public enum AMQPPrimitiveType: String, Sendable, Hashable, CaseIterable {
    case null, boolean, ubyte, ushort, uint, ulong, byte, short, int, long, float, double
    case decimal32, decimal64, decimal128, char, timestamp, uuid, binary, string, symbol
    case list, map, array
}

extension AMQPValue {
    /// The primitive type of this value; nil for a described value.
    public var primitiveType: AMQPPrimitiveType? {
        switch self {
        case .null: return .null
        case .boolean: return .boolean
        case .ubyte: return .ubyte
        case .ushort: return .ushort
        case .uint: return .uint
        case .ulong: return .ulong
        case .byte: return .byte
        case .short: return .short
        case .int: return .int
        case .long: return .long
        case .float: return .float
        case .double: return .double
        case .decimal32: return .decimal32
        case .decimal64: return .decimal64
        case .decimal128: return .decimal128
        case .char: return .char
        case .timestamp: return .timestamp
        case .uuid: return .uuid
        case .binary: return .binary
        case .string: return .string
        case .symbol: return .symbol
        case .list: return .list
        case .map: return .map
        case .array: return .array
        case .described: return nil
        }
    }

    public var isNull: Bool { if case .null = self { return true } else { return false } }
}

extension AMQPValue: Hashable {
    public static func == (lhs: AMQPValue, rhs: AMQPValue) -> Bool {
        // One switch over `lhs`, matching `rhs` with `if case`: no tuple of both values is
        // built (and so nothing is retained) on the way, which matters for map key checks.
        switch lhs {
        case .null: if case .null = rhs { return true }
        case .boolean(let a): if case .boolean(let b) = rhs { return a == b }
        case .ubyte(let a): if case .ubyte(let b) = rhs { return a == b }
        case .ushort(let a): if case .ushort(let b) = rhs { return a == b }
        case .uint(let a): if case .uint(let b) = rhs { return a == b }
        case .ulong(let a): if case .ulong(let b) = rhs { return a == b }
        case .byte(let a): if case .byte(let b) = rhs { return a == b }
        case .short(let a): if case .short(let b) = rhs { return a == b }
        case .int(let a): if case .int(let b) = rhs { return a == b }
        case .long(let a): if case .long(let b) = rhs { return a == b }
        case .float(let a): if case .float(let b) = rhs { return a.bitPattern == b.bitPattern }
        case .double(let a): if case .double(let b) = rhs { return a.bitPattern == b.bitPattern }
        case .decimal32(let a): if case .decimal32(let b) = rhs { return a == b }
        case .decimal64(let a): if case .decimal64(let b) = rhs { return a == b }
        case .decimal128(let a): if case .decimal128(let b) = rhs { return a == b }
        case .char(let a): if case .char(let b) = rhs { return a == b }
        case .timestamp(let a): if case .timestamp(let b) = rhs { return a == b }
        case .uuid(let a): if case .uuid(let b) = rhs { return a == b }
        case .binary(let a): if case .binary(let b) = rhs { return a == b }
        case .string(let a): if case .string(let b) = rhs { return a.utf8.elementsEqual(b.utf8) }
        case .symbol(let a): if case .symbol(let b) = rhs { return a == b }
        case .list(let a): if case .list(let b) = rhs { return a == b }
        case .map(let a): if case .map(let b) = rhs { return a == b }
        case .array(let a): if case .array(let b) = rhs { return a == b }
        case .described(let a): if case .described(let b) = rhs { return a == b }
        }
        return false
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(primitiveType)
        switch self {
        case .null: break
        case .boolean(let v): hasher.combine(v)
        case .ubyte(let v): hasher.combine(v)
        case .ushort(let v): hasher.combine(v)
        case .uint(let v): hasher.combine(v)
        case .ulong(let v): hasher.combine(v)
        case .byte(let v): hasher.combine(v)
        case .short(let v): hasher.combine(v)
        case .int(let v): hasher.combine(v)
        case .long(let v): hasher.combine(v)
        case .float(let v): hasher.combine(v.bitPattern)
        case .double(let v): hasher.combine(v.bitPattern)
        case .decimal32(let v): hasher.combine(v)
        case .decimal64(let v): hasher.combine(v)
        case .decimal128(let v): hasher.combine(v)
        case .char(let v): hasher.combine(v)
        case .timestamp(let v): hasher.combine(v)
        case .uuid(let v): hasher.combine(v)
        case .binary(let v): hasher.combine(v)
        case .string(let v):
            hasher.combine(v.utf8.count)
            for byte in v.utf8 { hasher.combine(byte) }
        case .symbol(let v): hasher.combine(v)
        case .list(let v): hasher.combine(v)
        case .map(let v): hasher.combine(v)
        case .array(let v): hasher.combine(v)
        case .described(let v): hasher.combine(v)
        }
    }
}

// Not ExpressibleByNilLiteral: `nil` for an `AMQPValue?` must mean "absent", never `.null`.
extension AMQPValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    /// Integer literals become `long`, the widest signed type.
    public init(integerLiteral value: Int64) { self = .long(value) }
    public init(booleanLiteral value: Bool) { self = .boolean(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
}

/// A described value (spec 1.2): a descriptor (a `ulong` or a `symbol`) and the value it describes.
public struct AMQPDescribed: Hashable, Sendable {
    public var descriptor: AMQPValue
    public var value: AMQPValue
    public init(descriptor: AMQPValue, value: AMQPValue) {
        self.descriptor = descriptor
        self.value = value
    }
}

/// An AMQP map (spec 1.6.23): distinct keys, kept in wire order.
public struct AMQPMap: Hashable, Sendable, ExpressibleByDictionaryLiteral, Sequence {
    public struct Entry: Hashable, Sendable {
        public var key: AMQPValue
        public var value: AMQPValue
        public init(key: AMQPValue, value: AMQPValue) { self.key = key; self.value = value }
    }

    public var entries: [Entry]

    public init() { entries = [] }
    public init(_ entries: [Entry]) { self.entries = entries }
    public init(dictionaryLiteral elements: (AMQPValue, AMQPValue)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }
    public func makeIterator() -> IndexingIterator<[Entry]> { entries.makeIterator() }

    /// The value for `key`, or nil. Setting nil removes the entry; setting a new key appends it.
    public subscript(key: AMQPValue) -> AMQPValue? {
        get { entries.first(where: { $0.key == key })?.value }
        set {
            let index = entries.firstIndex(where: { $0.key == key })
            switch (index, newValue) {
            case let (index?, value?): entries[index].value = value
            case let (index?, nil): entries.remove(at: index)
            case let (nil, value?): entries.append(Entry(key: key, value: value))
            case (nil, nil): break
            }
        }
    }

    /// Convenience for symbol-keyed maps (`fields`, annotations).
    public subscript(symbol key: AMQPSymbol) -> AMQPValue? {
        get { self[.symbol(key)] }
        set { self[.symbol(key)] = newValue }
    }

    /// Convenience for string-keyed maps (application-properties).
    public subscript(string key: String) -> AMQPValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }
}

/// An AMQP array (spec 1.6.24): a sequence of values that share one element constructor.
///
/// An array is valid by construction: every element has the element type. For arrays of
/// described values the elements are the inner values and the descriptor lives in the
/// element type.
public struct AMQPArray: Hashable, Sendable, Sequence {
    public indirect enum ElementType: Hashable, Sendable, CustomStringConvertible {
        case primitive(AMQPPrimitiveType)
        case described(descriptor: AMQPValue, AMQPArray.ElementType)

        /// The primitive type that every element value must have.
        public var underlying: AMQPPrimitiveType {
            switch self {
            case .primitive(let type): return type
            case .described(_, let inner): return inner.underlying
            }
        }

        public var description: String {
            switch self {
            case .primitive(let type): return type.rawValue
            case .described(let descriptor, let inner): return "described(\(descriptor)) \(inner)"
            }
        }
    }

    public struct TypeMismatch: Error, Hashable, Sendable {
        public var index: Int
        public var expected: AMQPArray.ElementType
    }

    public let elementType: ElementType
    public let elements: [AMQPValue]

    /// Creates an array, checking that every element has `elementType`'s primitive type.
    public init(_ elements: [AMQPValue], of elementType: ElementType) throws(TypeMismatch) {
        let expected = elementType.underlying
        for (index, element) in elements.enumerated() where element.primitiveType != expected {
            throw TypeMismatch(index: index, expected: elementType)
        }
        self.elementType = elementType
        self.elements = elements
    }

    init(unchecked elements: [AMQPValue], of elementType: ElementType) {
        self.elementType = elementType
        self.elements = elements
    }

    public init(symbols: [AMQPSymbol]) {
        self.init(unchecked: symbols.map { .symbol($0) }, of: .primitive(.symbol))
    }

    public var count: Int { elements.count }
    public var isEmpty: Bool { elements.isEmpty }
    public func makeIterator() -> IndexingIterator<[AMQPValue]> { elements.makeIterator() }
}
