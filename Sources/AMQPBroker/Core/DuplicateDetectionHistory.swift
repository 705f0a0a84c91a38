import AMQPCore

/// The message-ids an entity saw within its duplicate-detection window, oldest first.
struct DuplicateDetectionHistory: Sendable {
    let window: Int64
    private(set) var seen: [AMQPMessageID: Int64] = [:]
    /// Insertion order (with a moving head) for pruning.
    private var order: [(id: AMQPMessageID, time: Int64)] = []
    private var head = 0

    init(window: Int64) { self.window = window }

    var count: Int { seen.count }

    /// Whether `id` was seen less than a window before `now`.
    func isDuplicate(_ id: AMQPMessageID, now: Int64) -> Bool {
        guard let time = seen[id] else { return false }
        return now - time < window
    }

    /// Remembers `id`, dropping the oldest entries beyond `capacity`.
    mutating func record(_ id: AMQPMessageID, now: Int64, capacity: Int) {
        seen[id] = now
        order.append((id, now))
        while seen.count > capacity, head < order.count {
            let oldest = order[head]
            head += 1
            if seen[oldest.id] == oldest.time { seen[oldest.id] = nil }
        }
        compact()
    }

    /// Forgets entries older than the window.
    mutating func prune(now: Int64) {
        while head < order.count, now - order[head].time >= window {
            let oldest = order[head]
            head += 1
            if seen[oldest.id] == oldest.time { seen[oldest.id] = nil }
        }
        compact()
    }

    /// When the oldest entry leaves the window.
    var nextDeadline: Int64? { head < order.count ? order[head].time + window : nil }

    private mutating func compact() {
        if head > 1024, head * 2 > order.count {
            order.removeFirst(head)
            head = 0
        }
    }
}
