/// The member names of the objects being scanned, innermost object's on top, for finding a
/// repeated name (I-JSON, RFC 7493 §2.3) when an object closes.
///
/// Names are kept as offsets. The first 80 live in a temporary allocation (960 bytes: on the stack), so that a
/// usual payload is checked without allocating; more spill to an array. An object with up to
/// 8 names is checked pairwise, a larger one by sorting its names (O(n log n), so that a
/// hostile object with many names costs no more than its size); an object with an escaped
/// name compares decoded names.
struct JSONKeyStack {
    struct Key {
        var start: Int32
        var end: Int32
        var isEscaped: Bool
    }

    private var inline: UnsafeMutableBufferPointer<Key>
    private var spilled: [Key] = []
    private var isSpilled = false
    private(set) var count = 0
    private let isEnabled: Bool

    private init(inline: UnsafeMutableBufferPointer<Key>, isEnabled: Bool) {
        self.inline = inline
        self.isEnabled = isEnabled
    }

    /// A stack that records nothing (for skipping values already validated).
    static var disabled: JSONKeyStack {
        JSONKeyStack(inline: UnsafeMutableBufferPointer(start: nil, count: 0), isEnabled: false)
    }

    static let inlineCapacity = 80

    /// Runs `body` with a stack for scanning `byteCount` bytes.
    static func with<R>(
        capacityFor byteCount: Int, _ body: (inout JSONKeyStack) throws(OctopusEnvelopeError) -> R
    ) throws(OctopusEnvelopeError) -> R {
        // A name takes at least 4 bytes (`"":0` and a separator), so a short input never spills.
        let capacity = Swift.min(inlineCapacity, byteCount / 4 + 1)
        let result: Result<R, OctopusEnvelopeError> = withUnsafeTemporaryAllocation(of: Key.self, capacity: capacity) { buffer in
            var keys = JSONKeyStack(inline: buffer, isEnabled: true)
            return Result { () throws(OctopusEnvelopeError) -> R in try body(&keys) }
        }
        return try result.get()
    }

    @inline(__always)
    mutating func push(_ token: JSONStringToken) {
        guard isEnabled else { return }
        let key = Key(start: Int32(truncatingIfNeeded: token.start), end: Int32(truncatingIfNeeded: token.end),
                      isEscaped: token.isEscaped)
        if !isSpilled {
            if count < inline.count {
                inline[count] = key
                count &+= 1
                return
            }
            spilled.reserveCapacity(inline.count * 4)
            spilled.append(contentsOf: inline)
            isSpilled = true
        }
        spilled.append(key)
        count &+= 1
    }

    mutating func pop(to mark: Int) {
        guard isEnabled else { return }
        if isSpilled { spilled.removeLast(count - mark) }
        count = mark
    }

    /// The start of a name that repeats an earlier one among those pushed since `mark`
    /// (reordering them), or nil.
    mutating func firstRepeat(from mark: Int, in bytes: UnsafeRawBufferPointer) -> Int? {
        guard isEnabled, count - mark > 1 else { return nil }
        if isSpilled {
            return spilled.withUnsafeMutableBufferPointer { all in
                JSONKeyStack.findRepeat(in: UnsafeMutableBufferPointer(rebasing: all[mark...]), bytes: bytes)
            }
        }
        return JSONKeyStack.findRepeat(in: UnsafeMutableBufferPointer(rebasing: inline[mark..<count]), bytes: bytes)
    }

    private static func findRepeat(in segment: UnsafeMutableBufferPointer<Key>, bytes: UnsafeRawBufferPointer) -> Int? {
        var keys = segment
        var anyEscaped = false
        for key in keys where key.isEscaped { anyEscaped = true }
        if anyEscaped {
            var seen = Set<String>()
            for key in keys {
                let token = JSONStringToken(start: Int(key.start), end: Int(key.end), isEscaped: key.isEscaped, isASCII: false)
                if !seen.insert(JSONStrings.decode(token, in: bytes)).inserted { return Int(key.start) }
            }
            return nil
        }
        if keys.count <= 8 {
            for j in 1..<keys.count {
                for i in 0..<j where compare(keys[i], keys[j], in: bytes) == 0 { return Int(keys[j].start) }
            }
            return nil
        }
        keys.sort { compare($0, $1, in: bytes) < 0 }
        for i in 1..<keys.count where compare(keys[i - 1], keys[i], in: bytes) == 0 {
            return Int(max(keys[i - 1].start, keys[i].start))
        }
        return nil
    }

    /// Orders names by length, then bytes.
    @inline(__always)
    private static func compare(_ a: Key, _ b: Key, in bytes: UnsafeRawBufferPointer) -> Int {
        let lengthA = Int(a.end &- a.start), lengthB = Int(b.end &- b.start)
        if lengthA != lengthB { return lengthA < lengthB ? -1 : 1 }
        var i = 0
        let startA = Int(a.start), startB = Int(b.start)
        // Eight bytes at a time while they are equal.
        while i &+ 8 <= lengthA,
              bytes.loadUnaligned(fromByteOffset: startA &+ i, as: UInt64.self)
                == bytes.loadUnaligned(fromByteOffset: startB &+ i, as: UInt64.self) {
            i &+= 8
        }
        while i < lengthA {
            let x = bytes[startA &+ i], y = bytes[startB &+ i]
            if x != y { return x < y ? -1 : 1 }
            i &+= 1
        }
        return 0
    }
}
