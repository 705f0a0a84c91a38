/// A `sequence-no` (spec 1.6.21 / 2.8.9): a 32-bit counter compared with RFC 1982 serial-number
/// arithmetic (SERIAL_BITS = 32). Used for delivery-count, delivery-id and transfer-id, all of
/// which wrap from `UInt32.max` to 0.
///
/// The ordering is RFC 1982's, which is not a total order: it is not transitive across more
/// than half the number space, and two numbers exactly 2^31 apart are *unordered* — neither
/// `<` nor `>` holds (RFC 1982 §3.2 leaves that case undefined; we answer `false` both ways,
/// so the derived `<=` and `>=` both answer `true` for such a pair).
/// Compare numbers that are known to be close; never sort a collection of them.
public struct SequenceNumber: Hashable, Sendable, Comparable, CustomStringConvertible,
    ExpressibleByIntegerLiteral
{
    /// The value as it travels on the wire.
    public var rawValue: UInt32

    public init(_ rawValue: UInt32) { self.rawValue = rawValue }
    public init(integerLiteral value: UInt32) { self.rawValue = value }

    public var description: String { String(rawValue) }

    /// RFC 1982 §3.1 addition, wrapping modulo 2^32. (RFC 1982 only defines it for
    /// `n < 2^31`; larger `n` still wrap, the caller must not rely on the result's ordering.)
    public static func + (lhs: SequenceNumber, rhs: UInt32) -> SequenceNumber {
        SequenceNumber(lhs.rawValue &+ rhs)
    }

    public static func += (lhs: inout SequenceNumber, rhs: UInt32) {
        lhs = lhs + rhs
    }

    /// How far `other` is ahead of `self`, modulo 2^32: `other - self` wrapping. When `other`
    /// is behind, the result is `2^32 - (self - other)`, i.e. at least 2^31 for close numbers.
    public func distance(to other: SequenceNumber) -> UInt32 {
        other.rawValue &- rawValue
    }

    /// RFC 1982 §3.2: `a < b` iff `b - a` (wrapping) lies in `1 ..< 2^31`.
    /// Numbers exactly 2^31 apart are unordered (`false` both ways).
    public static func < (lhs: SequenceNumber, rhs: SequenceNumber) -> Bool {
        let ahead = lhs.distance(to: rhs)
        return ahead != 0 && ahead < halfRange
    }

    /// 2^31: the distance at and beyond which RFC 1982 no longer calls a number "ahead".
    static let halfRange: UInt32 = 1 << 31
}
