import AMQPCore

/// Reading and writing JSON string contents (RFC 8259 §7).
enum JSONStrings {
    /// The value of a validated string token.
    static func decode(_ token: JSONStringToken, in bytes: UnsafeRawBufferPointer) -> String {
        let content = UnsafeRawBufferPointer(rebasing: bytes[token.start..<token.end])
        guard token.isEscaped else { return String(decoding: content, as: UTF8.self) }
        // Every escape is at least as long as what it stands for.
        return String(unsafeUninitializedCapacity: content.count) { out in
            unescape(content, into: out)
        }
    }

    /// Writes the unescaped value of validated string content; returns the bytes written.
    static func unescape(_ content: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var written = 0
        var i = 0
        func put(_ byte: UInt8) {
            out[written] = byte
            written &+= 1
        }
        while i < content.count {
            let byte = content[i]
            guard byte == 0x5C else {
                put(byte)
                i &+= 1
                continue
            }
            let kind = content[i &+ 1]
            i &+= 2
            switch kind {
            case 0x62: put(0x08)
            case 0x66: put(0x0C)
            case 0x6E: put(0x0A)
            case 0x72: put(0x0D)
            case 0x74: put(0x09)
            case 0x75:
                var scalar = UInt32(hex4(content, at: i))
                i &+= 4
                if (0xD800...0xDBFF).contains(scalar) {
                    let low = UInt32(hex4(content, at: i &+ 2))
                    i &+= 6
                    scalar = 0x10000 &+ ((scalar &- 0xD800) << 10) &+ (low &- 0xDC00)
                }
                for unit in UTF8.encode(Unicode.Scalar(scalar)!)! { put(unit) }
            default: put(kind)   // " \ /
            }
        }
        return written
    }

    private static func hex4(_ content: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        var value: UInt16 = 0
        for k in 0..<4 { value = value << 4 | UInt16(JSONScanner.hexValue(content[offset &+ k])!) }
        return value
    }

    // MARK: Writing

    /// How many bytes a byte of string content takes once escaped.
    @inline(__always)
    private static func escapedWidth(_ byte: UInt8) -> Int {
        switch byte {
        case 0x22, 0x5C, 0x08, 0x0C, 0x0A, 0x0D, 0x09: return 2
        case 0x00..<0x20: return 6
        default: return 1
        }
    }

    /// The length of `string` written as JSON string content (without quotes).
    static func escapedCount(_ string: String) -> Int {
        var count = 0
        for byte in string.utf8 { count &+= escapedWidth(byte) }
        return count
    }

    /// Writes `string` as JSON string content (without quotes): the shortest escapes, only
    /// where RFC 8259 requires them; `escapedCount` is its `escapedCount`.
    static func writeEscaped(_ string: String, escapedCount: Int, to writer: inout AMQPRawWriter) {
        guard escapedCount != string.utf8.count else {
            writer.utf8(of: string)
            return
        }
        for byte in string.utf8 {
            switch byte {
            case 0x22, 0x5C:
                writer.byte(0x5C)
                writer.byte(byte)
            case 0x08: writer.byte(0x5C); writer.byte(0x62)
            case 0x0C: writer.byte(0x5C); writer.byte(0x66)
            case 0x0A: writer.byte(0x5C); writer.byte(0x6E)
            case 0x0D: writer.byte(0x5C); writer.byte(0x72)
            case 0x09: writer.byte(0x5C); writer.byte(0x74)
            case 0x00..<0x20:
                let digits: StaticString = "0123456789abcdef"
                writer.byte(0x5C); writer.byte(0x75); writer.byte(0x30); writer.byte(0x30)
                writer.byte(digits.utf8Start[Int(byte >> 4)])
                writer.byte(digits.utf8Start[Int(byte & 0x0F)])
            default:
                writer.byte(byte)
            }
        }
    }

    /// A quoted JSON string.
    static func writeQuoted(_ string: String, to writer: inout AMQPRawWriter) {
        writer.byte(0x22)
        writeEscaped(string, escapedCount: escapedCount(string), to: &writer)
        writer.byte(0x22)
    }
}

extension AMQPRawWriter {
    /// The bytes of a static string (JSON punctuation and member names).
    @inline(__always)
    mutating func ascii(_ text: StaticString) {
        bytes(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}
