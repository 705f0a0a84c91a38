import AMQPCore
import Testing
@testable import AMQP

@Suite struct LinkStateMachineTests {
    static let senderAttach = Attach(name: "s", handle: 0, role: .sender, sndSettleMode: .unsettled,
                                     source: Source(address: "local"), target: .target(Target(address: "queue")),
                                     initialDeliveryCount: 7, maxMessageSize: 1024)
    static let receiverAnswer = Attach(name: "s", handle: 4, role: .receiver, sndSettleMode: .mixed, rcvSettleMode: .second,
                                       source: Source(address: "local"), target: .target(Target(address: "queue")),
                                       maxMessageSize: 0)

    @Test func attachThenDetachBothWays() throws {
        var link = LinkStateMachine(attach: Self.senderAttach)
        #expect(link.attachRequested() == .sendAttach(Self.senderAttach))
        guard case .attached(let terms) = link.attachReceived(Self.receiverAnswer) else { Issue.record("not attached"); return }
        #expect(terms.senderSettleMode == .unsettled)
        #expect(terms.receiverSettleMode == .second)
        #expect(terms.initialDeliveryCount == 7)
        #expect(terms.outgoingMaxMessageSize == nil)
        #expect(terms.incomingMaxMessageSize == 1024)
        #expect(link.isAttached)
        #expect(link.detachRequested() == .sendDetach(Detach(handle: 0, closed: true)))
        #expect(link.detachReceived(Detach(handle: 4, closed: true)) == .released(nil))
    }

    @Test func peerDetachesFirst() {
        var link = LinkStateMachine(attach: Self.senderAttach)
        _ = link.attachRequested()
        _ = link.attachReceived(Self.receiverAnswer)
        let error = AMQPError(condition: .detachForced, errorDescription: "IdleTimerExpired")
        #expect(link.detachReceived(Detach(handle: 4, closed: false, error: error))
            == .sendDetachAndRelease(Detach(handle: 0, closed: false), AMQPLinkError(code: .detachedByPeer, error: error)))
    }

    @Test func refusalIsAnAttachWithoutTheTerminusThenADetach() {
        var link = LinkStateMachine(attach: Self.senderAttach)
        _ = link.attachRequested()
        var refusal = Self.receiverAnswer
        refusal.target = nil
        #expect(link.attachReceived(refusal) == .awaitingRefusal)
        let error = AMQPError(condition: .notFound, errorDescription: "no queue")
        #expect(link.detachReceived(Detach(handle: 4, closed: true, error: error))
            == .sendDetachAndRelease(Detach(handle: 0, closed: true), AMQPLinkError(code: .refused, error: error)))
    }

    @Test func sameRoleOnBothEndsIsInvalid() {
        var link = LinkStateMachine(attach: Self.senderAttach)
        _ = link.attachRequested()
        var wrong = Self.receiverAnswer
        wrong.role = .sender
        guard case .sendDetach(let detach) = link.attachReceived(wrong) else { Issue.record("expected detach"); return }
        #expect(detach.error?.condition == .invalidField)
        guard case .released(let reason) = link.detachReceived(Detach(handle: 4, closed: true)) else { Issue.record("expected release"); return }
        #expect(reason?.code == .protocolViolation)
    }

    @Test func linkViolationsDetachWithTheirCondition() {
        var link = LinkStateMachine(attach: Self.senderAttach)
        _ = link.attachRequested()
        _ = link.attachReceived(Self.receiverAnswer)
        guard case .sendDetach(let detach) = link.protocolViolated(.transferLimitExceeded, "no credit") else {
            Issue.record("expected detach")
            return
        }
        #expect(detach.closed)
        #expect(detach.error?.condition == .transferLimitExceeded)
        // Waiting for the peer's detach, nothing else is answered.
        #expect(link.attachReceived(Self.receiverAnswer) == .none)

        var twice = LinkStateMachine(attach: Self.senderAttach)
        _ = twice.attachRequested()
        _ = twice.attachReceived(Self.receiverAnswer)
        guard case .sendDetach(let again) = twice.attachReceived(Self.receiverAnswer) else { Issue.record("expected detach"); return }
        #expect(again.error?.condition == .illegalState)
    }
}
