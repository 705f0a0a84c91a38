/// Format codes of the AMQP type system (spec 1.6, `types.xml`).
public enum FormatCode {
    public static let described: UInt8 = 0x00
    public static let null: UInt8 = 0x40
    public static let boolean: UInt8 = 0x56
    public static let booleanTrue: UInt8 = 0x41
    public static let booleanFalse: UInt8 = 0x42
    public static let ubyte: UInt8 = 0x50
    public static let ushort: UInt8 = 0x60
    public static let uint: UInt8 = 0x70
    public static let smallUInt: UInt8 = 0x52
    public static let uint0: UInt8 = 0x43
    public static let ulong: UInt8 = 0x80
    public static let smallULong: UInt8 = 0x53
    public static let ulong0: UInt8 = 0x44
    public static let byte: UInt8 = 0x51
    public static let short: UInt8 = 0x61
    public static let int: UInt8 = 0x71
    public static let smallInt: UInt8 = 0x54
    public static let long: UInt8 = 0x81
    public static let smallLong: UInt8 = 0x55
    public static let float: UInt8 = 0x72
    public static let double: UInt8 = 0x82
    public static let decimal32: UInt8 = 0x74
    public static let decimal64: UInt8 = 0x84
    public static let decimal128: UInt8 = 0x94
    public static let char: UInt8 = 0x73
    public static let timestamp: UInt8 = 0x83
    public static let uuid: UInt8 = 0x98
    public static let vbin8: UInt8 = 0xA0
    public static let vbin32: UInt8 = 0xB0
    public static let str8: UInt8 = 0xA1
    public static let str32: UInt8 = 0xB1
    public static let sym8: UInt8 = 0xA3
    public static let sym32: UInt8 = 0xB3
    public static let list0: UInt8 = 0x45
    public static let list8: UInt8 = 0xC0
    public static let list32: UInt8 = 0xD0
    public static let map8: UInt8 = 0xC1
    public static let map32: UInt8 = 0xD1
    public static let array8: UInt8 = 0xE0
    public static let array32: UInt8 = 0xF0

    /// Bytes a fixed-width encoding occupies after its format code; nil for other categories.
    @inline(__always)
    static func fixedWidth(_ code: UInt8) -> Int? {
        switch code {
        case 0x40, 0x41, 0x42, 0x43, 0x44, 0x45: return 0
        case 0x50, 0x51, 0x52, 0x53, 0x54, 0x55, 0x56: return 1
        case 0x60, 0x61: return 2
        case 0x70, 0x71, 0x72, 0x73, 0x74: return 4
        case 0x80, 0x81, 0x82, 0x83, 0x84: return 8
        case 0x94, 0x98: return 16
        default: return nil
        }
    }

    /// The primitive type a format code encodes; nil for 0x00 and unknown codes.
    static func primitiveType(_ code: UInt8) -> AMQPPrimitiveType? {
        switch code {
        case 0x40: return .null
        case 0x41, 0x42, 0x56: return .boolean
        case 0x50: return .ubyte
        case 0x60: return .ushort
        case 0x70, 0x52, 0x43: return .uint
        case 0x80, 0x53, 0x44: return .ulong
        case 0x51: return .byte
        case 0x61: return .short
        case 0x71, 0x54: return .int
        case 0x81, 0x55: return .long
        case 0x72: return .float
        case 0x82: return .double
        case 0x74: return .decimal32
        case 0x84: return .decimal64
        case 0x94: return .decimal128
        case 0x73: return .char
        case 0x83: return .timestamp
        case 0x98: return .uuid
        case 0xA0, 0xB0: return .binary
        case 0xA1, 0xB1: return .string
        case 0xA3, 0xB3: return .symbol
        case 0x45, 0xC0, 0xD0: return .list
        case 0xC1, 0xD1: return .map
        case 0xE0, 0xF0: return .array
        default: return nil
        }
    }
}
