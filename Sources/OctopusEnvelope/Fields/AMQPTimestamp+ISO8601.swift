import AMQPCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `occurredTimeUtc`: ISO 8601 in UTC, the form RFC 3339 §5.6 profiles, restricted to what the
/// envelope spec shows: `YYYY-MM-DDThh:mm:ss` with an optional fraction of 1-9 digits and `Z`.
/// No offsets other than `Z`, no lowercase `t`/`z`, no leap second (`:60`), years 0000-9999.
extension AMQPTimestamp {
    /// Parses an `occurredTimeUtc` text; sub-millisecond digits are truncated. Nil when the
    /// text is not of the accepted form or names no real date.
    public init?(iso8601UTC text: String) {
        var text = text
        guard let milliseconds = text.withUTF8({ AMQPTimestamp.parseISO8601UTC(UnsafeRawBufferPointer($0)) }) else {
            return nil
        }
        self.init(millisecondsSince1970: milliseconds)
    }

    /// The time as `occurredTimeUtc` text: `2021-11-08T12:33:00Z`, or with milliseconds
    /// (`2021-11-08T12:33:00.250Z`) when it has some. Nil outside the years 0000-9999.
    public var iso8601UTC: String? {
        let (days, msOfDay) = millisecondsSince1970.quotientAndRemainder(dividingBy: 86_400_000)
        let day = msOfDay < 0 ? days - 1 : days
        let ms = msOfDay < 0 ? msOfDay + 86_400_000 : msOfDay
        let (year, month, dayOfMonth) = AMQPTimestamp.civil(fromDays: day)
        guard (0...9999).contains(year) else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(24)
        func digits(_ value: Int64, _ count: Int) {
            var divisor: Int64 = 1
            for _ in 1..<count { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + rest / divisor))
                rest %= divisor
                divisor /= 10
            }
        }
        digits(year, 4); out.append(0x2D); digits(month, 2); out.append(0x2D); digits(dayOfMonth, 2)
        out.append(0x54)
        digits(ms / 3_600_000, 2); out.append(0x3A)
        digits(ms / 60_000 % 60, 2); out.append(0x3A)
        digits(ms / 1000 % 60, 2)
        if ms % 1000 != 0 {
            out.append(0x2E)
            digits(ms % 1000, 3)
        }
        out.append(0x5A)
        return String(decoding: out, as: UTF8.self)
    }

    /// The current time (the system's real-time clock), to the millisecond.
    public static func now() -> AMQPTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AMQPTimestamp(millisecondsSince1970: Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000)
    }

    /// Milliseconds since 1970 for `occurredTimeUtc` bytes, or nil.
    static func parseISO8601UTC(_ bytes: UnsafeRawBufferPointer) -> Int64? {
        // YYYY-MM-DDThh:mm:ssZ is 20 bytes; a fraction adds 2-10.
        guard bytes.count >= 20, bytes.count <= 30 else { return nil }
        func number(_ offset: Int, _ count: Int) -> Int64? {
            var value: Int64 = 0
            for i in offset..<(offset + count) {
                let digit = bytes[i] &- 0x30
                guard digit < 10 else { return nil }
                value = value * 10 + Int64(digit)
            }
            return value
        }
        guard bytes[4] == 0x2D, bytes[7] == 0x2D, bytes[10] == 0x54, bytes[13] == 0x3A, bytes[16] == 0x3A,
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2),
              (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60
        else { return nil }
        var milliseconds: Int64 = 0
        if bytes.count == 20 {
            guard bytes[19] == 0x5A else { return nil }
        } else {
            let fractionDigits = bytes.count - 21
            guard bytes[19] == 0x2E, bytes[bytes.count - 1] == 0x5A, fractionDigits >= 1,
                  let fraction = number(20, fractionDigits) else { return nil }
            var scaled = fraction
            if fractionDigits < 3 {
                for _ in fractionDigits..<3 { scaled *= 10 }
            } else {
                for _ in 3..<fractionDigits { scaled /= 10 }
            }
            milliseconds = scaled
        }
        let days = days(fromCivil: year, month: month, day: day)
        return ((days * 24 + hour) * 60 + minute) * 60_000 + second * 1000 + milliseconds
    }

    private static func daysIn(month: Int64, year: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
    private static func days(fromCivil year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date of a day since 1970-01-01 (`civil_from_days`).
    private static func civil(fromDays days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}
