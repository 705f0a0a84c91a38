import AMQPCore

/// The receiving end of one link's flow control (spec 2.6.7): the credit we grant the sender,
/// and our view of its delivery-count. A pure value; the link handler performs the actions.
///
/// Credit is bounded by `prefetch`: credit granted plus deliveries received but not yet taken
/// by the application never exceeds it, so a slow consumer stops the sender (back-pressure).
/// With `prefetch == 0` credit is manual: only `creditRequested(_:drain:)` grants it.
public struct ReceiverCreditState: Hashable, Sendable {
    public enum Action: Hashable, Sendable {
        case none
        /// Send a flow with these link fields (a credit grant or a drain request).
        case sendFlow(LinkFlowState)
        /// The drain we requested is over: the sender has used up or given back all credit.
        case drainCompleted
        /// The sender broke flow control; detach the link with this condition.
        case violation(condition: AMQPErrorCondition)
    }

    /// Our view of the sender's delivery-count: its `initial-delivery-count`, plus one per
    /// delivery received, plus what its flows show it advanced by draining.
    public private(set) var deliveryCount: SequenceNumber
    /// Deliveries the sender may still start.
    public private(set) var linkCredit: UInt32 = 0
    /// The sender's last reported `available`, less deliveries received since (floor 0,
    /// spec 2.6.7: "the receiver MUST maintain a floor of zero").
    public private(set) var available: UInt32 = 0
    /// A drain we requested that has not completed yet.
    public private(set) var drain = false
    /// The credit window the consumer wants; 0 means manual credit.
    public var prefetch: UInt32
    /// Deliveries received (first frame seen, not aborted) that the application has not taken yet.
    public private(set) var unconsumed: UInt32 = 0
    /// The last transfer had `more` set: the next transfer continues that delivery.
    public private(set) var deliveryInProgress = false
    /// Deliveries a sender may start beyond the credit of our last grant before it is a
    /// violation. Some brokers overshoot a little while credit changes hands inside them
    /// (RabbitMQ 3.10's plugin, seen by 200+ at a grant of 500); tolerating up to one
    /// prefetch window keeps interop without letting a sender flood us (the buffer stays
    /// below twice the window, and the session window bounds it as well). 0 with manual credit.
    public var overdraftAllowance: UInt32
    /// Deliveries started beyond the credit since our last grant.
    public private(set) var overdraft: UInt32 = 0

    /// - Parameter initialDeliveryCount: the `initial-delivery-count` of the sender's attach.
    public init(initialDeliveryCount: UInt32, prefetch: UInt32) {
        self.deliveryCount = SequenceNumber(initialDeliveryCount)
        self.prefetch = prefetch
        self.overdraftAllowance = prefetch
    }

    /// Our link state as a flow would carry it (`available` is the sender's to report).
    public var flowState: LinkFlowState {
        LinkFlowState(deliveryCount: deliveryCount, linkCredit: linkCredit, drain: drain)
    }

    // MARK: Events

    /// Both attaches are exchanged: grant the first `prefetch` credit (none when manual).
    public mutating func linkAttached() -> Action {
        replenish()
    }

    /// A transfer frame arrived (spec 2.7.5).
    ///
    /// Credit counts deliveries, not frames: a delivery takes one credit and advances
    /// delivery-count at its *first* frame, which is also where "a new delivery while
    /// link-credit is 0" is detected (spec 2.6.7; detach with `amqp:link:transfer-limit-exceeded`).
    /// The first frame is where the sender spent its credit, so both ends' delivery-counts
    /// agree while a multi-frame delivery is in flight.
    ///
    /// An aborted delivery (spec 2.6.14) keeps the credit it took: the sender's delivery-count
    /// advanced when it began the delivery and only the sender may move it, so giving the
    /// credit back would put our count ahead of the sender's formula. It never reaches the
    /// application, so it frees its place in the prefetch window at once (which may grant
    /// credit again: otherwise a window of 1 would stall after an abort).
    public mutating func transferReceived(more: Bool, aborted: Bool) -> Action {
        let startsDelivery = !deliveryInProgress
        deliveryInProgress = more && !aborted
        if startsDelivery {
            if linkCredit > 0 {
                linkCredit -= 1
            } else if overdraft < overdraftAllowance && !drain {
                overdraft += 1
            } else {
                deliveryInProgress = false
                return .violation(condition: .transferLimitExceeded)
            }
            deliveryCount += 1
            available = available > 0 ? available - 1 : 0
            unconsumed = unconsumed == .max ? .max : unconsumed + 1
        }
        if aborted, unconsumed > 0 {
            unconsumed -= 1
        }
        let drained = completeDrainIfCreditUsedUp()
        guard drained == .none, aborted else { return drained }
        return replenish()
    }

    /// The application took `n` received deliveries; with a prefetch window, top the credit
    /// back up once credit plus untaken deliveries has fallen to half the window or less.
    /// No credit is added while a drain is outstanding.
    public mutating func deliveriesConsumed(_ n: Int) -> Action {
        let taken = UInt32(clamping: n)
        unconsumed = unconsumed > taken ? unconsumed - taken : 0
        return replenish()
    }

    /// Manual credit (spec 2.6.7): set link-credit to `credit` and, with `drain`, ask the
    /// sender to use it up or give it back. Link-credit is absolute, as on the wire. With
    /// `credit == 0` there is nothing to drain: the flow just stops the sender, and `drain`
    /// is not left outstanding.
    public mutating func creditRequested(_ credit: UInt32, drain: Bool) -> Action {
        linkCredit = credit
        overdraft = 0
        self.drain = drain && credit > 0
        return .sendFlow(flowState)
    }

    /// The sender sent a flow for this link (spec 2.7.4). Its delivery-count is authoritative:
    /// when it is ahead of ours, the sender advanced it by draining, and our credit shrinks by
    /// the same amount (`link-credit := delivery-limit - delivery-count(snd)`). Frames on a
    /// session are ordered, so a count behind ours is out of spec and ignored; so is a missing
    /// one (spec: the sender MUST set it).
    ///
    /// The sender's `drain` flag is only its echo of ours, so it is not an input: a drain is
    /// complete when our credit reaches 0. A flow with `echo` set: call `echoRequested()`.
    public mutating func flowReceived(deliveryCount: UInt32?, available: UInt32?) -> Action {
        if let available { self.available = available }
        if let deliveryCount {
            let advanced = self.deliveryCount.distance(to: SequenceNumber(deliveryCount))
            if advanced < SequenceNumber.halfRange {
                linkCredit = linkCredit > advanced ? linkCredit - advanced : 0
                self.deliveryCount = SequenceNumber(deliveryCount)
            }
        }
        return completeDrainIfCreditUsedUp()
    }

    /// The sender's flow had `echo` set (spec 2.7.4): send our link state.
    public mutating func echoRequested() -> Action {
        .sendFlow(flowState)
    }

    // MARK: Helpers

    private mutating func completeDrainIfCreditUsedUp() -> Action {
        guard drain, linkCredit == 0 else { return .none }
        drain = false
        return .drainCompleted
    }

    private mutating func replenish() -> Action {
        guard prefetch > 0, !drain else { return .none }
        let outstanding = linkCredit.addingReportingOverflow(unconsumed)
        guard !outstanding.overflow, outstanding.partialValue <= prefetch / 2 else { return .none }
        let window = prefetch > unconsumed ? prefetch - unconsumed : 0
        guard window > linkCredit else { return .none }
        linkCredit = window
        overdraft = 0
        return .sendFlow(flowState)
    }
}
