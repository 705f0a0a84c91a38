/// Values for a run of consecutive serial numbers `base ..< base + span` (delivery-ids, which
/// wrap around 2^32), oldest first, in a ring: the slot of an id is found by subtraction, not
/// by hashing. A slot may be empty (that id was settled, or never used).
struct SerialWindow<Value> {
    /// Capacity a power of two (the ring index is a mask); empty until the first append.
    private var slots: ContiguousArray<Value?> = []
    /// The slot of `base`.
    private var head = 0
    /// The first id in the window.
    private(set) var base: UInt32 = 0
    /// How many ids the window covers, empty slots included.
    private(set) var span = 0
    /// How many slots hold a value.
    private(set) var live = 0

    /// The position of `id` in the window, if it is inside.
    func offset(of id: UInt32) -> Int? {
        let distance = id &- base
        return UInt64(distance) < UInt64(span) ? Int(distance) : nil
    }

    subscript(offset: Int) -> Value? {
        slots[(head &+ offset) & (slots.count &- 1)]
    }

    /// Replaces the value at `offset` (inside the window), returning the old one.
    @discardableResult
    mutating func replace(at offset: Int, with value: Value?) -> Value? {
        let slot = (head &+ offset) & (slots.count &- 1)
        let old = slots[slot]
        slots[slot] = value
        live += (value == nil ? 0 : 1) - (old == nil ? 0 : 1)
        return old
    }

    /// Starts the window over at `base` (it must be empty of values).
    mutating func restart(at base: UInt32) {
        precondition(live == 0, "restarting a window that holds values")
        self.base = base
        head = 0
        span = 0
    }

    /// Adds the id `base + span` with `value`.
    mutating func append(_ value: Value?) {
        if span == slots.count { grow() }
        slots[(head &+ span) & (slots.count &- 1)] = value
        span += 1
        if value != nil { live += 1 }
    }

    /// Removes the first id (`base`), returning its value.
    mutating func removeFirst() -> Value? {
        precondition(span > 0, "removing from an empty window")
        let value = slots[head]
        slots[head] = nil
        head = (head &+ 1) & (slots.count &- 1)
        base &+= 1
        span -= 1
        if value != nil { live -= 1 }
        return value
    }

    /// Drops empty slots at the front, so the window starts at its oldest value.
    mutating func trimFront() {
        if live == 0 {
            // Every slot is empty already: start over without walking them.
            base &+= UInt32(truncatingIfNeeded: span)
            head = 0
            span = 0
            return
        }
        while span > 0, slots[head] == nil { _ = removeFirst() }
    }

    private mutating func grow() {
        var bigger = ContiguousArray<Value?>(repeating: nil, count: max(slots.count * 2, 16))
        for offset in 0..<span { bigger[offset] = self[offset] }
        slots = bigger
        head = 0
    }
}

extension SerialWindow: Sendable where Value: Sendable {}
