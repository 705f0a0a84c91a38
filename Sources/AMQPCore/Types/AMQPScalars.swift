import NIOCore

/// An AMQP `symbol`: a name from a constrained domain, ASCII only (spec 1.6.21).
public struct AMQPSymbol: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible, Comparable {
    public var rawValue: String

    /// Creates a symbol. The caller promises ASCII; the encoder writes the UTF-8 bytes as given.
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }
    public static func < (lhs: AMQPSymbol, rhs: AMQPSymbol) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// An AMQP `timestamp`: milliseconds since the Unix epoch, signed (spec 1.6.17).
public struct AMQPTimestamp: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var millisecondsSince1970: Int64
    public init(millisecondsSince1970: Int64) { self.millisecondsSince1970 = millisecondsSince1970 }
    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.millisecondsSince1970 < rhs.millisecondsSince1970 }
    public var description: String { "\(millisecondsSince1970)ms" }
}

/// An AMQP `uuid` (RFC 4122, network byte order), spec 1.6.18.
public struct AMQPUUID: Hashable, Sendable, CustomStringConvertible {
    /// The first 8 bytes, big-endian.
    public var high: UInt64
    /// The last 8 bytes, big-endian.
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }

    /// Parses `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx` (case-insensitive); nil if malformed.
    public init?(uuidString: String) {
        var nibbles: [UInt8] = []
        nibbles.reserveCapacity(32)
        for (index, byte) in uuidString.utf8.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return nil }
                continue
            }
            guard let nibble = hexNibble(byte) else { return nil }
            nibbles.append(nibble)
        }
        guard nibbles.count == 32, uuidString.utf8.count == 36 else { return nil }
        var high: UInt64 = 0, low: UInt64 = 0
        for i in 0..<16 { high = high << 4 | UInt64(nibbles[i]) }
        for i in 16..<32 { low = low << 4 | UInt64(nibbles[i]) }
        self.init(high: high, low: low)
    }

    public var uuidString: String {
        let hex = hexString(high) + hexString(low)
        var out = ""
        for (index, character) in hex.enumerated() {
            if [8, 12, 16, 20].contains(index) { out.append("-") }
            out.append(character)
        }
        return out
    }
    public var description: String { uuidString }
}

/// IEEE 754 decimal32, kept as its wire bits (spec 1.6.11); no arithmetic is offered.
public struct AMQPDecimal32: Hashable, Sendable {
    public var bitPattern: UInt32
    public init(bitPattern: UInt32) { self.bitPattern = bitPattern }
}

/// IEEE 754 decimal64, kept as its wire bits (spec 1.6.12).
public struct AMQPDecimal64: Hashable, Sendable {
    public var bitPattern: UInt64
    public init(bitPattern: UInt64) { self.bitPattern = bitPattern }
}

/// IEEE 754 decimal128, kept as its wire bits, high 8 bytes first (spec 1.6.13).
public struct AMQPDecimal128: Hashable, Sendable {
    public var high: UInt64
    public var low: UInt64
    public init(high: UInt64, low: UInt64) { self.high = high; self.low = low }
}

@inline(__always)
func hexNibble(_ byte: UInt8) -> UInt8? {
    switch byte {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
    default: return nil
    }
}

func hexString(_ value: UInt64) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: 16 - digits.count) + digits
}
