import NIOCore

/// A receiver's deliveries waiting for the consumer, kept as the runs the engine reported
/// them in (`Event.deliveries`): taking whole runs moves them, with no copy per delivery.
struct DeliveryRuns {
    private var runs = CircularBuffer<[IncomingDelivery]>()
    /// How much of the first run has been taken already.
    private var taken = 0
    private(set) var count = 0

    var isEmpty: Bool { count == 0 }

    mutating func append(_ run: [IncomingDelivery]) {
        guard !run.isEmpty else { return }
        runs.append(run)
        count += run.count
    }

    /// Drops the deliveries that want an outcome (their link is gone: the peer sends them
    /// again), keeping the pre-settled ones.
    mutating func dropUnsettled() {
        var kept = CircularBuffer<[IncomingDelivery]>()
        var first = true
        count = 0
        for run in runs {
            let rest = (first ? run.dropFirst(taken) : run[...]).filter(\.settled)
            first = false
            if !rest.isEmpty {
                kept.append(rest)
                count += rest.count
            }
        }
        runs = kept
        taken = 0
    }

    /// Up to `max` deliveries, oldest first, as runs: whole runs as they are, part of one
    /// copied.
    mutating func take(_ max: Int) -> [[IncomingDelivery]] {
        var result: [[IncomingDelivery]] = []
        var wanted = min(max, count)
        count -= wanted
        while wanted > 0 {
            let available = runs[runs.startIndex].count - taken
            if taken == 0, available <= wanted {
                result.append(runs.removeFirst())
                wanted -= available
                continue
            }
            let end = taken + min(available, wanted)
            result.append(Array(runs[runs.startIndex][taken..<end]))
            wanted -= end - taken
            taken = end
            if taken == runs[runs.startIndex].count {
                runs.removeFirst()
                taken = 0
            }
        }
        return result
    }
}
