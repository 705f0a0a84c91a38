import AMQPCore

/// The deliveries a link end has sent and the peer has not settled, by delivery-id, each
/// with what the caller keeps for it (a promise, a message to resend). Dispositions from the
/// peer (spec 2.7.6) settle or update ranges of them; ranges wrap around 2^32.
///
/// A session assigns delivery-ids in order, so they live in a `SerialWindow` (a ring, no
/// hashing) from the oldest unsettled id on. What does not fit — an id far ahead of the rest,
/// or one left unsettled while `windowLimit` later ids went by — moves to a dictionary, so a
/// peer skipping ids or a delivery held for ever costs memory for what is unsettled only.
public struct UnsettledDeliveries<Pending: Sendable>: Sendable {
    /// Most ids the window spans; older ones go to `overflow`.
    static var windowLimit: Int { 1 << 15 }
    /// Most empty ids filled in to keep a later one in the window.
    static var gapLimit: UInt32 { 64 }

    private var window = SerialWindow<Pending>()
    private var overflow: [UInt32: Pending] = [:]

    public init() {}

    public var count: Int { window.live + overflow.count }
    public var isEmpty: Bool { count == 0 }

    public mutating func sent(_ deliveryID: UInt32, _ value: Pending) {
        if !overflow.isEmpty, overflow.removeValue(forKey: deliveryID) != nil {
            overflow[deliveryID] = value
            return
        }
        if window.live == 0 { window.restart(at: deliveryID) }
        if let offset = window.offset(of: deliveryID) {
            window.replace(at: offset, with: value)
            return
        }
        let gap = deliveryID &- window.base &- UInt32(truncatingIfNeeded: window.span)
        guard gap <= Self.gapLimit else {
            overflow[deliveryID] = value
            return
        }
        for _ in 0..<gap { window.append(nil) }
        window.append(value)
        while window.span > Self.windowLimit {
            let id = window.base
            if let old = window.removeFirst() { overflow[id] = old }
        }
        window.trimFront()
    }

    public func contains(_ deliveryID: UInt32) -> Bool { value(deliveryID) != nil }

    private func value(_ deliveryID: UInt32) -> Pending? {
        if let offset = window.offset(of: deliveryID), let value = window[offset] { return value }
        return overflow.isEmpty ? nil : overflow[deliveryID]
    }

    /// Settles one delivery: removes and returns what was kept for it (nil if it was not
    /// unsettled).
    @discardableResult
    public mutating func remove(_ deliveryID: UInt32) -> Pending? {
        if let offset = window.offset(of: deliveryID), let value = window.replace(at: offset, with: nil) {
            window.trimFront()
            return value
        }
        return overflow.isEmpty ? nil : overflow.removeValue(forKey: deliveryID)
    }

    /// Applies a disposition covering `first...last` (serial-number order). `body` sees each
    /// unsettled delivery in the range; settled ones are removed. Returns how many it saw.
    @discardableResult
    public mutating func dispositionReceived(
        first: UInt32, last: UInt32?, settled: Bool, _ body: (UInt32, Pending) -> Void
    ) -> Int {
        let last = last ?? first
        let span = UInt64(last &- first) + 1
        var seen = 0
        if span <= UInt64(count) {
            var id = first
            for _ in 0..<span {
                if let value = settled ? remove(id) : value(id) {
                    body(id, value)
                    seen += 1
                }
                id &+= 1
            }
            return seen
        }
        // A range wider than what is unsettled: walk the deliveries instead of the range.
        let inRange = { (id: UInt32) in id &- first <= last &- first }
        var matched: [UInt32] = []
        for offset in 0..<window.span {
            let id = window.base &+ UInt32(truncatingIfNeeded: offset)
            if inRange(id), let value = window[offset] {
                body(id, value)
                matched.append(id)
            }
        }
        for (id, value) in overflow where inRange(id) {
            body(id, value)
            matched.append(id)
        }
        if settled { for id in matched { remove(id) } }
        return matched.count
    }

    /// Removes and returns everything (the link or session ended).
    public mutating func removeAll() -> [UInt32: Pending] {
        var all = overflow
        for offset in 0..<window.span {
            if let value = window[offset] { all[window.base &+ UInt32(truncatingIfNeeded: offset)] = value }
        }
        self = UnsettledDeliveries()
        return all
    }
}

/// Settlements a receiver has decided but not yet sent, coalesced into as few dispositions as
/// possible: consecutive delivery-ids with the same outcome become one range (spec 2.7.6).
public struct DispositionBatch: Sendable {
    /// Runs of consecutive ids with one outcome, as added (usually one run, in order).
    private var runs: [Run] = []

    private struct Run {
        var first: UInt32
        var last: UInt32
        var state: DeliveryState?
        var settled: Bool

        /// Whether `other` has the same outcome: accepted and pre-settled compared without
        /// comparing whole values (the common case, per delivery).
        func sameOutcome(_ state: DeliveryState?, _ settled: Bool) -> Bool {
            guard self.settled == settled else { return false }
            switch (self.state, state) {
            case (nil, nil), (.accepted?, .accepted?): return true
            default: return self.state == state
            }
        }
    }

    public init() {}

    public var isEmpty: Bool { runs.isEmpty }

    public mutating func add(_ deliveryID: UInt32, state: DeliveryState?, settled: Bool) {
        if let last = runs.indices.last, runs[last].last &+ 1 == deliveryID, runs[last].sameOutcome(state, settled) {
            runs[last].last = deliveryID
        } else {
            runs.append(Run(first: deliveryID, last: deliveryID, state: state, settled: settled))
        }
    }

    /// The dispositions to send, as `role` (receiver, or sender for sender-side settlement),
    /// in delivery-id order; empties the batch.
    public mutating func flush(role: Role) -> [Disposition] {
        guard !runs.isEmpty else { return [] }
        defer { runs.removeAll(keepingCapacity: true) }
        if runs.count == 1 { return [Self.disposition(role, runs[0])] }
        // Serial order: sort numerically, then start after the widest gap between neighbours
        // (counting the gap across 2^32), so that a run of ids across the wrap stays whole.
        if !zip(runs, runs.dropFirst()).allSatisfy({ $0.first <= $1.first }) { runs.sort { $0.first < $1.first } }
        var start = 0
        var widest = UInt64(runs[0].first &- runs[runs.count - 1].last)
        for index in runs.indices.dropFirst() {
            let gap = UInt64(runs[index].first &- runs[index - 1].last)
            if gap > widest {
                widest = gap
                start = index
            }
        }
        var result: [Disposition] = []
        var current = runs[start]
        for step in 1..<runs.count {
            let run = runs[(start + step) % runs.count]
            if current.last &+ 1 == run.first, current.sameOutcome(run.state, run.settled) {
                current.last = run.last
                continue
            }
            result.append(Self.disposition(role, current))
            current = run
        }
        result.append(Self.disposition(role, current))
        return result
    }

    private static func disposition(_ role: Role, _ run: Run) -> Disposition {
        Disposition(role: role, first: run.first, last: run.last == run.first ? nil : run.last, settled: run.settled,
                    state: run.state)
    }
}
