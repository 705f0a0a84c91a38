/// The three `properties` fields an envelope is checked against (`message-id`, `subject`,
/// `content-type`), read straight from a bare message's bytes when they have the usual
/// encodings: no `MessageProperties` value, no strings. Anything else (a long-form
/// descriptor, a symbol where a string is usual, a type the fields do not take) is
/// `unusual`, and the caller decodes the section the general way, which also reports errors.
/// The fields after `content-type` are not read (a lazy message view does not check them
/// either, until asked for the properties).
enum PropertiesProbe {
    enum Value: Equatable {
        case absent
        /// A string's (or symbol's) bytes.
        case text(Range<Int>)
        /// Any other type a message-id takes (ulong, uuid, binary).
        case other
    }

    struct Fields {
        var messageID = Value.absent
        var subject = Value.absent
        var contentType = Value.absent
    }

    enum Outcome {
        case noProperties
        case fields(Fields)
        case unusual
    }

    /// Reads the section at the start of `bytes` (a bare message, validated by
    /// `AMQPMessageView` as far as section boundaries go, so the list's contents are checked
    /// here).
    static func read(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        guard !bytes.isEmpty else { return .noProperties }
        guard bytes.count >= 4, bytes[0] == 0x00, bytes[1] == 0x53 else { return .unusual }
        guard bytes[2] == 0x73 else { return bytes[2] >= 0x74 && bytes[2] <= 0x77 ? .noProperties : .unusual }
        var i = 3
        let count: Int
        let end: Int
        switch bytes[i] {
        case 0x45:
            return .fields(Fields())
        case 0xC0:
            guard i + 3 <= bytes.count else { return .unusual }
            end = i + 2 + Int(bytes[i + 1])
            count = Int(bytes[i + 2])
            i += 3
        case 0xD0:
            guard i + 9 <= bytes.count else { return .unusual }
            end = i + 5 + Int(uint32(bytes, at: i + 1))
            count = Int(uint32(bytes, at: i + 5))
            i += 9
        default:
            return .unusual
        }
        guard end <= bytes.count, i <= end else { return .unusual }
        var fields = Fields()
        for field in 0..<min(count, 7) {
            guard i < end else { return .unusual }
            let code = bytes[i]
            var value = Value.other
            switch code {
            case 0x40:
                value = .absent
                i += 1
            case 0xA0, 0xA1, 0xA3:
                guard i + 2 <= end else { return .unusual }
                let start = i + 2
                i = start + Int(bytes[i + 1])
                if code != 0xA0 { value = .text(start..<i) }
            case 0xB0, 0xB1, 0xB3:
                guard i + 5 <= end else { return .unusual }
                let start = i + 5
                i = start + Int(uint32(bytes, at: i + 1))
                if code != 0xB0 { value = .text(start..<i) }
            case 0x43, 0x44: i += 1
            case 0x52, 0x53: i += 2
            case 0x70: i += 5
            case 0x80, 0x83: i += 9
            case 0x98: i += 17
            default: return .unusual
            }
            guard i <= end else { return .unusual }
            let isSymbol = code == 0xA3 || code == 0xB3
            let isString = code == 0xA1 || code == 0xB1
            switch field {
            case 0:
                guard !isSymbol else { return .unusual }   // not a message-id type
                fields.messageID = value
            case 3:
                guard value != .other else { return .unusual }   // not a string
                fields.subject = value
            case 6:
                guard !isString, value != .other else { return .unusual }   // content-type is a symbol
                fields.contentType = value
            default:
                break
            }
        }
        return .fields(fields)
    }

    private static func uint32(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt32 {
        UInt32(bytes[offset]) << 24 | UInt32(bytes[offset + 1]) << 16 | UInt32(bytes[offset + 2]) << 8 | UInt32(bytes[offset + 3])
    }

    /// `application/json`, in any case, with or without parameters (`; charset=utf-8`).
    static func isJSON(_ text: UnsafeRawBufferPointer) -> Bool {
        let expected: StaticString = "application/json"
        var i = 0
        while i < text.count, text[i] == 0x20 || text[i] == 0x09 { i += 1 }
        guard text.count - i >= expected.utf8CodeUnitCount else { return false }
        for k in 0..<expected.utf8CodeUnitCount {
            var byte = text[i + k]
            if byte >= 0x41 && byte <= 0x5A { byte |= 0x20 }
            guard byte == expected.utf8Start[k] else { return false }
        }
        i += expected.utf8CodeUnitCount
        while i < text.count, text[i] == 0x20 || text[i] == 0x09 { i += 1 }
        return i == text.count || text[i] == 0x3B
    }
}
