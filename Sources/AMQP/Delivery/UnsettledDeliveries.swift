import AMQPCore

/// The deliveries a link end has sent and the peer has not settled, by delivery-id, each
/// with what the caller keeps for it (a promise, a message to resend). Dispositions from the
/// peer (spec 2.7.6) settle or update ranges of them; ranges wrap around 2^32.
public struct UnsettledDeliveries<Pending: Sendable>: Sendable {
    private var pending: [UInt32: Pending] = [:]

    public init() {}

    public var count: Int { pending.count }
    public var isEmpty: Bool { pending.isEmpty }

    public mutating func sent(_ deliveryID: UInt32, _ value: Pending) {
        pending[deliveryID] = value
    }

    public func contains(_ deliveryID: UInt32) -> Bool { pending[deliveryID] != nil }

    /// Applies a disposition covering `first...last` (serial-number order). `body` sees each
    /// unsettled delivery in the range; settled ones are removed. Returns how many it saw.
    @discardableResult
    public mutating func dispositionReceived(
        first: UInt32, last: UInt32?, settled: Bool, _ body: (UInt32, Pending) -> Void
    ) -> Int {
        let last = last ?? first
        let span = UInt64(last &- first) + 1
        var seen = 0
        if span <= UInt64(pending.count) {
            var id = first
            for _ in 0..<span {
                if let value = pending[id] {
                    body(id, value)
                    if settled { pending[id] = nil }
                    seen += 1
                }
                id &+= 1
            }
        } else {
            // A range wider than what is unsettled: walk the deliveries instead of the range.
            for (id, value) in pending where id &- first <= last &- first {
                body(id, value)
                seen += 1
            }
            if settled { pending = pending.filter { $0.key &- first > last &- first } }
        }
        return seen
    }

    /// Removes and returns everything (the link or session ended).
    public mutating func removeAll() -> [UInt32: Pending] {
        defer { pending = [:] }
        return pending
    }
}

/// Settlements a receiver has decided but not yet sent, coalesced into as few dispositions as
/// possible: consecutive delivery-ids with the same outcome become one range (spec 2.7.6).
public struct DispositionBatch: Sendable {
    private var entries: [(id: UInt32, state: DeliveryState?, settled: Bool)] = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }

    public mutating func add(_ deliveryID: UInt32, state: DeliveryState?, settled: Bool) {
        entries.append((deliveryID, state, settled))
    }

    /// The dispositions to send, as `role` (receiver, or sender for sender-side settlement),
    /// in delivery-id order; empties the batch.
    public mutating func flush(role: Role) -> [Disposition] {
        guard !entries.isEmpty else { return [] }
        // Serial order: sort numerically, then start after the widest gap between neighbours
        // (counting the gap across 2^32), so that a run of ids across the wrap stays whole.
        // Settled in order (the usual case): no sort.
        if !zip(entries, entries.dropFirst()).allSatisfy({ $0.id <= $1.id }) { entries.sort { $0.id < $1.id } }
        var start = 0
        var widest = UInt64(entries[0].id) + (1 << 32) - UInt64(entries[entries.count - 1].id)
        for index in entries.indices.dropFirst() {
            let gap = UInt64(entries[index].id - entries[index - 1].id)
            if gap > widest {
                widest = gap
                start = index
            }
        }
        if start > 0 { entries = Array(entries[start...] + entries[..<start]) }
        var result: [Disposition] = []
        var first = entries[0]
        var previous = entries[0]
        for entry in entries.dropFirst() {
            if entry.id == previous.id &+ 1, entry.state == first.state, entry.settled == first.settled {
                previous = entry
                continue
            }
            result.append(Self.disposition(role: role, from: first, to: previous))
            first = entry
            previous = entry
        }
        result.append(Self.disposition(role: role, from: first, to: previous))
        entries.removeAll(keepingCapacity: true)
        return result
    }

    private static func disposition(role: Role, from start: (id: UInt32, state: DeliveryState?, settled: Bool),
                                    to end: (id: UInt32, state: DeliveryState?, settled: Bool)) -> Disposition {
        Disposition(role: role, first: start.id, last: end.id == start.id ? nil : end.id, settled: start.settled,
                    state: start.state)
    }
}
