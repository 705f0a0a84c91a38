import AMQPCore

/// The sending end of one link's flow control (spec 2.6.7): how many deliveries the receiver
/// has allowed us to send. A pure value; the link handler performs the returned actions.
///
/// The caller calls `deliverySent()` once per delivery, before writing its first transfer,
/// and must not send when it returns `false`.
public struct SenderCreditState: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case none
        /// `link-credit` is now this (> 0): send up to that many queued deliveries.
        case creditAvailable(UInt32)
        /// Send a flow with these link fields: the reply to `echo`, or the report of a drain
        /// (spec 2.6.7). When its `linkCredit` is above 0, queued deliveries may be sent too.
        case sendFlow(LinkFlowState)
    }

    /// The delivery-count our attach announced (`initial-delivery-count`, spec 2.7.3).
    public let initialDeliveryCount: SequenceNumber
    /// spec 2.6.7: "incremented whenever a message is sent"; only the sender changes it.
    public private(set) var deliveryCount: SequenceNumber
    /// How many more deliveries the receiver allows, per the formula in `flowReceived`.
    public private(set) var linkCredit: UInt32 = 0
    /// Deliveries waiting for credit. The owner keeps this current (its queue length); it is
    /// reported in our flows and decides whether a drain can complete at once.
    public var available: UInt32
    /// The receiver's last `drain` flag (spec 2.6.7: "only the receiver can independently
    /// modify this field").
    public private(set) var drain = false

    public init(initialDeliveryCount: UInt32, available: UInt32 = 0) {
        self.initialDeliveryCount = SequenceNumber(initialDeliveryCount)
        self.deliveryCount = self.initialDeliveryCount
        self.available = available
    }

    /// Our link state as a flow would carry it.
    public var flowState: LinkFlowState {
        LinkFlowState(deliveryCount: deliveryCount, linkCredit: linkCredit, available: available, drain: drain)
    }

    // MARK: Events

    /// The receiver sent a flow for this link (spec 2.7.4).
    ///
    /// spec 2.6.7: `link-credit(snd) := delivery-count(rcv) + link-credit(rcv) - delivery-count(snd)`.
    /// "In the event that the receiver does not yet know the delivery-count, i.e.,
    /// delivery-count(rcv) is unspecified, the sender MUST assume that the delivery-count(rcv)
    /// is the first delivery-count(snd) sent from sender to receiver" — a `nil` `deliveryCount`
    /// uses our `initialDeliveryCount` (RabbitMQ omits it in its first flow).
    ///
    /// A result below zero (deliveries in flight that the receiver had not yet seen use up its
    /// credit) is 0. A `nil` `linkCredit` leaves the credit as it was.
    ///
    /// With `drain` set, credit left over and nothing `available`, the drain completes at once:
    /// delivery-count advances by the credit, credit becomes 0 and the new state is sent back.
    /// With credit left and deliveries queued, the caller sends them and then calls
    /// `drainIfIdle(available:)`.
    public mutating func flowReceived(deliveryCount: UInt32?, linkCredit: UInt32?, drain: Bool, echo: Bool) -> Action {
        self.drain = drain
        if let receiverCredit = linkCredit {
            let receiverCount = deliveryCount.map { SequenceNumber($0) } ?? initialDeliveryCount
            self.linkCredit = Self.credit(receiverCount: receiverCount, receiverCredit: receiverCredit, senderCount: self.deliveryCount)
        }
        if drain, available == 0, self.linkCredit > 0 {
            consumeAllCredit()
            return .sendFlow(flowState)
        }
        if echo { return .sendFlow(flowState) }
        return self.linkCredit > 0 ? .creditAvailable(self.linkCredit) : .none
    }

    /// The caller is about to send a new delivery (its first transfer frame). Consumes one
    /// credit and advances delivery-count (spec 2.6.7). Returns `false` and changes nothing
    /// when there is no credit: the delivery must then not be sent.
    public mutating func deliverySent() -> Bool {
        guard linkCredit > 0 else { return false }
        linkCredit -= 1
        deliveryCount += 1
        return true
    }

    /// The sender's queue changed to `available` deliveries; when a drain is requested and
    /// nothing is left to send, complete it: spec 2.6.7, "the sender will (after sending all
    /// available messages) advance the delivery-count as much as possible, consuming all
    /// link-credit, and send the flow state to the receiver."
    ///
    /// With no credit left (the transfers consumed it) nothing needs to be sent: the receiver
    /// sees its credit run out with the last transfer.
    public mutating func drainIfIdle(available: UInt32) -> Action {
        self.available = available
        guard drain, available == 0, linkCredit > 0 else { return .none }
        consumeAllCredit()
        return .sendFlow(flowState)
    }

    // MARK: Helpers

    private mutating func consumeAllCredit() {
        deliveryCount += linkCredit
        linkCredit = 0
    }

    /// The spec 2.6.7 formula without overflow: the receiver's count normally trails ours by
    /// the deliveries in flight, which use up its credit. A receiver claiming to be ahead of
    /// us is out of spec; the formula is still applied, saturating at `UInt32.max`.
    static func credit(receiverCount: SequenceNumber, receiverCredit: UInt32, senderCount: SequenceNumber) -> UInt32 {
        let inFlight = receiverCount.distance(to: senderCount)
        if inFlight < SequenceNumber.halfRange {
            return receiverCredit > inFlight ? receiverCredit - inFlight : 0
        }
        let (sum, overflow) = receiverCredit.addingReportingOverflow(senderCount.distance(to: receiverCount))
        return overflow ? .max : sum
    }
}
