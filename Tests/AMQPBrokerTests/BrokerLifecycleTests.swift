import AMQPCore
import NIOCore
import Testing
@testable import AMQPBroker

@Suite("Broker message lifecycle: defer, peek, schedule, duplicates, TTL")
struct BrokerLifecycleTests {
    @Test func deferThenReceiveBySequenceNumber() throws {
        var state = try broker()
        try state.sendText("later")
        try state.sendText("now")
        let (id, deliveries) = try state.receiver(credit: 1)
        let deferred = try #require(deliveries.first)
        _ = try state.settle(try #require(deferred.lockToken), receiver: id, .defer(), now: at(1))
        // The deferred message is not delivered again; the next one is.
        let next = try state.addCredit(5, to: id, now: at(2)).deliveries
        #expect(next.map(bodyText) == ["now"])
        let peeked = try state.peek(at: "q", fromSequenceNumber: 1, count: 1)
        #expect(peeked.first?.state == .deferred)
        // Only receive-by-sequence-number takes it, and locks it.
        let taken = try state.receiveDeferred([deferred.message.sequenceNumber], at: "q", mode: .peekLock, now: at(3)).deliveries
        #expect(taken.map(bodyText) == ["later"])
        #expect(taken.first?.receiver == nil)
        let token = try #require(taken.first?.lockToken)
        let annotations = try AMQPMessageView(decoding: taken[0].encoded()).messageAnnotations()
        #expect(annotations?[symbol: "x-opt-message-state"] == .int(1))
        // Locked now: a second take fails.
        #expect(throws: BrokerError.self) { try state.receiveDeferred([1], at: "q", mode: .peekLock, now: at(4)) }
        // Its lock expires: still deferred, count up.
        _ = state.tick(now: at(63))
        let again = try state.peek(at: "q", fromSequenceNumber: 1, count: 1)
        #expect(again.first?.state == .deferred && again.first?.deliveryCount == 1)
        #expect(throws: BrokerError.lockLost) { try state.settle(lockTokens: [token], at: "q", .complete, now: at(64)) }
        let last = try state.receiveDeferred([1], at: "q", mode: .peekLock, now: at(65)).deliveries
        _ = try state.settle(lockTokens: [try #require(last.first?.lockToken)], at: "q", .complete, now: at(66))
        #expect(try state.peek(at: "q", fromSequenceNumber: 1, count: 1).first?.sequenceNumber != 1)
        do { _ = try state.receiveDeferred([42], at: "q", mode: .peekLock, now: at(67)); Issue.record("found") } catch {
            #expect(error.code == .messageNotFound)
        }
    }

    @Test func peekShowsEveryStateInSequenceOrderWithoutLocking() throws {
        var state = try broker()
        try state.sendText("a")
        try state.sendText("b")
        try state.sendText("c", scheduledAt: at(100))
        let (id, deliveries) = try state.receiver(credit: 1)
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .defer(), now: at(1))
        _ = try state.addCredit(1, to: id, now: at(1))
        let all = try state.peek(at: "q", fromSequenceNumber: 0, count: 10)
        #expect(all.map(\.sequenceNumber) == [1, 2, 3])
        #expect(all.map(\.state) == [.deferred, .active, .scheduled])
        #expect(all.allSatisfy { $0.lockToken == nil })
        #expect(all[1].lockedUntil != nil)
        #expect(try state.peek(at: "q", fromSequenceNumber: 2, count: 1).map(\.sequenceNumber) == [2])
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 0).isEmpty)
    }

    @Test func scheduledMessagesActivateAtTheirTime() throws {
        var state = try broker()
        let (_, none) = try state.receiver(credit: 10)
        #expect(none.isEmpty)
        let sent = try state.sendText("future", scheduledAt: at(30))
        #expect(sent.actions.deliveries.isEmpty)
        #expect(state.nextDeadline == at(30))
        #expect(state.tick(now: at(29)).deliveries.isEmpty)
        let due = state.tick(now: at(30)).deliveries
        #expect(due.map(bodyText) == ["future"])
        #expect(due.first?.message.enqueuedTime == at(30))
    }

    @Test func scheduleCommandAndCancel() throws {
        var state = try broker()
        let (numbers, _) = try state.schedule([payload("one", scheduledAt: at(10)), payload("two", scheduledAt: at(20))], to: "q", now: at(0))
        #expect(numbers == [1, 2])
        try state.cancelScheduled([1], at: "q")
        do { try state.cancelScheduled([1], at: "q"); Issue.record("cancelled twice") } catch { #expect(error.code == .messageNotFound) }
        let (_, _) = try state.receiver(credit: 10)
        #expect(state.tick(now: at(10)).deliveries.isEmpty)
        #expect(state.tick(now: at(20)).deliveries.map(bodyText) == ["two"])
    }

    @Test func duplicateDetectionWithinAndAfterWindow() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"RequiresDuplicateDetection": true, "DuplicateDetectionHistoryTimeWindow": "PT20S"}}]"#)
        #expect(try state.sendText("a", now: at(0), id: "m1").outcome == .accepted(sequenceNumber: 1))
        #expect(try state.sendText("a", now: at(10), id: "m1").outcome == .duplicate)
        #expect(try state.sendText("b", now: at(10), id: "m2").outcome == .accepted(sequenceNumber: 2))
        #expect(try state.sendText("c", now: at(11)).outcome == .accepted(sequenceNumber: 3))
        #expect(try state.sendText("c", now: at(11)).outcome == .accepted(sequenceNumber: 4))
        _ = state.tick(now: at(20))
        #expect(try state.sendText("a", now: at(20), id: "m1").outcome == .accepted(sequenceNumber: 5))
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).count == 5)
        // Without detection, the same id is stored twice.
        var plain = try broker()
        #expect(try plain.sendText("a", id: "x").outcome == .accepted(sequenceNumber: 1))
        #expect(try plain.sendText("a", id: "x").outcome == .accepted(sequenceNumber: 2))
    }

    @Test func ttlExpiryDropsWithoutDeadLettering() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"DefaultMessageTimeToLive": "PT10S"}}]"#)
        try state.sendText("default ttl")
        try state.sendText("short", ttl: 2000)
        #expect(state.nextDeadline == at(2))
        _ = state.tick(now: at(2))
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).map(bodyText) == ["default ttl"])
        _ = state.tick(now: at(10))
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).isEmpty)
        #expect(try state.peek(at: "q/$DeadLetterQueue", fromSequenceNumber: 0, count: 10).isEmpty)
    }

    @Test func ttlExpiryDeadLettersWhenConfigured() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"DeadLetteringOnMessageExpiration": true, "DefaultMessageTimeToLive": "PT10S"}}]"#)
        try state.sendText("a", ttl: 60_000)
        _ = state.tick(now: at(10))
        let dead = try state.peek(at: "q/$DeadLetterQueue", fromSequenceNumber: 0, count: 10)
        #expect(dead.first?.applicationProperties[string: "DeadLetterReason"] == .string("TTLExpiredException"))
        // Dead-lettered messages do not expire.
        #expect(state.nextDeadline == nil)
    }

    @Test func lockedMessageExpiresWhenItsLockEnds() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"DefaultMessageTimeToLive": "PT10S", "DeadLetteringOnMessageExpiration": true}}]"#)
        try state.sendText("a")
        let (id, deliveries) = try state.receiver(credit: 1)
        _ = state.tick(now: at(10))
        // Still locked: settle works until the lock ends.
        #expect(try state.messageCounts(at: "q").locked == 1)
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .abandon(), now: at(11))
        #expect(try state.messageCounts(at: "q") == (0, 0, 0, 0))
        #expect(try state.messageCounts(at: "q/$DeadLetterQueue").active == 1)
    }

    @Test func expiredMessageIsNotDeliveredBeforeTheTick() throws {
        var state = try broker()
        try state.sendText("a", ttl: 1000)
        try state.sendText("b")
        let (_, deliveries) = try state.receiver(now: at(5))
        #expect(deliveries.map(bodyText) == ["b"])
    }

    @Test func forwardToMovesMessagesAndStopsLoops() throws {
        var state = try broker(#""Queues": [{"Name": "a", "Properties": {"ForwardTo": "b"}}, {"Name": "b"}, {"Name": "x", "Properties": {"ForwardTo": "y"}}, {"Name": "y", "Properties": {"ForwardTo": "x"}}]"#)
        try state.sendText("hop", to: "a")
        #expect(try state.peek(at: "a", fromSequenceNumber: 0, count: 10).isEmpty)
        #expect(try state.peek(at: "b", fromSequenceNumber: 0, count: 10).map(bodyText) == ["hop"])
        try state.sendText("loop", to: "x")
        let dead = try state.peek(at: "x/$DeadLetterQueue", fromSequenceNumber: 0, count: 10)
            + state.peek(at: "y/$DeadLetterQueue", fromSequenceNumber: 0, count: 10)
        #expect(dead.count == 1)
        #expect(dead.first?.applicationProperties[string: "DeadLetterReason"] == .string("TransferHopCountExceeded"))
    }

    @Test func forwardDeadLetteredMessages() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"ForwardDeadLetteredMessagesTo": "graveyard"}}, {"Name": "graveyard"}]"#)
        try state.sendText("bad")
        let (id, deliveries) = try state.receiver()
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .deadLetter(reason: "R", description: nil), now: at(1))
        #expect(try state.peek(at: "q/$DeadLetterQueue", fromSequenceNumber: 0, count: 10).isEmpty)
        let moved = try state.peek(at: "graveyard", fromSequenceNumber: 0, count: 10)
        #expect(moved.first?.deadLetterSource == "q")
        let annotations = try AMQPMessageView(decoding: try #require(moved.first).encodedForDelivery()).messageAnnotations()
        #expect(annotations?[symbol: "x-opt-deadletter-source"] == .string("q"))
    }

    @Test func journalRecordsMutations() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"RequiresDuplicateDetection": true}}]"#)
        state.isJournaling = true
        try state.sendText("a", id: "1")
        let (id, deliveries) = try state.receiver()
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .complete, now: at(1))
        let kinds = state.takeMutations().map { mutation -> String in
            switch mutation {
            case .enqueued: return "enqueued"
            case .removed: return "removed"
            case .updated: return "updated"
            case .duplicateDetectionRecorded: return "dedup"
            case .sessionStateSet: return "state"
            }
        }
        #expect(kinds == ["dedup", "enqueued", "updated", "removed"])
        #expect(state.takeMutations().isEmpty)
    }
}
