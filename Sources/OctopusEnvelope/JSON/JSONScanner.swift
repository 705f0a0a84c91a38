/// A string's content between its quotes, as offsets into the scanned bytes.
struct JSONStringToken {
    /// The first byte after the opening quote.
    var start: Int
    /// The closing quote.
    var end: Int
    /// Whether the content holds a backslash escape (its bytes are not its value).
    var isEscaped: Bool
    /// Whether every byte is ASCII.
    var isASCII: Bool

    var count: Int { end - start }
}

/// A strict JSON scanner (RFC 8259, with I-JSON's rules from RFC 7493 §2.1 and §2.3): valid
/// UTF-8 only, no lone surrogates in escapes, no duplicate member names, no leading zeros,
/// no `NaN`/`Infinity`, no byte-order mark, nothing after the value but whitespace.
///
/// It validates and measures; it builds nothing. Offsets in its errors are `baseOffset` plus
/// the position in `bytes`.
struct JSONScanner {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    let maxDepth: Int
    let baseOffset: Int

    init(_ bytes: UnsafeRawBufferPointer, maxDepth: Int, baseOffset: Int = 0) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.baseOffset = baseOffset
    }

    var isAtEnd: Bool { index >= bytes.count }

    /// The byte at `index`, or nil at the end.
    @inline(__always)
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    func error(_ code: OctopusEnvelopeError.Code, at offset: Int, _ detail: String? = nil) -> OctopusEnvelopeError {
        OctopusEnvelopeError(code: code, offset: baseOffset + offset, detail: detail)
    }

    /// "expected X, found Y" at `index` (Y named, never quoted from a string).
    func unexpected(_ expected: String) -> OctopusEnvelopeError {
        guard let byte = current else { return error(.invalidJSON, at: index, "expected \(expected), found the end") }
        return error(.invalidJSON, at: index, "expected \(expected), found \(JSONScanner.describe(byte))")
    }

    static func describe(_ byte: UInt8) -> String {
        switch byte {
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        default: return "byte 0x" + String(byte, radix: 16, uppercase: true)
        }
    }

    @inline(__always)
    mutating func skipWhitespace() {
        var i = index
        while i < bytes.count {
            let byte = bytes[i]
            guard byte <= 0x20, byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 else { break }
            i &+= 1
        }
        index = i
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8, _ what: String) throws(OctopusEnvelopeError) {
        guard current == byte else { throw unexpected(what) }
        index &+= 1
    }

    // MARK: Strings

    /// A mask with the high bit set in each byte of `word` that is a quote, a backslash, a
    /// control character or non-ASCII. Bits above the lowest one may be false positives
    /// (borrows), so only the lowest is exact: it marks the first such byte in memory order on
    /// a little-endian load.
    @inline(__always)
    static func specialBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let high: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let below20 = (word &- ones &* 0x20) & ~word
        let isQuote = (quote &- ones) & ~quote
        let isBackslash = (backslash &- ones) & ~backslash
        return (below20 | isQuote | isBackslash | word) & high
    }

    /// Scans the string starting at `index` (an opening quote) and moves past its closing quote.
    mutating func scanString() throws(OctopusEnvelopeError) -> JSONStringToken {
        let open = index
        let bytes = self.bytes
        let count = bytes.count
        var i = open &+ 1
        let start = i
        var escaped = false
        var ascii = true
        while true {
            // Eight bytes at a time up to the first byte that needs a look.
            while i &+ 8 <= count {
                let special = JSONScanner.specialBytes(bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self).littleEndian)
                if special != 0 {
                    i &+= special.trailingZeroBitCount &>> 3
                    break
                }
                i &+= 8
            }
            guard i < count else { throw error(.invalidJSON, at: open, "unterminated string") }
            let byte = bytes[i]
            switch byte {
            case 0x22:
                index = i &+ 1
                return JSONStringToken(start: start, end: i, isEscaped: escaped, isASCII: ascii)
            case 0x5C:
                escaped = true
                index = i
                try scanEscape()
                i = index
            case 0x00..<0x20:
                throw error(.invalidString, at: i, "unescaped control character")
            case 0x20..<0x80:
                i &+= 1
            default:
                ascii = false
                index = i
                try scanUTF8Sequence(lead: byte)
                i = index
            }
        }
    }

    /// One escape at `index` (a backslash); a high surrogate must be followed by a low one.
    private mutating func scanEscape() throws(OctopusEnvelopeError) {
        let at = index
        guard index &+ 1 < bytes.count else { throw error(.invalidJSON, at: at, "unterminated string") }
        switch bytes[index &+ 1] {
        case 0x22, 0x5C, 0x2F, 0x62, 0x66, 0x6E, 0x72, 0x74:   // " \ / b f n r t
            index &+= 2
        case 0x75:   // u
            guard let unit = hex4(at: index &+ 2) else { throw error(.invalidString, at: at, "\\u needs four hex digits") }
            index &+= 6
            switch unit {
            case 0xD800...0xDBFF:
                guard index &+ 6 <= bytes.count, bytes[index] == 0x5C, bytes[index &+ 1] == 0x75,
                      let low = hex4(at: index &+ 2), (0xDC00...0xDFFF).contains(low) else {
                    throw error(.invalidString, at: at, "high surrogate without a low surrogate")
                }
                index &+= 6
            case 0xDC00...0xDFFF:
                throw error(.invalidString, at: at, "low surrogate without a high surrogate")
            default:
                break
            }
        default:
            throw error(.invalidString, at: at, "unknown escape")
        }
    }

    func hex4(at offset: Int) -> UInt16? {
        guard offset &+ 4 <= bytes.count else { return nil }
        var value: UInt16 = 0
        for i in 0..<4 {
            guard let nibble = JSONScanner.hexValue(bytes[offset &+ i]) else { return nil }
            value = value << 4 | UInt16(nibble)
        }
        return value
    }

    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case 0x30...0x39: return byte &- 0x30
        case 0x61...0x66: return byte &- 0x61 &+ 10
        case 0x41...0x46: return byte &- 0x41 &+ 10
        default: return nil
        }
    }

    /// A multi-byte UTF-8 sequence at `index` (Unicode 15, table 3-7: no overlong forms, no
    /// surrogates, nothing above U+10FFFF).
    private mutating func scanUTF8Sequence(lead: UInt8) throws(OctopusEnvelopeError) {
        var low: UInt8 = 0x80
        var high: UInt8 = 0xBF
        let continuations: Int
        switch lead {
        case 0xC2...0xDF: continuations = 1
        case 0xE0: continuations = 2; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: continuations = 2
        case 0xED: continuations = 2; high = 0x9F
        case 0xF0: continuations = 3; low = 0x90
        case 0xF1...0xF3: continuations = 3
        case 0xF4: continuations = 3; high = 0x8F
        default: throw error(.invalidUTF8, at: index, "invalid lead byte")
        }
        guard index &+ continuations < bytes.count else { throw error(.invalidUTF8, at: index, "truncated sequence") }
        guard (low...high).contains(bytes[index &+ 1]) else { throw error(.invalidUTF8, at: index, "invalid sequence") }
        var k = 2
        while k <= continuations {
            guard bytes[index &+ k] & 0xC0 == 0x80 else { throw error(.invalidUTF8, at: index, "invalid sequence") }
            k &+= 1
        }
        index &+= continuations &+ 1
    }

    // MARK: Other values

    /// A number (RFC 8259 §6): `-? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?`.
    /// Returns whether it is an integer (no fraction, no exponent).
    @discardableResult
    mutating func scanNumber() throws(OctopusEnvelopeError) -> Bool {
        let bytes = self.bytes
        let count = bytes.count
        let start = index
        var i = start
        @inline(__always) func isDigit(_ offset: Int) -> Bool { offset < count && bytes[offset] &- 0x30 < 10 }
        if i < count, bytes[i] == 0x2D { i &+= 1 }
        guard isDigit(i) else { throw error(.invalidJSON, at: start, "a number needs a digit after '-'") }
        if bytes[i] == 0x30 {
            i &+= 1
        } else {
            repeat { i &+= 1 } while isDigit(i)
        }
        var integer = true
        if i < count, bytes[i] == 0x2E {
            i &+= 1
            guard isDigit(i) else { throw error(.invalidJSON, at: start, "a fraction needs a digit") }
            repeat { i &+= 1 } while isDigit(i)
            integer = false
        }
        if i < count, bytes[i] | 0x20 == 0x65 {
            i &+= 1
            if i < count, bytes[i] == 0x2B || bytes[i] == 0x2D { i &+= 1 }
            guard isDigit(i) else { throw error(.invalidJSON, at: start, "an exponent needs a digit") }
            repeat { i &+= 1 } while isDigit(i)
            integer = false
        }
        index = i
        return integer
    }

    /// `true`, `false` or `null` at `index`.
    private mutating func scanLiteral(_ literal: StaticString) throws(OctopusEnvelopeError) {
        let count = literal.utf8CodeUnitCount
        guard index &+ count <= bytes.count else { throw error(.invalidJSON, at: index, "unknown literal") }
        let expected = literal.utf8Start
        for i in 0..<count where bytes[index &+ i] != expected[i] {
            throw error(.invalidJSON, at: index, "unknown literal")
        }
        index &+= count
    }

    /// Scans one value of any kind at `index`; `depth` is the nesting of its container.
    mutating func scanValue(depth: Int, keys: inout JSONKeyStack) throws(OctopusEnvelopeError) {
        guard let byte = current else { throw unexpected("a value") }
        switch byte {
        case 0x7B: try scanObject(depth: depth &+ 1, keys: &keys)
        case 0x5B: try scanArray(depth: depth &+ 1, keys: &keys)
        case 0x22: _ = try scanString()
        case 0x2D, 0x30...0x39: try scanNumber()
        case 0x74: try scanLiteral("true")
        case 0x66: try scanLiteral("false")
        case 0x6E: try scanLiteral("null")
        default: throw unexpected("a value")
        }
    }

    /// The object at `index` (an opening brace), at nesting `depth`; its member names are
    /// checked for repeats when it closes.
    mutating func scanObject(depth: Int, keys: inout JSONKeyStack) throws(OctopusEnvelopeError) {
        guard depth <= maxDepth else { throw error(.nestingTooDeep, at: index, "deeper than \(maxDepth)") }
        index &+= 1
        skipWhitespace()
        if current == 0x7D {
            index &+= 1
            return
        }
        let mark = keys.count
        while true {
            guard current == 0x22 else { throw unexpected("a member name") }
            keys.push(try scanString())
            skipWhitespace()
            try expect(0x3A, "':'")
            skipWhitespace()
            try scanValue(depth: depth, keys: &keys)
            skipWhitespace()
            guard let byte = current else { throw unexpected("',' or '}'") }
            index &+= 1
            if byte == 0x2C {
                skipWhitespace()
            } else if byte == 0x7D {
                break
            } else {
                index &-= 1
                throw unexpected("',' or '}'")
            }
        }
        if let repeated = keys.firstRepeat(from: mark, in: bytes) {
            throw error(.duplicateKey, at: repeated - 1)
        }
        keys.pop(to: mark)
    }

    mutating func scanArray(depth: Int, keys: inout JSONKeyStack) throws(OctopusEnvelopeError) {
        guard depth <= maxDepth else { throw error(.nestingTooDeep, at: index, "deeper than \(maxDepth)") }
        index &+= 1
        skipWhitespace()
        if current == 0x5D {
            index &+= 1
            return
        }
        while true {
            try scanValue(depth: depth, keys: &keys)
            skipWhitespace()
            guard let byte = current else { throw unexpected("',' or ']'") }
            index &+= 1
            if byte == 0x2C {
                skipWhitespace()
            } else if byte == 0x5D {
                return
            } else {
                index &-= 1
                throw unexpected("',' or ']'")
            }
        }
    }
}

extension JSONScanner {
    /// Validates that `bytes` hold exactly one JSON object (whitespace around it allowed),
    /// whose nesting, counted from `depth` for the object itself, stays within `maxDepth`;
    /// returns where the object lies.
    static func validateObject(
        _ bytes: UnsafeRawBufferPointer, depth: Int, maxDepth: Int
    ) throws(OctopusEnvelopeError) -> Range<Int> {
        try JSONKeyStack.with(capacityFor: bytes.count) { (keys: inout JSONKeyStack) throws(OctopusEnvelopeError) in
            var scanner = JSONScanner(bytes, maxDepth: maxDepth)
            scanner.skipWhitespace()
            guard scanner.current == 0x7B else {
                throw OctopusEnvelopeError(code: .notAnObject, offset: scanner.index,
                                           detail: "found \(scanner.current.map(kindName) ?? "nothing")")
            }
            let start = scanner.index
            try scanner.scanObject(depth: depth, keys: &keys)
            let end = scanner.index
            scanner.skipWhitespace()
            guard scanner.isAtEnd else { throw scanner.error(.trailingBytes, at: scanner.index) }
            return start..<end
        }
    }
}
