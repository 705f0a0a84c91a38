/// A duration written in ISO 8601 form (`PT1M`, `P14D`, `PT0.5S`, `P1DT2H`), as Service Bus
/// entity properties carry them.
///
/// Held in whole milliseconds (the precision of AMQP timestamps); finer fractions of a second
/// are truncated. A year counts 365 days and a month 30 days (Service Bus itself only writes
/// days and times). `P10675199DT2H48M5.4775807S`, .NET's `TimeSpan.MaxValue` and the Service
/// Bus default time to live, parses and means "effectively forever".
public struct ISO8601Duration: Hashable, Sendable, Comparable, CustomStringConvertible, Codable {
    /// The length in milliseconds, never negative.
    public let milliseconds: Int64

    public init(milliseconds: Int64) {
        self.milliseconds = max(0, milliseconds)
    }

    public static func seconds(_ value: Int64) -> ISO8601Duration {
        ISO8601Duration(milliseconds: value.multipliedReportingOverflow(by: 1000).overflow ? .max : value * 1000)
    }

    public static func minutes(_ value: Int64) -> ISO8601Duration { .seconds(value.multipliedReportingOverflow(by: 60).overflow ? .max / 1000 : value * 60) }

    /// .NET's `TimeSpan.MaxValue` in milliseconds: what Service Bus uses for "no limit".
    public static let effectivelyInfinite = ISO8601Duration(milliseconds: 922_337_203_685_477)

    public var duration: Duration { .milliseconds(milliseconds) }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.milliseconds < rhs.milliseconds }

    /// Parses an ISO 8601 duration; nil when `text` is not one (or does not fit).
    public init?(parsing text: String) {
        guard let value = ISO8601Duration.parse(Array(text.utf8)) else { return nil }
        self.milliseconds = value
    }

    private static func parse(_ bytes: [UInt8]) -> Int64? {
        guard bytes.count <= 64, bytes.first == UInt8(ascii: "P"), bytes.count > 1 else { return nil }
        var index = 1
        var inTime = false
        var total: Int64 = 0
        var sawComponent = false
        // Designators must come in this order; each at most once.
        var lastRank = -1
        while index < bytes.count {
            if bytes[index] == UInt8(ascii: "T") {
                guard !inTime else { return nil }
                inTime = true
                index += 1
                guard index < bytes.count else { return nil }
                continue
            }
            var whole: Int64 = 0
            var digits = 0
            while index < bytes.count, let digit = digitValue(bytes[index]) {
                let (shifted, o1) = whole.multipliedReportingOverflow(by: 10)
                let (sum, o2) = shifted.addingReportingOverflow(digit)
                guard !o1, !o2 else { return nil }
                whole = sum
                digits += 1
                index += 1
            }
            var fractionMilliseconds: Int64 = 0
            var hasFraction = false
            if index < bytes.count, bytes[index] == UInt8(ascii: ".") || bytes[index] == UInt8(ascii: ",") {
                hasFraction = true
                index += 1
                var scale: Int64 = 100
                var fractionDigits = 0
                while index < bytes.count, let digit = digitValue(bytes[index]) {
                    fractionMilliseconds += digit * scale
                    scale /= 10
                    fractionDigits += 1
                    index += 1
                }
                guard fractionDigits > 0 else { return nil }
            }
            guard digits > 0, index < bytes.count else { return nil }
            let designator = bytes[index]
            index += 1
            let rank: Int
            let unit: Int64
            switch (inTime, designator) {
            case (false, UInt8(ascii: "Y")): rank = 0; unit = 365 * 86_400_000
            case (false, UInt8(ascii: "M")): rank = 1; unit = 30 * 86_400_000
            case (false, UInt8(ascii: "W")): rank = 2; unit = 7 * 86_400_000
            case (false, UInt8(ascii: "D")): rank = 3; unit = 86_400_000
            case (true, UInt8(ascii: "H")): rank = 4; unit = 3_600_000
            case (true, UInt8(ascii: "M")): rank = 5; unit = 60_000
            case (true, UInt8(ascii: "S")): rank = 6; unit = 1000
            default: return nil
            }
            // Only the seconds may have a fraction.
            guard rank > lastRank, !hasFraction || rank == 6 else { return nil }
            lastRank = rank
            let (part, o1) = whole.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1, !o2 else { return nil }
            total = sum + fractionMilliseconds
            sawComponent = true
        }
        return sawComponent ? total : nil
    }

    private static func digitValue(_ byte: UInt8) -> Int64? {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") ? Int64(byte - UInt8(ascii: "0")) : nil
    }

    /// The canonical form: days, hours, minutes, seconds with milliseconds (`P1DT2H0.5S`).
    public var description: String {
        if milliseconds == 0 { return "PT0S" }
        var rest = milliseconds
        let days = rest / 86_400_000; rest %= 86_400_000
        let hours = rest / 3_600_000; rest %= 3_600_000
        let minutes = rest / 60_000; rest %= 60_000
        let seconds = rest / 1000
        let millis = rest % 1000
        var text = "P"
        if days > 0 { text += "\(days)D" }
        guard hours > 0 || minutes > 0 || seconds > 0 || millis > 0 else { return text }
        text += "T"
        if hours > 0 { text += "\(hours)H" }
        if minutes > 0 { text += "\(minutes)M" }
        if seconds > 0 || millis > 0 {
            if millis > 0 {
                var fraction = String(millis)
                while fraction.count < 3 { fraction = "0" + fraction }
                while fraction.hasSuffix("0") { fraction.removeLast() }
                text += "\(seconds).\(fraction)S"
            } else {
                text += "\(seconds)S"
            }
        }
        return text
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let parsed = ISO8601Duration(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "\"\(text.prefix(64))\" is not an ISO 8601 duration")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
