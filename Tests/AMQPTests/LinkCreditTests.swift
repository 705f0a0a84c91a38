import AMQPCore
import Testing
@testable import AMQP

@Suite struct LinkCreditSequenceNumberTests {
    @Test func additionWrapsAtUInt32Max() {
        #expect(SequenceNumber(.max) + 1 == 0)
        #expect(SequenceNumber(.max - 2) + 5 == 2)
        var number = SequenceNumber(.max)
        number += 2
        #expect(number == 1)
    }

    @Test func distanceIsTheWrappingDifference() {
        #expect(SequenceNumber(.max - 1).distance(to: 2) == 4)
        #expect(SequenceNumber(2).distance(to: SequenceNumber(.max - 1)) == UInt32.max - 3)
        #expect(SequenceNumber(7).distance(to: 7) == 0)
    }

    @Test func orderFollowsRFC1982AcrossTheWrap() {
        #expect(SequenceNumber(5) < 6)
        #expect(!(SequenceNumber(6) < 5))
        #expect(!(SequenceNumber(5) < 5))
        #expect(SequenceNumber(.max) < 0)
        #expect(SequenceNumber(0) > SequenceNumber(.max))
        #expect(SequenceNumber(.max - 2) < 2)
    }

    @Test func numbersHalfTheRangeApartAreUnordered() {
        let a: SequenceNumber = 0
        let b = SequenceNumber(1 << 31)
        #expect(!(a < b))
        #expect(!(b < a))
        #expect(a != b)
        #expect(a < SequenceNumber((1 << 31) - 1))
        #expect(SequenceNumber((1 << 31) + 1) < a)
    }
}

@Suite struct LinkCreditSenderTests {
    @Test func refusesToSendWithoutCredit() {
        var sender = SenderCreditState(initialDeliveryCount: 0)
        #expect(sender.deliverySent() == false)
        #expect(sender.deliveryCount == 0)
        #expect(sender.flowReceived(deliveryCount: 0, linkCredit: 0, drain: false, echo: false) == .none)
        #expect(sender.deliverySent() == false)
    }

    @Test func sendsUpToTheGrantedCredit() {
        var sender = SenderCreditState(initialDeliveryCount: 10)
        #expect(sender.flowReceived(deliveryCount: 10, linkCredit: 3, drain: false, echo: false) == .creditAvailable(3))
        #expect(sender.deliverySent() == true)
        #expect(sender.deliverySent() == true)
        #expect(sender.deliverySent() == true)
        #expect(sender.deliverySent() == false)
        #expect(sender.deliveryCount == 13)
        #expect(sender.linkCredit == 0)
    }

    @Test func deliveriesInFlightUseUpTheReceiversCredit() {
        var sender = SenderCreditState(initialDeliveryCount: 10)
        _ = sender.flowReceived(deliveryCount: 10, linkCredit: 5, drain: false, echo: false)
        for _ in 0..<3 { #expect(sender.deliverySent() == true) }
        // The receiver has seen one of the three: 11 + 4 - 13.
        #expect(sender.flowReceived(deliveryCount: 11, linkCredit: 4, drain: false, echo: false) == .creditAvailable(2))
        // Below zero (11 + 1 - 13) is no credit.
        #expect(sender.flowReceived(deliveryCount: 11, linkCredit: 1, drain: false, echo: false) == .none)
        #expect(sender.linkCredit == 0)
    }

    @Test func missingDeliveryCountMeansOurInitialOne() {
        // RabbitMQ's first flow omits delivery-count (spec 2.6.7).
        var sender = SenderCreditState(initialDeliveryCount: 7)
        #expect(sender.flowReceived(deliveryCount: nil, linkCredit: 10, drain: false, echo: false) == .creditAvailable(10))
        #expect(sender.deliverySent() == true)
        #expect(sender.deliverySent() == true)
        // Still unknown to the receiver: 7 + 10 - 9.
        #expect(sender.flowReceived(deliveryCount: nil, linkCredit: 10, drain: false, echo: false) == .creditAvailable(8))
    }

    @Test func missingLinkCreditKeepsTheCredit() {
        var sender = SenderCreditState(initialDeliveryCount: 0)
        _ = sender.flowReceived(deliveryCount: 0, linkCredit: 4, drain: false, echo: false)
        #expect(sender.flowReceived(deliveryCount: nil, linkCredit: nil, drain: false, echo: false) == .creditAvailable(4))
    }

    @Test func echoSendsOurState() {
        var sender = SenderCreditState(initialDeliveryCount: 3, available: 9)
        #expect(sender.flowReceived(deliveryCount: 3, linkCredit: 0, drain: false, echo: true)
            == .sendFlow(LinkFlowState(deliveryCount: 3, linkCredit: 0, available: 9, drain: false)))
        // With credit, the echo reply also says sends may proceed.
        #expect(sender.flowReceived(deliveryCount: 3, linkCredit: 4, drain: false, echo: true)
            == .sendFlow(LinkFlowState(deliveryCount: 3, linkCredit: 4, available: 9, drain: false)))
    }

    @Test func drainWithNothingToSendAdvancesDeliveryCountAndReports() {
        var sender = SenderCreditState(initialDeliveryCount: 100)
        #expect(sender.flowReceived(deliveryCount: 100, linkCredit: 10, drain: true, echo: false)
            == .sendFlow(LinkFlowState(deliveryCount: 110, linkCredit: 0, available: 0, drain: true)))
        #expect(sender.deliveryCount == 110)
        #expect(sender.deliverySent() == false)
    }

    @Test func drainAfterTheQueueEmpties() {
        var sender = SenderCreditState(initialDeliveryCount: 0, available: 2)
        #expect(sender.flowReceived(deliveryCount: 0, linkCredit: 5, drain: true, echo: false) == .creditAvailable(5))
        #expect(sender.deliverySent() == true)
        #expect(sender.drainIfIdle(available: 1) == .none)
        #expect(sender.deliverySent() == true)
        #expect(sender.drainIfIdle(available: 0)
            == .sendFlow(LinkFlowState(deliveryCount: 5, linkCredit: 0, available: 0, drain: true)))
        #expect(sender.drainIfIdle(available: 0) == .none)
    }

    @Test func drainUsedUpByTransfersSendsNoFlow() {
        var sender = SenderCreditState(initialDeliveryCount: 0, available: 3)
        _ = sender.flowReceived(deliveryCount: 0, linkCredit: 3, drain: true, echo: false)
        for _ in 0..<3 { #expect(sender.deliverySent() == true) }
        #expect(sender.drainIfIdle(available: 0) == .none)
        #expect(sender.deliveryCount == 3)
    }

    @Test func noDrainWithoutTheReceiversFlag() {
        var sender = SenderCreditState(initialDeliveryCount: 0)
        _ = sender.flowReceived(deliveryCount: 0, linkCredit: 3, drain: false, echo: false)
        #expect(sender.drainIfIdle(available: 0) == .none)
        #expect(sender.linkCredit == 3)
    }

    @Test func deliveryCountWrapsAroundUInt32Max() {
        var sender = SenderCreditState(initialDeliveryCount: .max - 2)
        #expect(sender.flowReceived(deliveryCount: .max - 2, linkCredit: 5, drain: false, echo: false) == .creditAvailable(5))
        for _ in 0..<5 { #expect(sender.deliverySent() == true) }
        #expect(sender.deliverySent() == false)
        #expect(sender.deliveryCount == 2)
        // The receiver saw two of the five: limit (max - 2) + 2 + 4 = 3 (wrapped), less our 2.
        #expect(sender.flowReceived(deliveryCount: 0, linkCredit: 3, drain: false, echo: false) == .creditAvailable(1))
        #expect(sender.flowReceived(deliveryCount: 2, linkCredit: 5, drain: false, echo: false) == .creditAvailable(5))
    }

    @Test func creditFormulaDoesNotOverflow() {
        #expect(SenderCreditState.credit(receiverCount: 5, receiverCredit: .max, senderCount: 5) == .max)
        #expect(SenderCreditState.credit(receiverCount: 5, receiverCredit: .max, senderCount: 6) == UInt32.max - 1)
        // A receiver claiming to be ahead of us (out of spec): the formula, saturated.
        #expect(SenderCreditState.credit(receiverCount: 10, receiverCredit: 3, senderCount: 5) == 8)
        #expect(SenderCreditState.credit(receiverCount: 10, receiverCredit: .max, senderCount: 5) == .max)
    }
}

@Suite struct LinkCreditReceiverTests {
    @Test func newDeliveryWithoutCreditIsAViolation() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        #expect(receiver.linkAttached() == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .violation(condition: .transferLimitExceeded))
        #expect(receiver.deliveryCount == 0)
    }

    @Test func manualCredit() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 40, prefetch: 0)
        #expect(receiver.creditRequested(2, drain: false)
            == .sendFlow(LinkFlowState(deliveryCount: 40, linkCredit: 2, drain: false)))
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.deliveriesConsumed(2) == .none)
        #expect(receiver.deliveryCount == 42)
        #expect(receiver.transferReceived(more: false, aborted: false) == .violation(condition: .transferLimitExceeded))
    }

    @Test func prefetchGrantsAtAttachAndReplenishesAtHalfTheWindow() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 4)
        #expect(receiver.linkAttached() == .sendFlow(LinkFlowState(deliveryCount: 0, linkCredit: 4)))
        for _ in 0..<4 { #expect(receiver.transferReceived(more: false, aborted: false) == .none) }
        #expect(receiver.linkCredit == 0)
        // Three still waiting for the application: 0 + 3 > 4 / 2.
        #expect(receiver.deliveriesConsumed(1) == .none)
        // Two waiting: top up to the window, counting what is not consumed yet.
        #expect(receiver.deliveriesConsumed(1) == .sendFlow(LinkFlowState(deliveryCount: 4, linkCredit: 2)))
        #expect(receiver.deliveriesConsumed(2) == .sendFlow(LinkFlowState(deliveryCount: 4, linkCredit: 4)))
    }

    @Test func prefetchNeverGrantsMoreThanTheWindow() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 10)
        _ = receiver.linkAttached()
        // A slow consumer: deliveries arrive faster than they are taken.
        for round in 0..<50 {
            if receiver.linkCredit > 0 { _ = receiver.transferReceived(more: false, aborted: false) }
            if round.isMultiple(of: 3) { _ = receiver.deliveriesConsumed(1) }
            #expect(receiver.linkCredit + receiver.unconsumed <= 10)
        }
    }

    @Test func fastConsumerKeepsTheWindowOpen() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 4)
        _ = receiver.linkAttached()
        _ = receiver.transferReceived(more: false, aborted: false)
        #expect(receiver.deliveriesConsumed(1) == .none)
        _ = receiver.transferReceived(more: false, aborted: false)
        #expect(receiver.deliveriesConsumed(1) == .sendFlow(LinkFlowState(deliveryCount: 2, linkCredit: 4)))
    }

    @Test func multiFrameDeliveryTakesOneCreditAtItsFirstFrame() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        _ = receiver.creditRequested(1, drain: false)
        #expect(receiver.transferReceived(more: true, aborted: false) == .none)
        #expect(receiver.linkCredit == 0)
        #expect(receiver.deliveryCount == 1)
        // Continuation frames need no credit.
        #expect(receiver.transferReceived(more: true, aborted: false) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.deliveryCount == 1)
        #expect(receiver.transferReceived(more: true, aborted: false) == .violation(condition: .transferLimitExceeded))
    }

    @Test func abortedDeliveryKeepsItsCreditButFreesItsWindowPlace() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 1)
        _ = receiver.linkAttached()
        #expect(receiver.transferReceived(more: true, aborted: false) == .none)
        #expect(receiver.unconsumed == 1)
        // The abort does not give the credit back (delivery-count stays advanced), but the
        // application will never take it, so the window re-opens.
        #expect(receiver.transferReceived(more: false, aborted: true)
            == .sendFlow(LinkFlowState(deliveryCount: 1, linkCredit: 1)))
        #expect(receiver.unconsumed == 0)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.deliveryCount == 2)
    }

    @Test func abortedDeliveryWithManualCredit() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        _ = receiver.creditRequested(2, drain: false)
        _ = receiver.transferReceived(more: true, aborted: false)
        #expect(receiver.transferReceived(more: true, aborted: true) == .none)
        #expect(receiver.linkCredit == 1)
        #expect(receiver.deliveryCount == 1)
        // The next frame starts a new delivery.
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.linkCredit == 0)
    }

    @Test func drainCompletesWhenTheSenderAdvancesDeliveryCount() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        #expect(receiver.creditRequested(5, drain: true)
            == .sendFlow(LinkFlowState(deliveryCount: 0, linkCredit: 5, drain: true)))
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.flowReceived(deliveryCount: 5, available: 0) == .drainCompleted)
        #expect(receiver.flowState == LinkFlowState(deliveryCount: 5, linkCredit: 0, drain: false))
    }

    @Test func drainCompletesWhenTransfersUseUpTheCredit() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        _ = receiver.creditRequested(2, drain: true)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .drainCompleted)
        #expect(!receiver.drain)
        // The sender's later flow changes nothing.
        #expect(receiver.flowReceived(deliveryCount: 2, available: 0) == .none)
    }

    @Test func drainWithoutCreditIsNotLeftOutstanding() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        #expect(receiver.creditRequested(0, drain: true) == .sendFlow(LinkFlowState(deliveryCount: 0, linkCredit: 0, drain: false)))
        #expect(!receiver.drain)
    }

    @Test func noReplenishmentWhileDraining() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 4)
        _ = receiver.linkAttached()
        _ = receiver.creditRequested(4, drain: true)
        for _ in 0..<3 { _ = receiver.transferReceived(more: false, aborted: false) }
        #expect(receiver.deliveriesConsumed(3) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .drainCompleted)
        #expect(receiver.deliveriesConsumed(1) == .sendFlow(LinkFlowState(deliveryCount: 4, linkCredit: 4)))
    }

    @Test func flowUpdatesAvailableAndIgnoresACountBehindOurs() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 10, prefetch: 0)
        _ = receiver.creditRequested(3, drain: false)
        #expect(receiver.flowReceived(deliveryCount: 10, available: 1) == .none)
        #expect(receiver.available == 1)
        _ = receiver.transferReceived(more: false, aborted: false)
        _ = receiver.transferReceived(more: false, aborted: false)
        #expect(receiver.available == 0)
        #expect(receiver.flowReceived(deliveryCount: 11, available: nil) == .none)
        #expect(receiver.deliveryCount == 12)
        #expect(receiver.linkCredit == 1)
    }

    @Test func echoSendsOurState() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 3, prefetch: 2)
        _ = receiver.linkAttached()
        #expect(receiver.echoRequested() == .sendFlow(LinkFlowState(deliveryCount: 3, linkCredit: 2)))
    }

    @Test func deliveryCountWrapsAroundUInt32Max() {
        var receiver = ReceiverCreditState(initialDeliveryCount: .max - 2, prefetch: 0)
        _ = receiver.creditRequested(5, drain: true)
        for _ in 0..<4 { #expect(receiver.transferReceived(more: false, aborted: false) == .none) }
        #expect(receiver.deliveryCount == 1)
        #expect(receiver.transferReceived(more: false, aborted: false) == .drainCompleted)
        #expect(receiver.deliveryCount == 2)
        #expect(receiver.transferReceived(more: false, aborted: false) == .violation(condition: .transferLimitExceeded))
    }

    @Test func drainAdvanceAcrossTheWrap() {
        var receiver = ReceiverCreditState(initialDeliveryCount: .max - 1, prefetch: 0)
        _ = receiver.creditRequested(10, drain: true)
        _ = receiver.transferReceived(more: false, aborted: false)
        #expect(receiver.flowReceived(deliveryCount: 8, available: 0) == .drainCompleted)
        #expect(receiver.deliveryCount == 8)
    }
}

@Suite struct LinkCreditPairTests {
    /// Feeds a receiver's flow to a sender, as the session would.
    static func deliver(_ flow: LinkFlowState, to sender: inout SenderCreditState) -> SenderCreditState.Action {
        sender.flowReceived(deliveryCount: flow.deliveryCount.rawValue, linkCredit: flow.linkCredit, drain: flow.drain, echo: false)
    }

    @Test func prefetchAndDrainAcrossTheWrapKeepBothEndsInStep() {
        var sender = SenderCreditState(initialDeliveryCount: .max - 2, available: 7)
        var receiver = ReceiverCreditState(initialDeliveryCount: .max - 2, prefetch: 4)
        guard case .sendFlow(let grant) = receiver.linkAttached() else {
            Issue.record("expected the initial grant")
            return
        }
        #expect(Self.deliver(grant, to: &sender) == .creditAvailable(4))

        var sent = 0
        while sender.available > 0 {
            if sender.deliverySent() {
                sender.available -= 1
                sent += 1
                #expect(receiver.transferReceived(more: false, aborted: false) == .none)
            }
            if case .sendFlow(let flow) = receiver.deliveriesConsumed(1) {
                _ = Self.deliver(flow, to: &sender)
            }
            #expect(sender.linkCredit <= receiver.linkCredit)
        }
        #expect(sent == 7)
        #expect(sender.deliveryCount == receiver.deliveryCount)
        #expect(sender.deliveryCount == 4)

        // Drain the remaining credit: the idle sender gives it back.
        guard case .sendFlow(let drainRequest) = receiver.creditRequested(receiver.linkCredit, drain: true),
              case .sendFlow(let drained) = Self.deliver(drainRequest, to: &sender)
        else {
            Issue.record("expected a drain round trip")
            return
        }
        #expect(receiver.flowReceived(deliveryCount: drained.deliveryCount.rawValue, available: drained.available) == .drainCompleted)
        #expect(sender.deliveryCount == receiver.deliveryCount)
        #expect(sender.linkCredit == 0)
        #expect(receiver.linkCredit == 0)
    }
}

/// A sender that overshoots our credit a little (as RabbitMQ 3.10's plugin does) is
/// tolerated up to one prefetch window per grant; beyond that, or with manual credit, it is
/// a violation.
@Suite struct ReceiverOverdraftTests {
    @Test func overshootUpToOneWindowThenViolation() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 2)
        _ = receiver.linkAttached()
        #expect(receiver.linkCredit == 2)
        for _ in 0..<4 { #expect(receiver.transferReceived(more: false, aborted: false) != .violation(condition: .transferLimitExceeded)) }
        #expect(receiver.overdraft == 2)
        #expect(receiver.transferReceived(more: false, aborted: false) == .violation(condition: .transferLimitExceeded))
    }

    @Test func manualCreditIsStrict() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 0)
        _ = receiver.creditRequested(1, drain: false)
        #expect(receiver.transferReceived(more: false, aborted: false) == .none)
        #expect(receiver.transferReceived(more: false, aborted: false) == .violation(condition: .transferLimitExceeded))
    }

    @Test func aNewGrantResetsTheOverdraft() {
        var receiver = ReceiverCreditState(initialDeliveryCount: 0, prefetch: 2)
        _ = receiver.linkAttached()
        for _ in 0..<3 { _ = receiver.transferReceived(more: false, aborted: false) }
        #expect(receiver.overdraft == 1)
        _ = receiver.deliveriesConsumed(3)
        #expect(receiver.overdraft == 0)
        #expect(receiver.linkCredit == 2)
    }
}
