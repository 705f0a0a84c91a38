import AMQPCore
import Foundation

/// A value as filters see it: AMQP's many integer widths fold into `long`, `float` into
/// `double`, `symbol` and `char` into `string`, `timestamp` into milliseconds. Anything else
/// (uuid, binary, decimals, lists, maps, described values) is kept as it is and only ever
/// equals the identical AMQP value.
///
/// `null` stands both for an AMQP `null` and for a missing property: SQL treats both as
/// "unknown" in comparisons.
enum FilterValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case long(Int64)
    case double(Double)
    case string(String)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    case other(AMQPValue)

    init(_ value: AMQPValue) {
        switch value {
        case .null: self = .null
        case .boolean(let v): self = .bool(v)
        case .ubyte(let v): self = .long(Int64(v))
        case .ushort(let v): self = .long(Int64(v))
        case .uint(let v): self = .long(Int64(v))
        case .ulong(let v): self = v <= UInt64(Int64.max) ? .long(Int64(v)) : .double(Double(v))
        case .byte(let v): self = .long(Int64(v))
        case .short(let v): self = .long(Int64(v))
        case .int(let v): self = .long(Int64(v))
        case .long(let v): self = .long(v)
        case .float(let v): self = .double(Double(v))
        case .double(let v): self = .double(v)
        case .char(let v): self = .string(String(v))
        case .string(let v): self = .string(v)
        case .symbol(let v): self = .string(v.rawValue)
        case .timestamp(let v): self = .timestamp(v.millisecondsSince1970)
        default: self = .other(value)
        }
    }

    init(_ date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        if milliseconds >= -9.2e18, milliseconds <= 9.2e18 {
            self = .timestamp(Int64(milliseconds))
        } else {
            self = .null
        }
    }

    /// The value as an AMQP value (for rule actions that write properties).
    var amqpValue: AMQPValue {
        switch self {
        case .null: return .null
        case .bool(let v): return .boolean(v)
        case .long(let v): return .long(v)
        case .double(let v): return .double(v)
        case .string(let v): return .string(v)
        case .timestamp(let v): return .timestamp(AMQPTimestamp(millisecondsSince1970: v))
        case .other(let v): return v
        }
    }

    var isNull: Bool { if case .null = self { return true } else { return false } }

    /// The order of two values, or nil when SQL calls the comparison unknown: either side
    /// null, types that do not compare (string with number), NaN, or an ordering asked of
    /// values that only have equality (booleans, `other`).
    ///
    /// Numbers widen: a `long` and a `double` compare exactly, without rounding the long.
    /// Strings compare ordinally by Unicode scalar, case-sensitively.
    static func compare(_ lhs: FilterValue, _ rhs: FilterValue) -> Comparison? {
        switch (lhs, rhs) {
        case (.long(let a), .long(let b)): return Comparison(a, b)
        case (.double(let a), .double(let b)):
            if a.isNaN || b.isNaN { return nil }
            return Comparison(a, b)
        case (.long(let a), .double(let b)): return compareExactly(a, b)
        case (.double(let a), .long(let b)): return compareExactly(b, a)?.reversed
        case (.string(let a), .string(let b)):
            if a.unicodeScalars.elementsEqual(b.unicodeScalars) { return .equal }
            return a.unicodeScalars.lexicographicallyPrecedes(b.unicodeScalars) ? .less : .greater
        case (.timestamp(let a), .timestamp(let b)): return Comparison(a, b)
        case (.bool(let a), .bool(let b)): return a == b ? .equal : .unordered
        case (.other(let a), .other(let b)): return a == b ? .equal : .unordered
        default: return nil
        }
    }

    /// Equality with SQL's typing: nil when unknown.
    static func equals(_ lhs: FilterValue, _ rhs: FilterValue) -> Bool? {
        guard let comparison = compare(lhs, rhs) else { return nil }
        return comparison == .equal
    }

    /// A long and a double, compared without converting the long to a double.
    private static func compareExactly(_ a: Int64, _ b: Double) -> Comparison? {
        if b.isNaN { return nil }
        // 2^63 is exactly representable; every Int64 is below it and at or above -2^63.
        if b >= 9_223_372_036_854_775_808.0 { return .less }
        if b < -9_223_372_036_854_775_808.0 { return .greater }
        let whole = b.rounded(.towardZero)
        let wholeLong = Int64(whole)
        if a != wholeLong { return Comparison(a, wholeLong) }
        let fraction = b - whole
        if fraction > 0 { return .less }
        if fraction < 0 { return .greater }
        return .equal
    }
}

/// The outcome of comparing two filter values.
enum Comparison: Sendable, Hashable {
    case less, equal, greater
    /// Different, with no order between them (two booleans, two opaque values).
    case unordered

    init<T: Comparable>(_ a: T, _ b: T) {
        self = a < b ? .less : (a == b ? .equal : .greater)
    }

    var reversed: Comparison {
        switch self {
        case .less: return .greater
        case .greater: return .less
        case .equal, .unordered: return self
        }
    }
}
