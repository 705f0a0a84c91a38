import AMQPCore
import Foundation
import NIOCore

/// Lenient, typed reads from an application-properties or body map: keys match as strings or
/// symbols, integers of any AMQP width fit if in range, lists and arrays are both sequences.
/// Peers differ (the .NET SDK writes string keys and typed arrays, pyamqp sometimes symbols
/// and lists); what we write is always the .NET form.
struct ServiceBusFieldMap {
    var map: AMQPMap

    init(_ map: AMQPMap?) { self.map = map ?? AMQPMap() }

    /// The value under `key` as a string or symbol key; `.null` counts as absent.
    func value(_ key: String) -> AMQPValue? {
        let found = map[.string(key)] ?? map[.symbol(AMQPSymbol(key))]
        if case .null? = found { return nil }
        return found
    }

    func string(_ key: String) throws(ServiceBusMessageFormatError) -> String? {
        guard let value = value(key) else { return nil }
        guard let text = value.serviceBusString else { throw .invalid(key) }
        return text
    }

    func requiredString(_ key: String) throws(ServiceBusMessageFormatError) -> String {
        guard let text = try string(key) else { throw .missing(key) }
        return text
    }

    func integer(_ key: String) throws(ServiceBusMessageFormatError) -> Int64? {
        guard let value = value(key) else { return nil }
        guard let number = value.serviceBusInteger else { throw .invalid(key) }
        return number
    }

    func requiredInteger(_ key: String) throws(ServiceBusMessageFormatError) -> Int64 {
        guard let number = try integer(key) else { throw .missing(key) }
        return number
    }

    func requiredInt32(_ key: String) throws(ServiceBusMessageFormatError) -> Int32 {
        guard let number = Int32(exactly: try requiredInteger(key)) else { throw .invalid(key) }
        return number
    }

    func date(_ key: String) throws(ServiceBusMessageFormatError) -> Date? {
        guard let value = value(key) else { return nil }
        guard let date = value.serviceBusDate else { throw .invalid(key) }
        return date
    }

    func binary(_ key: String) throws(ServiceBusMessageFormatError) -> ByteBuffer? {
        guard let value = value(key) else { return nil }
        guard case .binary(let bytes) = value else { throw .invalid(key) }
        return bytes
    }

    func requiredBinary(_ key: String) throws(ServiceBusMessageFormatError) -> ByteBuffer {
        guard let bytes = try binary(key) else { throw .missing(key) }
        return bytes
    }

    func elements(_ key: String) throws(ServiceBusMessageFormatError) -> [AMQPValue]? {
        guard let value = value(key) else { return nil }
        guard let elements = value.serviceBusElements else { throw .invalid(key) }
        return elements
    }

    func requiredElements(_ key: String) throws(ServiceBusMessageFormatError) -> [AMQPValue] {
        guard let elements = try elements(key) else { throw .missing(key) }
        return elements
    }

    func integers(_ key: String) throws(ServiceBusMessageFormatError) -> [Int64] {
        var out: [Int64] = []
        for element in try requiredElements(key) {
            guard let number = element.serviceBusInteger else { throw .invalid(key) }
            out.append(number)
        }
        return out
    }

    func lockTokens(_ key: String) throws(ServiceBusMessageFormatError) -> [ServiceBusLockToken] {
        var out: [ServiceBusLockToken] = []
        for element in try requiredElements(key) {
            guard let token = element.serviceBusLockToken else { throw .invalid(key) }
            out.append(token)
        }
        return out
    }

    func maps(_ key: String) throws(ServiceBusMessageFormatError) -> [ServiceBusFieldMap] {
        var out: [ServiceBusFieldMap] = []
        for element in try requiredElements(key) {
            guard case .map(let map) = element else { throw .invalid(key) }
            out.append(ServiceBusFieldMap(map))
        }
        return out
    }
}

extension AMQPValue {
    var serviceBusString: String? {
        switch self {
        case .string(let text): return text
        case .symbol(let symbol): return symbol.rawValue
        default: return nil
        }
    }

    var serviceBusInteger: Int64? {
        switch self {
        case .byte(let v): return Int64(v)
        case .short(let v): return Int64(v)
        case .int(let v): return Int64(v)
        case .long(let v): return v
        case .ubyte(let v): return Int64(v)
        case .ushort(let v): return Int64(v)
        case .uint(let v): return Int64(v)
        case .ulong(let v): return Int64(exactly: v)
        default: return nil
        }
    }

    /// A timestamp; also whole or fractional seconds since 1970 (pyamqp sends CBS
    /// `expiration` as a number).
    var serviceBusDate: Date? {
        switch self {
        case .timestamp(let timestamp): return timestamp.date
        case .double(let seconds) where seconds.isFinite: return Date(timeIntervalSince1970: seconds)
        case .float(let seconds) where seconds.isFinite: return Date(timeIntervalSince1970: Double(seconds))
        default: return serviceBusInteger.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        }
    }

    var serviceBusElements: [AMQPValue]? {
        switch self {
        case .list(let elements): return elements
        case .array(let array): return array.elements
        default: return nil
        }
    }

    /// A lock token from a `uuid`, or from 16 binary bytes in RFC order.
    var serviceBusLockToken: ServiceBusLockToken? {
        switch self {
        case .uuid(let uuid): return ServiceBusLockToken(amqpUUID: uuid)
        case .binary(let bytes): return ServiceBusLockToken(rfcBytes: bytes.readableBytesView)
        default: return nil
        }
    }
}

extension AMQPTimestamp {
    /// The timestamp of `date`, to the millisecond, clamped to the representable range.
    init(date: Date) {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded()
        if !milliseconds.isFinite || milliseconds >= 9.2e18 {
            self.init(millisecondsSince1970: milliseconds < 0 ? Int64.min : Int64.max)
        } else if milliseconds <= -9.2e18 {
            self.init(millisecondsSince1970: Int64.min)
        } else {
            self.init(millisecondsSince1970: Int64(milliseconds))
        }
    }

    var date: Date { Date(timeIntervalSince1970: TimeInterval(millisecondsSince1970) / 1000) }
}

extension AMQPValue {
    /// An AMQP array of `elements`, all of `type` (as the .NET SDK writes them); a list if
    /// some element is not of that type (which our builders never produce).
    static func serviceBusArray(_ elements: [AMQPValue], of type: AMQPPrimitiveType) -> AMQPValue {
        guard let array = try? AMQPArray(elements, of: .primitive(type)) else { return .list(elements) }
        return .array(array)
    }
}
