import AMQPCore
import NIOCore

// What the connection actor keeps per session and per link while the application holds
// them: the tickets of the waits on the peer (the waits themselves are in the connection's
// `PendingWaits`) and the deliveries waiting for the consumer.
// Reference types, isolated to the connection actor (its event loop). The hot ones skip the
// run-time exclusivity check (`@exclusivity(unchecked)`): one thread touches them, in
// accesses that never overlap, and the checks cost about 5 % of a delivery's CPU.

final class SessionSlot {
    let key: UInt64
    /// Its channel now (a new one after reconnecting).
    var channel: UInt16
    /// What its begin asked for (repeated when reconnecting).
    let configuration: SessionConfiguration?
    var begin: WaitTicket?
    var end: WaitTicket?
    var begun = false
    /// Set once the session is gone (nil error: ended cleanly).
    var ended: AMQPClientError??

    init(key: UInt64, channel: UInt16, configuration: SessionConfiguration?) {
        self.key = key
        self.channel = channel
        self.configuration = configuration
    }
}

/// What a link's attach asked for: a re-attach (after a reconnect or a forced detach) asks
/// for the same.
struct AttachRequest {
    var name: String
    var role: Role
    var source: Source
    var target: Target
    var senderSettleMode: SenderSettleMode
    var receiverSettleMode: ReceiverSettleMode
    var prefetch: UInt32
    var maxMessageSize: UInt64?
    var properties: AMQPMap?
}

final class LinkSlot {
    let key: UInt64
    /// The engine's id while attached; nil once detached (or while re-attaching).
    var id: LinkID?
    let sessionKey: UInt64
    let request: AttachRequest
    var attach: WaitTicket?
    var detach: WaitTicket?
    var attached: AttachedLink?
    /// Set once the link is gone (nil error: detached cleanly).
    var detached: AMQPClientError??
    var sender: SenderSlot?
    var receiver: ReceiverSlot?

    init(key: UInt64, id: LinkID, sessionKey: UInt64, request: AttachRequest) {
        self.key = key
        self.id = id
        self.sessionKey = sessionKey
        self.request = request
    }
}

final class SenderSlot {
    /// Consecutive tags queued together by one batch's feed round: no per-message entry.
    struct BatchRange {
        let first: UInt64
        let count: Int
        /// The batch index of the message with tag `first`.
        let baseIndex: Int
        let queuedAt: NIODeadline
        let batch: BatchSend
        var settled = 0
    }

    let presettled: Bool
    /// The link's key in the connection.
    let key: UInt64
    /// Whether to keep each unsettled delivery's bytes, to send them again on a new link
    /// (with reconnection, for unsettled senders).
    let keepsBytes: Bool
    /// With `keepsBytes`: the bytes of every delivery not yet settled, by tag.
    @exclusivity(unchecked) var unsettledBytes: [UInt64: ByteBuffer] = [:]
    /// Our tag for each delivery the engine counts on the current link (its `sequence`):
    /// the first `resentTags.count` are the deliveries sent again after a re-attach, the
    /// rest count up from `resumeTag`. Before any re-attach, tag and sequence are the same.
    @exclusivity(unchecked) var resentTags: [UInt64] = []
    @exclusivity(unchecked) var resumeTag: UInt64 = 0
    @exclusivity(unchecked) var nextTag: UInt64 = 0
    /// By delivery tag: the wait for the outcome of a single send.
    @exclusivity(unchecked) var waiting: [UInt64: WaitTicket] = [:]
    /// Batch sends' tag ranges, in tag order (tags only grow). A range goes once all its
    /// deliveries are settled, so this does not tell which batches are still running.
    @exclusivity(unchecked) var batchRanges = CircularBuffer<BatchRange>()
    /// The batch sends not yet finished, whatever is in flight: a detach or the end of the
    /// connection finishes each of them (with its outcome, or with why).
    @exclusivity(unchecked) var batches: [ObjectIdentifier: BatchSend] = [:]

    /// Every tag `batch` queued (settled or not).
    func tags(of batch: BatchSend) -> [UInt64] {
        batchRanges.filter { $0.batch === batch }.flatMap { range in (0..<UInt64(range.count)).map { range.first &+ $0 } }
    }

    /// Forgets `batch`'s ranges: its remaining outcomes are no one's now.
    func dropRanges(of batch: BatchSend) {
        batchRanges.removeAll { $0.batch === batch }
    }

    /// The batch range holding `tag`, counted as settled once more; nil if none does.
    func settleInBatch(_ tag: UInt64) -> (range: BatchRange, index: Int)? {
        var low = batchRanges.startIndex
        var high = batchRanges.endIndex
        // The last range whose first tag is at most `tag`.
        while low < high {
            let middle = batchRanges.index(low, offsetBy: batchRanges.distance(from: low, to: high) / 2)
            if batchRanges[middle].first <= tag { low = batchRanges.index(after: middle) } else { high = middle }
        }
        guard low != batchRanges.startIndex else { return nil }
        let found = batchRanges.index(before: low)
        let range = batchRanges[found]
        guard tag &- range.first < UInt64(range.count) else { return nil }
        batchRanges[found].settled += 1
        let index = range.baseIndex + Int(tag &- range.first)
        while let head = batchRanges.first, head.settled == head.count { batchRanges.removeFirst() }
        return (range, index)
    }
    /// The whole credit the peer last granted.
    @exclusivity(unchecked) var credit: UInt32 = 0
    /// Delivery tags are 8-byte slices of a block holding 1,024 consecutive tags, written
    /// once (never written to again while slices of it are alive, so no copy-on-write): a
    /// tag costs no allocation of its own.
    @exclusivity(unchecked) private var tagBlock = ByteBuffer()
    @exclusivity(unchecked) private var tagBlockBase: UInt64 = 0

    /// The number an 8-byte tag of ours stands for; nil for any other tag.
    static func tagValue(_ tag: ByteBuffer) -> UInt64? {
        guard tag.readableBytes == 8 else { return nil }
        return tag.getInteger(at: tag.readerIndex, as: UInt64.self)
    }

    /// The 8-byte big-endian tag for `value`.
    func tag(_ value: UInt64) -> ByteBuffer {
        let offset = value &- tagBlockBase
        if tagBlock.readableBytes == 0 || offset >= 1024 {
            tagBlock = ByteBuffer()
            tagBlock.reserveCapacity(8 * 1024)
            for index in 0..<UInt64(1024) { tagBlock.writeInteger(value &+ index) }
            tagBlockBase = value
            return tagBlock.getSlice(at: tagBlock.readerIndex, length: 8)!
        }
        return tagBlock.getSlice(at: tagBlock.readerIndex + Int(offset) * 8, length: 8)!
    }

    init(presettled: Bool, key: UInt64, keepsBytes: Bool) {
        self.presettled = presettled
        self.key = key
        self.keepsBytes = keepsBytes && !presettled
    }

    /// Our tag for the delivery the engine counts as `sequence` on the current link.
    @inline(__always)
    func tag(forSequence sequence: UInt64) -> UInt64 {
        let resent = UInt64(resentTags.count)
        return sequence < resent ? resentTags[Int(sequence)] : resumeTag &+ (sequence &- resent)
    }
}

/// One `send(contentsOf:)`: keeps up to `window` deliveries in flight and collects outcomes.
final class BatchSend {
    let next: () -> ByteBuffer?
    let window: Int
    @exclusivity(unchecked) var continuation: CheckedContinuation<AMQPBatchOutcome, any Error>?
    /// Its wait in the connection's table (time limit and cancellation).
    @exclusivity(unchecked) var ticket: WaitTicket?
    @exclusivity(unchecked) var sent = 0
    @exclusivity(unchecked) var inFlight = 0
    @exclusivity(unchecked) var exhausted = false
    @exclusivity(unchecked) var outcome = AMQPBatchOutcome()
    /// Re-entrancy guard: outcomes reported while feeding ask for another round instead.
    @exclusivity(unchecked) var feeding = false
    @exclusivity(unchecked) var feedAgain = false
    /// Outcomes came in this batch of events: feed once when the batch is delivered.
    @exclusivity(unchecked) var feedPending = false
    /// With an observer: when each in-flight message was queued, by index.
    @exclusivity(unchecked) var observe: (@Sendable (AMQPSendReport) -> Void)?

    init(window: Int, next: @escaping () -> ByteBuffer?, continuation: CheckedContinuation<AMQPBatchOutcome, any Error>) {
        self.window = max(window, 1)
        self.next = next
        self.continuation = continuation
    }

    /// Ends the batch with `error` (once; later calls do nothing).
    func fail(_ error: AMQPClientError) {
        continuation?.resume(throwing: error)
        continuation = nil
    }

    /// Ends the batch with its outcome (once).
    func succeed() {
        continuation?.resume(returning: outcome)
        continuation = nil
    }
}

final class ReceiverSlot {
    @exclusivity(unchecked) var buffer = DeliveryRuns()
    /// Counts the links this receiver has had (it goes up on each re-attach): a delivery
    /// from an earlier one can no longer be settled.
    @exclusivity(unchecked) var epoch: UInt64 = 0
    /// The task waiting to receive, for at most `max` deliveries.
    @exclusivity(unchecked) var waiter: (max: Int, ticket: WaitTicket)?
    @exclusivity(unchecked) var drains: [WaitTicket] = []
    /// In `AMQPConnection.receiversToWake`.
    @exclusivity(unchecked) var wakePending = false
}
