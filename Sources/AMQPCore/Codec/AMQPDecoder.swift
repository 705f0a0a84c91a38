import NIOCore

/// Decodes AMQP values from a `ByteBuffer`, strictly: every size and count is checked against
/// the bytes left before anything is allocated, nesting is capped, and every failure is an
/// `AMQPDecodingError` carrying the byte offset. Binary values are slices of the input.
///
/// Reads go through a raw pointer to the input's bytes, taken once, rather than through
/// `ByteBuffer`'s accessors (each of which pays a dynamic exclusivity check on NIO's storage
/// object). The pointer stays valid because the decoder holds `storage`, which keeps the
/// bytes alive, and never writes to it: a `ByteBuffer` only moves or frees its bytes when it
/// is itself written to or released.
public struct AMQPDecoder {
    /// The input; slices (binary values, payloads) are cut from it.
    @usableFromInline let storage: ByteBuffer
    /// `storage`'s first readable byte.
    @usableFromInline let base: UnsafeRawPointer
    /// Index of the next byte to read, relative to `base`.
    @usableFromInline var position: Int
    /// Index one past the last byte this decoder may read.
    @usableFromInline var end: Int
    /// `position` at which `offset` equals `baseOffset`.
    @usableFromInline let origin: Int
    @usableFromInline let baseOffset: Int
    public let limits: AMQPDecodingLimits
    @usableFromInline var depth: Int
    /// Zero-width array elements this decode may still produce (`maxZeroWidthElements`).
    /// Nested decoders hand what is left back to their parent.
    @usableFromInline var zeroWidthBudget: Int

    /// - Parameter baseOffset: the offset that `buffer`'s first readable byte has in the
    ///   caller's input, so that errors point into that input.
    public init(buffer: ByteBuffer, limits: AMQPDecodingLimits = .default, baseOffset: Int = 0) {
        self.storage = buffer
        self.base = buffer.withUnsafeReadableBytes { bytes in
            UnsafeRawPointer(bytes.baseAddress) ?? UnsafeRawPointer(bitPattern: 0x10)!
        }
        self.position = 0
        self.end = buffer.readableBytes
        self.origin = 0
        self.baseOffset = baseOffset
        self.limits = limits
        self.depth = 0
        self.zeroWidthBudget = limits.maxZeroWidthElements
    }

    /// The offset of the next unread byte in the caller's input.
    @inlinable @inline(__always)
    public var offset: Int { baseOffset + position - origin }

    @inlinable @inline(__always)
    public var isAtEnd: Bool { position == end }

    /// Bytes left to read.
    @inlinable
    public var remaining: Int { end - position }

    /// The unread bytes, as a slice of the input.
    public var buffer: ByteBuffer {
        storage.getSlice(at: storage.readerIndex + position, length: end - position)!
    }

    @inlinable @inline(never)
    func error(_ code: AMQPDecodingError.Code, at offset: Int? = nil, detail: String? = nil) -> AMQPDecodingError {
        AMQPDecodingError(code: code, offset: offset ?? self.offset, detail: detail)
    }

    // MARK: Raw reads

    @inlinable @inline(__always)
    public mutating func readByte() throws(AMQPDecodingError) -> UInt8 {
        guard position < end else { throw error(.truncated) }
        let byte = base.load(fromByteOffset: position, as: UInt8.self)
        position += 1
        return byte
    }

    @inlinable @inline(__always)
    public mutating func peekByte() throws(AMQPDecodingError) -> UInt8 {
        guard position < end else { throw error(.truncated) }
        return base.load(fromByteOffset: position, as: UInt8.self)
    }

    @inlinable @inline(__always)
    mutating func read<T: FixedWidthInteger>(_: T.Type) throws(AMQPDecodingError) -> T {
        let size = MemoryLayout<T>.size
        guard end - position >= size else { throw error(.truncated) }
        let value = T(bigEndian: base.loadUnaligned(fromByteOffset: position, as: T.self))
        position += size
        return value
    }

    /// The next `length` bytes, without consuming them.
    @inlinable @inline(__always)
    func rawBytes(length: Int) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: (base + position).assumingMemoryBound(to: UInt8.self), count: length)
    }

    /// Reads `length` bytes as a slice sharing the input's storage.
    @inlinable
    mutating func readSlice(length: Int) throws(AMQPDecodingError) -> ByteBuffer {
        try require(length)
        let slice = storage.getSlice(at: storage.readerIndex + position, length: length)!
        position += length
        return slice
    }

    /// Throws `sizeExceedsInput` unless `length` more bytes are there.
    @inlinable @inline(__always)
    func require(_ length: Int) throws(AMQPDecodingError) {
        guard length <= end - position else {
            throw error(.sizeExceedsInput, detail: "\(length) bytes declared, \(end - position) left")
        }
    }

    /// A decoder over the next `length` bytes (consumed from this one), at the same depth.
    @inlinable
    mutating func nested(length: Int) throws(AMQPDecodingError) -> AMQPDecoder {
        try require(length)
        var child = self
        child.end = position + length
        position += length
        return child
    }

    @inlinable
    mutating func enter() throws(AMQPDecodingError) {
        depth += 1
        guard depth <= limits.maxDepth else { throw error(.nestingTooDeep, detail: "limit \(limits.maxDepth)") }
    }

    // MARK: Values

    /// Reads one complete value (constructor and data).
    public mutating func readValue() throws(AMQPDecodingError) -> AMQPValue {
        let code = try readByte()
        if code == FormatCode.described {
            try enter()
            defer { depth -= 1 }
            let descriptor = try readDescriptor()
            let value = try readValue()
            return .described(AMQPDescribed(descriptor: descriptor, value: value))
        }
        return try readValue(code: code)
    }

    /// Reads a descriptor (spec 1.2). The spec reserves all but ulong and symbol descriptors
    /// without making others invalid, so any value is accepted here; composite types only
    /// match ulong and symbol descriptors (`readDescriptorCode`).
    public mutating func readDescriptor() throws(AMQPDecodingError) -> AMQPValue {
        try readValue()
    }

    /// Reads the data of a value whose constructor `code` was already read.
    public mutating func readValue(code: UInt8) throws(AMQPDecodingError) -> AMQPValue {
        switch code {
        case 0x40: return .null
        case 0x41: return .boolean(true)
        case 0x42: return .boolean(false)
        case 0x56: return .boolean(try readBooleanByte())
        case 0x50: return .ubyte(try read(UInt8.self))
        case 0x60: return .ushort(try read(UInt16.self))
        case 0x70: return .uint(try read(UInt32.self))
        case 0x52: return .uint(UInt32(try read(UInt8.self)))
        case 0x43: return .uint(0)
        case 0x80: return .ulong(try read(UInt64.self))
        case 0x53: return .ulong(UInt64(try read(UInt8.self)))
        case 0x44: return .ulong(0)
        case 0x51: return .byte(try read(Int8.self))
        case 0x61: return .short(try read(Int16.self))
        case 0x71: return .int(try read(Int32.self))
        case 0x54: return .int(Int32(try read(Int8.self)))
        case 0x81: return .long(try read(Int64.self))
        case 0x55: return .long(Int64(try read(Int8.self)))
        case 0x72: return .float(Float(bitPattern: try read(UInt32.self)))
        case 0x82: return .double(Double(bitPattern: try read(UInt64.self)))
        case 0x74: return .decimal32(AMQPDecimal32(bitPattern: try read(UInt32.self)))
        case 0x84: return .decimal64(AMQPDecimal64(bitPattern: try read(UInt64.self)))
        case 0x94:
            let high = try read(UInt64.self)
            return .decimal128(AMQPDecimal128(high: high, low: try read(UInt64.self)))
        case 0x73: return .char(try readCharData())
        case 0x83: return .timestamp(AMQPTimestamp(millisecondsSince1970: try read(Int64.self)))
        case 0x98:
            let high = try read(UInt64.self)
            return .uuid(AMQPUUID(high: high, low: try read(UInt64.self)))
        case 0xA0, 0xB0: return .binary(try readBinaryData(code: code))
        case 0xA1, 0xB1: return .string(try readStringData(code: code))
        case 0xA3, 0xB3: return .symbol(try readSymbolData(code: code))
        case 0x45:
            // An empty list nests as deep as any other list, whatever its encoding.
            guard depth < limits.maxDepth else { throw error(.nestingTooDeep, detail: "limit \(limits.maxDepth)") }
            return .list([])
        case 0xC0, 0xD0: return .list(try readListData(code: code))
        case 0xC1, 0xD1: return .map(try readMapData(code: code))
        case 0xE0, 0xF0: return .array(try readArrayData(code: code))
        default:
            throw error(.invalidConstructor, at: offset - 1, detail: formatCodeText(code))
        }
    }

    @inlinable
    mutating func readBooleanByte() throws(AMQPDecodingError) -> Bool {
        let start = offset
        switch try readByte() {
        case 0: return false
        case 1: return true
        case let other: throw error(.invalidBoolean, at: start, detail: "0x\(String(other, radix: 16))")
        }
    }

    mutating func readCharData() throws(AMQPDecodingError) -> Unicode.Scalar {
        let start = offset
        let raw = try read(UInt32.self)
        guard let scalar = Unicode.Scalar(raw) else {
            throw error(.invalidCharacter, at: start, detail: "0x\(String(raw, radix: 16))")
        }
        return scalar
    }

    @inlinable @inline(__always)
    mutating func readVariableLength(code: UInt8) throws(AMQPDecodingError) -> Int {
        if code & 0xF0 == 0xA0 { return Int(try read(UInt8.self)) }
        return Int(try read(UInt32.self))
    }

    @inlinable
    mutating func readBinaryData(code: UInt8) throws(AMQPDecodingError) -> ByteBuffer {
        let length = try readVariableLength(code: code)
        return try readSlice(length: length)
    }

    @inlinable
    mutating func readStringData(code: UInt8) throws(AMQPDecodingError) -> String {
        let length = try readVariableLength(code: code)
        try require(length)
        let bytes = rawBytes(length: length)
        let string: String
        if AMQPDecoder.isASCII(bytes) {
            string = String(decoding: bytes, as: UTF8.self)
        } else {
            // Decoding repairs invalid UTF-8; the input was valid only if nothing was repaired.
            let decoded = String(decoding: bytes, as: UTF8.self)
            guard decoded.utf8.elementsEqual(bytes) else { throw error(.invalidUTF8) }
            string = decoded
        }
        position += length
        return string
    }

    @inlinable
    mutating func readSymbolData(code: UInt8) throws(AMQPDecodingError) -> AMQPSymbol {
        let length = try readVariableLength(code: code)
        try require(length)
        let bytes = rawBytes(length: length)
        guard AMQPDecoder.isASCII(bytes) else { throw error(.invalidSymbol) }
        position += length
        return AMQPSymbol(String(decoding: bytes, as: UTF8.self))
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    @inlinable
    static func isASCII(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var index = 0
        var combined: UInt64 = 0
        let count = bytes.count
        while index + 8 <= count {
            combined |= UnsafeRawPointer(bytes.baseAddress! + index).loadUnaligned(as: UInt64.self)
            index += 8
        }
        while index < count {
            combined |= UInt64(bytes[index])
            index += 1
        }
        return combined & 0x8080_8080_8080_8080 == 0
    }

    /// Reads the size and count of a list, map or array and returns a decoder over its body.
    /// Checks the count against the bytes the size declares (each element takes at least
    /// `minimumElementWidth` bytes).
    @inlinable
    mutating func readCompoundHeader(code: UInt8, minimumElementWidth: Int = 1)
        throws(AMQPDecodingError) -> (count: Int, body: AMQPDecoder)
    {
        let start = offset
        let wide = code & 0x10 != 0  // list32, map32, array32
        let size = wide ? Int(try read(UInt32.self)) : Int(try read(UInt8.self))
        let countWidth = wide ? 4 : 1
        guard size >= countWidth else {
            throw error(.sizeMismatch, at: start, detail: "size \(size) cannot hold the count")
        }
        guard size <= remaining else {
            throw error(.sizeExceedsInput, at: start, detail: "\(size) bytes declared, \(remaining) left")
        }
        let count = wide ? Int(try read(UInt32.self)) : Int(try read(UInt8.self))
        let bodyLength = size - countWidth
        if minimumElementWidth > 0 {
            guard count <= bodyLength / minimumElementWidth else {
                throw error(.countExceedsSize, at: start, detail: "\(count) elements in \(bodyLength) bytes")
            }
        }
        try enter()
        defer { depth -= 1 }
        let body = try nested(length: bodyLength)
        return (count, body)
    }

    mutating func readListData(code: UInt8) throws(AMQPDecodingError) -> [AMQPValue] {
        var (count, body) = try readCompoundHeader(code: code)
        var elements: [AMQPValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try body.readValue()) }
        try body.expectEnd()
        zeroWidthBudget = body.zeroWidthBudget
        return elements
    }

    mutating func readMapData(code: UInt8) throws(AMQPDecodingError) -> AMQPMap {
        let start = offset
        var (count, body) = try readCompoundHeader(code: code)
        guard count % 2 == 0 else { throw error(.oddMapCount, at: start, detail: "\(count) elements") }
        let pairs = count / 2
        let entriesStart = body
        var entries: [AMQPMap.Entry] = []
        entries.reserveCapacity(pairs)
        // Keys that are all str8 or sym8 (the usual case) are checked for repeats by their
        // bytes as they are read; others by value afterwards.
        var shortKeys = ShortKeys()
        var byBytes = pairs <= ShortKeys.capacity
        var repeated: Int?
        for index in 0..<pairs {
            let keyStart = body.position
            let keyCode = try body.peekByte()
            let key = try body.readValue()
            if byBytes {
                if keyCode == 0xA1 || keyCode == 0xA3 {
                    let keyLength = body.position - keyStart
                    if repeated == nil, shortKeys.contains(keyStart, keyLength, in: body.base, first: index) {
                        repeated = index
                    }
                    shortKeys.set(index, keyStart, keyLength)
                } else {
                    byBytes = false
                }
            }
            entries.append(AMQPMap.Entry(key: key, value: try body.readValue()))
        }
        try body.expectEnd()
        zeroWidthBudget = body.zeroWidthBudget
        if !byBytes { repeated = AMQPDecoder.firstRepeatedKey(entries) }
        if let duplicate = repeated {
            // Rare: walk the entries again to report where the repeated key is.
            var walker = entriesStart
            for _ in 0..<duplicate {
                try walker.skipValue()
                try walker.skipValue()
            }
            throw walker.error(.duplicateMapKey)
        }
        return AMQPMap(entries)
    }

    /// The index of the first entry whose key an earlier entry already has, if any
    /// (spec 1.6.23: map keys are distinct).
    static func firstRepeatedKey(_ entries: [AMQPMap.Entry]) -> Int? {
        let count = entries.count
        guard count > 1 else { return nil }
        if count <= 16 {
            return entries.withUnsafeBufferPointer { entries -> Int? in
                for index in 1..<count {
                    for earlier in 0..<index where entries[earlier].key == entries[index].key { return index }
                }
                return nil
            }
        }
        var seen = Set<AMQPValue>(minimumCapacity: count)
        for (index, entry) in entries.enumerated() where !seen.insert(entry.key).inserted { return index }
        return nil
    }

    mutating func readArrayData(code: UInt8) throws(AMQPDecodingError) -> AMQPArray {
        let start = offset
        var (count, body) = try readCompoundHeader(code: code, minimumElementWidth: 0)
        let elementType = try body.readArrayConstructor()
        let elementCode = elementType.code
        let width = AMQPDecoder.minimumElementWidth(elementCode)
        if width == 0 {
            guard count <= body.zeroWidthBudget else {
                throw error(.countExceedsLimit, at: start,
                            detail: "\(count) zero-width elements, limit \(limits.maxZeroWidthElements) per decode")
            }
            body.zeroWidthBudget -= count
        } else {
            guard count <= body.remaining / width else {
                throw error(.countExceedsSize, at: start, detail: "\(count) elements in \(body.remaining) bytes")
            }
        }
        var elements: [AMQPValue] = []
        elements.reserveCapacity(count)
        for _ in 0..<count { elements.append(try body.readValue(code: elementCode)) }
        try body.expectEnd()
        zeroWidthBudget = body.zeroWidthBudget
        return AMQPArray(unchecked: elements, of: elementType.type)
    }

    /// Reads an array's element constructor: a format code, or 0x00 descriptor constructor.
    mutating func readArrayConstructor() throws(AMQPDecodingError) -> (type: AMQPArray.ElementType, code: UInt8) {
        let start = offset
        let code = try readByte()
        if code == FormatCode.described {
            try enter()
            defer { depth -= 1 }
            let descriptor = try readDescriptor()
            let inner = try readArrayConstructor()
            return (.described(descriptor: descriptor, inner.type), inner.code)
        }
        guard let type = FormatCode.primitiveType(code) else {
            throw error(.invalidConstructor, at: start, detail: formatCodeText(code))
        }
        return (.primitive(type), code)
    }

    /// The fewest bytes one array element with this constructor can take.
    static func minimumElementWidth(_ code: UInt8) -> Int {
        if let width = FormatCode.fixedWidth(code) { return width }
        switch code {
        case 0xA0, 0xA1, 0xA3: return 1
        case 0xB0, 0xB1, 0xB3: return 4
        case 0xC0, 0xC1, 0xE0: return 2
        default: return 8
        }
    }

    /// Throws `sizeMismatch` unless every byte was consumed.
    @inlinable
    public func expectEnd() throws(AMQPDecodingError) {
        guard position == end else {
            throw error(.sizeMismatch, detail: "\(remaining) bytes left inside the declared size")
        }
    }

    // MARK: Skipping

    /// Skips one complete value, checking its declared sizes but not its contents.
    public mutating func skipValue() throws(AMQPDecodingError) {
        let start = offset
        let code = try readByte()
        if code == FormatCode.described {
            try enter()
            defer { depth -= 1 }
            _ = try readDescriptor()
            try skipValue()
            return
        }
        if let width = FormatCode.fixedWidth(code) {
            try require(width)
            position += width
            return
        }
        switch code {
        case 0xA0, 0xA1, 0xA3, 0xB0, 0xB1, 0xB3:
            let length = try readVariableLength(code: code)
            try require(length)
            position += length
        case 0xC0, 0xC1, 0xD0, 0xD1, 0xE0, 0xF0:
            let wide = code & 0x10 != 0
            let size = wide ? Int(try read(UInt32.self)) : Int(try read(UInt8.self))
            let countWidth = wide ? 4 : 1
            guard size >= countWidth else {
                throw error(.sizeMismatch, at: start, detail: "size \(size) cannot hold the count")
            }
            try require(size)
            let count = wide ? Int(try read(UInt32.self)) : Int(try read(UInt8.self))
            if code & 0xE0 == 0xC0 {  // list or map: every element takes a byte at least
                guard count <= size - countWidth else {
                    throw error(.countExceedsSize, at: start, detail: "\(count) elements in \(size - countWidth) bytes")
                }
                if code & 0x0F == 1, count % 2 != 0 {
                    throw error(.oddMapCount, at: start, detail: "\(count) elements")
                }
            }
            position += size - countWidth
        default:
            throw error(.invalidConstructor, at: start, detail: formatCodeText(code))
        }
    }
}

@usableFromInline
func formatCodeText(_ code: UInt8) -> String {
    "format code 0x" + (code < 0x10 ? "0" : "") + String(code, radix: 16)
}

extension AMQPValue {
    /// Decodes exactly one value from `bytes`; trailing bytes are an error.
    public init(decoding bytes: ByteBuffer, limits: AMQPDecodingLimits = .default) throws(AMQPDecodingError) {
        var decoder = AMQPDecoder(buffer: bytes, limits: limits)
        self = try decoder.readValue()
        guard decoder.isAtEnd else { throw decoder.error(.trailingBytes) }
    }

    /// The value's encoding, in a new buffer.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeAMQPValue(self)
        return buffer
    }
}

/// Where up to 16 short string or symbol keys of one map lie in the input, kept on the stack.
@usableFromInline
struct ShortKeys {
    static let capacity = 16
    /// (start << 32 | length) per key.
    private var slots: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    @usableFromInline init() {}

    @usableFromInline
    mutating func set(_ index: Int, _ start: Int, _ length: Int) {
        withUnsafeMutableBytes(of: &slots) { raw in
            raw.storeBytes(of: UInt64(start) << 32 | UInt64(length), toByteOffset: index * 8, as: UInt64.self)
        }
    }

    /// Whether one of the first `first` keys has the same encoded bytes as `start..<start+length`.
    @usableFromInline
    func contains(_ start: Int, _ length: Int, in base: UnsafeRawPointer, first: Int) -> Bool {
        withUnsafeBytes(of: slots) { raw in
            for index in 0..<first {
                let slot = raw.load(fromByteOffset: index * 8, as: UInt64.self)
                guard Int(slot & 0xFFFF_FFFF) == length else { continue }
                let earlier = Int(slot >> 32)
                var same = true
                for offset in 0..<length where base.load(fromByteOffset: earlier + offset, as: UInt8.self)
                    != base.load(fromByteOffset: start + offset, as: UInt8.self)
                {
                    same = false
                    break
                }
                if same { return true }
            }
            return false
        }
    }
}
