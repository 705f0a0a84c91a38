import AMQPCore
import NIOCore
import Testing
@testable import AMQPBroker

@Suite("Broker sessions")
struct BrokerSessionTests {
    static let sessionQueue = #""Queues": [{"Name": "sq", "Properties": {"RequiresSession": true, "LockDuration": "PT30S"}}]"#

    @Test func sessionEntityRequiresSessions() throws {
        var state = try broker(Self.sessionQueue)
        do { try state.sendText("x", to: "sq"); Issue.record("accepted") } catch { #expect(error.code == .sessionIdRequired) }
        #expect(throws: BrokerError.self) { try state.attachReceiver(to: "sq", mode: .peekLock, now: at(0)) }
        var plain = try broker()
        #expect(throws: BrokerError.self) { try plain.attachReceiver(to: "q", mode: .peekLock, session: .id("a"), now: at(0)) }
    }

    @Test func acceptByIdIsExclusiveAndFIFOPerSession() throws {
        var state = try broker(Self.sessionQueue)
        for (text, session) in [("a1", "A"), ("b1", "B"), ("a2", "A"), ("b2", "B"), ("a3", "A")] {
            try state.sendText(text, to: "sq", session: session)
        }
        let attached = try state.attachReceiver(to: "sq", mode: .peekLock, session: .id("A"), now: at(0))
        #expect(attached.sessionID == "A" && attached.sessionLockedUntil == at(30))
        let deliveries = try state.addCredit(10, to: attached.id, now: at(0)).deliveries
        #expect(deliveries.map(bodyText) == ["a1", "a2", "a3"])
        do { _ = try state.attachReceiver(to: "sq", mode: .peekLock, session: .id("A"), now: at(1)); Issue.record("locked twice") } catch {
            #expect(error.code == .sessionCannotBeLocked)
        }
        let (_, b) = try state.receiver("sq", session: .id("B"), now: at(1))
        #expect(b.map(bodyText) == ["b1", "b2"])
    }

    @Test func nextAvailableSessionSkipsLockedAndEmptyOnes() throws {
        var state = try broker(Self.sessionQueue)
        try state.sendText("a", to: "sq", session: "A")
        try state.sendText("b", to: "sq", session: "B")
        let first = try state.attachReceiver(to: "sq", mode: .peekLock, session: .nextAvailable, now: at(0))
        #expect(first.sessionID == "A")
        let second = try state.attachReceiver(to: "sq", mode: .peekLock, session: .nextAvailable, now: at(0))
        #expect(second.sessionID == "B")
        do { _ = try state.attachReceiver(to: "sq", mode: .peekLock, session: .nextAvailable, now: at(0)); Issue.record("found one") } catch {
            #expect(error.code == .noSessionAvailable)
        }
        #expect(try state.messageSessions(at: "sq") == ["A", "B"])
    }

    @Test func sessionStateGetAndSet() throws {
        var state = try broker(Self.sessionQueue)
        try state.sendText("a", to: "sq", session: "A")
        #expect(throws: BrokerError.self) { try state.sessionState("A", at: "sq", now: at(0)) }
        let (id, _) = try state.receiver("sq", session: .id("A"))
        #expect(try state.sessionState("A", at: "sq", now: at(1)) == nil)
        try state.setSessionState(ByteBuffer(string: "step 2"), session: "A", at: "sq", now: at(1))
        #expect(try state.sessionState("A", at: "sq", now: at(2)) == ByteBuffer(string: "step 2"))
        var limits = BrokerLimits()
        limits.maxSessionStateBytes = 4
        var small = try broker(Self.sessionQueue, limits: limits)
        try small.sendText("a", to: "sq", session: "A")
        _ = try small.receiver("sq", session: .id("A"))
        #expect(throws: BrokerError.self) { try small.setSessionState(ByteBuffer(string: "too long"), session: "A", at: "sq", now: at(1)) }
        // State outlives the lock and the messages.
        _ = state.detachReceiver(id, now: at(3))
        let (again, deliveries) = try state.receiver("sq", session: .id("A"), now: at(4))
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: again, .complete, now: at(5))
        #expect(try state.sessionState("A", at: "sq", now: at(5)) == ByteBuffer(string: "step 2"))
        #expect(try state.messageSessions(at: "sq") == ["A"])
    }

    @Test func sessionLockExpiryReleasesSessionAndMessageLocks() throws {
        var state = try broker(Self.sessionQueue)
        try state.sendText("a", to: "sq", session: "A")
        let (id, deliveries) = try state.receiver("sq", session: .id("A"))
        let token = try #require(deliveries.first?.lockToken)
        #expect(state.nextDeadline == at(30))
        let actions = state.tick(now: at(30))
        #expect(actions.sessionLocksLost == [id])
        #expect(state.session(of: id) == nil)
        do { _ = try state.settle(token, receiver: id, .complete, now: at(31)); Issue.record("settled") } catch {
            #expect(error.code == .sessionLockLost)
        }
        let (_, again) = try state.receiver("sq", session: .nextAvailable, now: at(31))
        #expect(again.map(bodyText) == ["a"])
        #expect(again.first?.message.deliveryCount == 1)
    }

    @Test func renewSessionLock() throws {
        var state = try broker(Self.sessionQueue)
        try state.sendText("a", to: "sq", session: "A")
        let (id, _) = try state.receiver("sq", session: .id("A"))
        #expect(try state.renewSessionLock("A", at: "sq", now: at(20)) == at(50))
        #expect(state.tick(now: at(30)).sessionLocksLost.isEmpty)
        #expect(state.tick(now: at(50)).sessionLocksLost == [id])
        #expect(throws: BrokerError.self) { try state.renewSessionLock("A", at: "sq", now: at(51)) }
    }

    @Test func detachReleasesTheSession() throws {
        var state = try broker(Self.sessionQueue)
        try state.sendText("a", to: "sq", session: "A")
        let (id, _) = try state.receiver("sq", session: .id("A"))
        _ = state.detachReceiver(id, now: at(1))
        let (_, deliveries) = try state.receiver("sq", session: .id("A"), now: at(2))
        #expect(deliveries.map(bodyText) == ["a"])
    }

    @Test func newMessagesReachTheSessionHolder() throws {
        var state = try broker(#""Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Properties": {"RequiresSession": true}}]}]"#)
        let (id, _) = try state.receiver("t/Subscriptions/s", session: .id("X"))
        let deliveries = try state.send(payload("x", session: "X"), to: "t", now: at(1)).actions.deliveries
        #expect(deliveries.map(\.receiver) == [id])
        // No session id: the session subscription does not take it.
        _ = try state.send(payload("none"), to: "t", now: at(1))
        #expect(try state.messageCounts(at: "t/Subscriptions/s") == (0, 1, 0, 0))
    }
}
