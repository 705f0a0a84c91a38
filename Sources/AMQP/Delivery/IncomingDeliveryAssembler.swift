import AMQPCore
import NIOCore

/// A complete delivery received on a link: its transfer fields and the message bytes.
public struct IncomingDelivery: Sendable, Hashable {
    public var deliveryID: UInt32
    public var deliveryTag: ByteBuffer
    public var messageFormat: UInt32
    /// Sent pre-settled: no disposition is expected.
    public var settled: Bool
    public var state: DeliveryState?
    /// The encoded message. For a delivery of one frame, a slice of that frame (no copy).
    public var payload: ByteBuffer
}

/// Puts a link's transfer frames back together into deliveries (spec 2.6.12-2.6.14): a
/// delivery of several frames (`more`), an aborted one (dropped), and the checks a receiver
/// owes the sender: continuation frames belong to the delivery in progress, the message fits
/// the link's max-message-size, and resumed deliveries (which this engine does not offer) are
/// refused.
public struct IncomingDeliveryAssembler: Sendable {
    public enum Outcome: Sendable, Hashable {
        /// More frames are needed.
        case incomplete
        case delivery(IncomingDelivery)
        /// The sender aborted the delivery in progress; its frames are dropped.
        case aborted(deliveryID: UInt32)
        /// Detach the link with this error.
        case violation(AMQPErrorCondition, String)
    }

    /// The largest message accepted (our max-message-size); nil: no limit.
    public var maxMessageSize: UInt64?
    private var inProgress: IncomingDelivery?

    public init(maxMessageSize: UInt64? = nil) {
        self.maxMessageSize = maxMessageSize
    }

    /// Whether a delivery has frames received but not its last one.
    public var isAssembling: Bool { inProgress != nil }

    public mutating func transferReceived(_ transfer: Transfer, payload: ByteBuffer) -> Outcome {
        if transfer.resume {
            inProgress = nil
            return .violation(.notImplemented, "resumed deliveries are not supported")
        }
        if var delivery = inProgress {
            if let id = transfer.deliveryID, id != delivery.deliveryID {
                inProgress = nil
                return .violation(.invalidField, "delivery \(id) interleaved with unfinished delivery \(delivery.deliveryID)")
            }
            if transfer.aborted {
                inProgress = nil
                return .aborted(deliveryID: delivery.deliveryID)
            }
            if let limit = maxMessageSize, UInt64(delivery.payload.readableBytes + payload.readableBytes) > limit {
                inProgress = nil
                return .violation(.messageSizeExceeded, "delivery \(delivery.deliveryID) exceeds \(limit) bytes")
            }
            delivery.payload.writeImmutableBuffer(payload)
            if transfer.settled == true { delivery.settled = true }
            if let state = transfer.state { delivery.state = state }
            guard !transfer.more else {
                inProgress = delivery
                return .incomplete
            }
            inProgress = nil
            return .delivery(delivery)
        }
        // The first frame of a delivery carries its id and tag (spec 2.7.5).
        guard let id = transfer.deliveryID, let tag = transfer.deliveryTag else {
            return .violation(.invalidField, "the first transfer of a delivery lacks delivery-id or delivery-tag")
        }
        guard tag.readableBytes <= 32 else {
            return .violation(.invalidField, "delivery-tag of \(tag.readableBytes) bytes (at most 32)")
        }
        if transfer.aborted { return .aborted(deliveryID: id) }
        if let limit = maxMessageSize, UInt64(payload.readableBytes) > limit {
            return .violation(.messageSizeExceeded, "delivery \(id) exceeds \(limit) bytes")
        }
        let delivery = IncomingDelivery(deliveryID: id, deliveryTag: tag, messageFormat: transfer.messageFormat ?? 0,
                                        settled: transfer.settled ?? false, state: transfer.state, payload: payload)
        guard transfer.more else { return .delivery(delivery) }
        // Later frames are appended: the message needs contiguous bytes.
        var started = delivery
        var copy = ByteBuffer()
        copy.reserveCapacity(payload.readableBytes * 2)
        copy.writeImmutableBuffer(payload)
        started.payload = copy
        inProgress = started
        return .incomplete
    }
}
