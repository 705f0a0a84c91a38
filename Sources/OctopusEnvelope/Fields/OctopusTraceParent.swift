/// `activityId`: a W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/ §3.2),
/// `00-<trace-id: 32 hex>-<parent-id: 16 hex>-<trace-flags: 2 hex>`, lowercase hex, neither id
/// all zeros, version `ff` forbidden. A later version may append `-…` after the flags.
public struct OctopusTraceParent: Hashable, Sendable, CustomStringConvertible {
    public var version: UInt8
    /// The trace-id's first and last 8 bytes.
    public var traceIDHigh: UInt64
    public var traceIDLow: UInt64
    public var parentID: UInt64
    public var flags: UInt8

    /// Bit 0 of the flags: the caller may have recorded the trace.
    public var isSampled: Bool { flags & 1 == 1 }

    public init(traceIDHigh: UInt64, traceIDLow: UInt64, parentID: UInt64, flags: UInt8 = 1) {
        self.version = 0
        self.traceIDHigh = traceIDHigh
        self.traceIDLow = traceIDLow
        self.parentID = parentID
        self.flags = flags
    }

    /// Parses a traceparent; nil if it is not one (the version-00 fields of a later version
    /// are read, the rest ignored, as the spec asks).
    public init?(_ text: String) {
        var text = text
        guard let parsed = text.withUTF8({ OctopusTraceParent.parse(UnsafeRawBufferPointer($0)) }) else { return nil }
        self = parsed
    }

    /// A new trace: random ids, sampled.
    public static func random() -> OctopusTraceParent {
        var generator = SystemRandomNumberGenerator()
        return random(using: &generator)
    }

    public static func random<G: RandomNumberGenerator>(using generator: inout G) -> OctopusTraceParent {
        let high = generator.next()
        // Neither id may be all zeros.
        return OctopusTraceParent(traceIDHigh: high, traceIDLow: generator.next() | (high == 0 ? 1 : 0),
                                  parentID: generator.next() | 1)
    }

    /// The same trace with a new parent-id: what a step of the activity passes on.
    public func child<G: RandomNumberGenerator>(using generator: inout G) -> OctopusTraceParent {
        var copy = self
        copy.version = 0
        copy.parentID = generator.next() | 1
        return copy
    }

    public func child() -> OctopusTraceParent {
        var generator = SystemRandomNumberGenerator()
        return child(using: &generator)
    }

    /// The version-00 text (55 characters).
    public var description: String {
        var out = ""
        out.reserveCapacity(55)
        func hex(_ value: UInt64, _ digits: Int) {
            let text = String(value, radix: 16)
            out += String(repeating: "0", count: digits - text.count) + text
        }
        hex(0, 2); out += "-"; hex(traceIDHigh, 16); hex(traceIDLow, 16); out += "-"
        hex(parentID, 16); out += "-"; hex(UInt64(flags), 2)
        return out
    }

    static func parse(_ bytes: UnsafeRawBufferPointer) -> OctopusTraceParent? {
        guard bytes.count >= 55, bytes[2] == 0x2D, bytes[35] == 0x2D, bytes[52] == 0x2D,
              let version = hex(bytes, 0, 2), version != 0xFF,
              version == 0 ? bytes.count == 55 : (bytes.count == 55 || bytes[55] == 0x2D),
              let high = hex(bytes, 3, 16), let low = hex(bytes, 19, 16), high | low != 0,
              let parent = hex(bytes, 36, 16), parent != 0,
              let flags = hex(bytes, 53, 2)
        else { return nil }
        var value = OctopusTraceParent(traceIDHigh: high, traceIDLow: low, parentID: parent, flags: UInt8(flags))
        value.version = UInt8(version)
        return value
    }

    /// `count` lowercase hex digits at `offset`.
    private static func hex(_ bytes: UnsafeRawBufferPointer, _ offset: Int, _ count: Int) -> UInt64? {
        var value: UInt64 = 0
        for i in offset..<(offset + count) {
            let byte = bytes[i]
            let nibble: UInt8
            switch byte {
            case 0x30...0x39: nibble = byte - 0x30
            case 0x61...0x66: nibble = byte - 0x61 + 10
            default: return nil
            }
            value = value << 4 | UInt64(nibble)
        }
        return value
    }
}
