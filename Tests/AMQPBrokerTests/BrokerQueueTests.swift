import AMQPCore
import NIOCore
import Testing
@testable import AMQPBroker

@Suite("Broker queues: FIFO, locks, settlement")
struct BrokerQueueTests {
    @Test func fifoWithMonotonicSequenceNumbers() throws {
        var state = try broker()
        var numbers: [Int64] = []
        for i in 0..<5 {
            guard case .accepted(let seq) = try state.sendText("m\(i)").outcome else { Issue.record("not accepted"); return }
            numbers.append(seq)
        }
        #expect(numbers == [1, 2, 3, 4, 5])
        let (_, deliveries) = try state.receiver(credit: 10)
        #expect(deliveries.map(bodyText) == ["m0", "m1", "m2", "m3", "m4"])
        #expect(deliveries.map(\.message.sequenceNumber) == [1, 2, 3, 4, 5])
        #expect(deliveries.allSatisfy { $0.lockToken != nil && $0.message.lockedUntil == at(60) })
    }

    @Test func sendToWaitingReceiverDeliversAtOnce() throws {
        var state = try broker()
        let (id, none) = try state.receiver(credit: 1)
        #expect(none.isEmpty)
        let result = try state.sendText("x")
        #expect(result.actions.deliveries.map(\.receiver) == [id])
        // Credit used up: the next message waits.
        #expect(try state.sendText("y").actions.deliveries.isEmpty)
    }

    @Test func competingConsumersRoundRobin() throws {
        var state = try broker()
        let (a, _) = try state.receiver(credit: 10)
        let (b, _) = try state.receiver(credit: 10)
        var got: [BrokerReceiverID] = []
        for i in 0..<4 { got += try state.sendText("m\(i)").actions.deliveries.compactMap(\.receiver) }
        #expect(got == [a, b, a, b])
    }

    @Test func completeRemoves() throws {
        var state = try broker()
        try state.sendText("a")
        let (id, deliveries) = try state.receiver()
        let token = try #require(deliveries.first?.lockToken)
        _ = try state.settle(token, receiver: id, .complete, now: at(1))
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).isEmpty)
        #expect(throws: BrokerError.lockLost) { try state.settle(token, receiver: id, .complete, now: at(1)) }
    }

    @Test func lockExpiryRedeliversWithCountUp() throws {
        var state = try broker()
        try state.sendText("a")
        try state.sendText("b")
        let (id, first) = try state.receiver(credit: 1)
        #expect(first.map(bodyText) == ["a"])
        #expect(state.nextDeadline == at(60))
        #expect(state.tick(now: at(59)).isEmpty)
        // The lock ends; credit is 0, so nothing is delivered, but "a" is first in line again.
        #expect(state.tick(now: at(60)).deliveries.isEmpty)
        let again = try state.addCredit(2, to: id, now: at(61)).deliveries
        #expect(again.map(bodyText) == ["a", "b"])
        #expect(again.map(\.message.deliveryCount) == [1, 0])
        let header = try AMQPMessageView(decoding: again[0].encoded()).header()
        #expect(header?.deliveryCount == 1)
        // The old token is dead.
        #expect(throws: BrokerError.lockLost) { try state.settle(try #require(first.first?.lockToken), receiver: id, .complete, now: at(61)) }
    }

    @Test func settlingAfterExpiryBeforeTickIsLockLost() throws {
        var state = try broker()
        try state.sendText("a")
        let (id, deliveries) = try state.receiver()
        let token = try #require(deliveries.first?.lockToken)
        #expect(throws: BrokerError.lockLost) { try state.settle(token, receiver: id, .complete, now: at(60)) }
        #expect(throws: BrokerError.lockLost) { try state.settle(AMQPUUID(high: 1, low: 2), receiver: id, .complete, now: at(1)) }
    }

    @Test func abandonReturnsToHeadWithModifiedProperties() throws {
        var state = try broker()
        try state.sendText("a")
        try state.sendText("b")
        let (id, deliveries) = try state.receiver(credit: 1)
        let token = try #require(deliveries.first?.lockToken)
        let redelivered = try state.settle(token, receiver: id, .abandon(propertiesToModify: ["reason": "retry"]), now: at(1))
        // Credit is spent (1 delivery): nothing yet.
        #expect(redelivered.deliveries.isEmpty)
        let next = try state.addCredit(1, to: id, now: at(2)).deliveries
        #expect(next.map(bodyText) == ["a"])
        #expect(next.first?.message.deliveryCount == 1)
        let properties = try AMQPMessageView(decoding: try #require(next.first).encoded()).applicationProperties()
        #expect(properties?[string: "reason"] == .string("retry"))
    }

    @Test func maxDeliveryCountDeadLetters() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"MaxDeliveryCount": 3}}]"#)
        try state.sendText("poison")
        let (id, _) = try state.receiver(credit: 0)
        for attempt in 0..<3 {
            let deliveries = try state.addCredit(1, to: id, now: at(Int64(attempt))).deliveries
            #expect(deliveries.first?.message.deliveryCount == UInt32(attempt))
            _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .abandon(), now: at(Int64(attempt)))
        }
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).isEmpty)
        let dead = try state.peek(at: "q/$DeadLetterQueue", fromSequenceNumber: 0, count: 10)
        #expect(dead.count == 1)
        #expect(dead.first?.applicationProperties[string: "DeadLetterReason"] == .string("MaxDeliveryCountExceeded"))
        #expect(dead.first.flatMap(bodyText) == "poison")
    }

    @Test func deadLetterWithReason() throws {
        var state = try broker()
        try state.sendText("bad", properties: ["keep": "me"])
        let (id, deliveries) = try state.receiver()
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id,
                             .deadLetter(reason: "Invalid", description: "cannot parse"), now: at(1))
        let (_, dead) = try state.receiver("q/$DeadLetterQueue", now: at(2))
        let delivery = try #require(dead.first)
        let view = try AMQPMessageView(decoding: delivery.encoded())
        let properties = try #require(try view.applicationProperties())
        #expect(properties[string: "DeadLetterReason"] == .string("Invalid"))
        #expect(properties[string: "DeadLetterErrorDescription"] == .string("cannot parse"))
        #expect(properties[string: "keep"] == .string("me"))
        // The rest of the bare message is unchanged.
        #expect(try view.properties() == (try AMQPMessageView(decoding: payload("bad", properties: ["keep": "me"])).properties()))
        #expect(view.data.map { String(buffer: $0) } == "bad")
    }

    @Test func renewExtendsTheLock() throws {
        var state = try broker()
        try state.sendText("a")
        let (id, deliveries) = try state.receiver()
        let token = try #require(deliveries.first?.lockToken)
        #expect(try state.renewLock(token, receiver: id, now: at(50)) == at(110))
        #expect(state.tick(now: at(100)).isEmpty)
        _ = try state.settle(token, receiver: id, .complete, now: at(105))
        #expect(throws: BrokerError.lockLost) { try state.renewLocks([token], at: "q", now: at(106)) }
    }

    @Test func receiveAndDeleteRemovesOnDelivery() throws {
        var state = try broker()
        try state.sendText("a")
        let (_, deliveries) = try state.receiver(mode: .receiveAndDelete)
        #expect(deliveries.count == 1 && deliveries[0].lockToken == nil)
        #expect(state.nextDeadline == nil)
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).isEmpty)
    }

    @Test func detachKeepsLocksUntilExpiryAndManagementCanSettle() throws {
        var state = try broker()
        try state.sendText("a")
        let (id, deliveries) = try state.receiver()
        let token = try #require(deliveries.first?.lockToken)
        _ = state.detachReceiver(id, now: at(1))
        _ = try state.settle(lockTokens: [token], at: "q", .complete, now: at(2))
        #expect(try state.messageCounts(at: "q") == (0, 0, 0, 0))
    }

    @Test func maxUnsettledCapsDeliveries() throws {
        var limits = BrokerLimits()
        limits.maxUnsettledPerReceiver = 2
        var state = try broker(limits: limits)
        for i in 0..<5 { try state.sendText("m\(i)") }
        let (id, deliveries) = try state.receiver(credit: 10)
        #expect(deliveries.count == 2)
        let more = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .complete, now: at(1))
        #expect(more.deliveries.map(bodyText) == ["m2"])
    }

    @Test func outgoingAnnotations() throws {
        var state = try broker()
        _ = try state.send(payload("a", annotations: [("x-custom", .string("kept")), ("x-opt-sequence-number", .long(99))]), to: "q", now: at(0))
        let (_, deliveries) = try state.receiver(now: at(1))
        let view = try AMQPMessageView(decoding: try #require(deliveries.first).encoded())
        let annotations = try #require(try view.messageAnnotations())
        #expect(annotations[symbol: "x-opt-sequence-number"] == .long(1))
        #expect(annotations[symbol: "x-opt-enqueued-time"] == .timestamp(at(0)))
        #expect(annotations[symbol: "x-opt-locked-until"] == .timestamp(at(61)))
        #expect(annotations[symbol: "x-opt-message-state"] == .int(0))
        #expect(annotations[symbol: "x-custom"] == .string("kept"))
        #expect(try view.deliveryAnnotations()?[symbol: "x-opt-lock-token"] == .uuid(try #require(deliveries.first?.lockToken)))
        // The bare message goes out byte for byte.
        let original = try AMQPMessageView(decoding: payload("a", annotations: [("x-custom", .string("kept")), ("x-opt-sequence-number", .long(99))]))
        #expect(view.bareMessage == original.bareMessage)
    }

    @Test func sizeAndQuotaLimits() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"MaxMessageSizeInKilobytes": 1, "MaxSizeInMegabytes": 1}}]"#)
        #expect(throws: BrokerError.self) { try state.sendText(String(repeating: "x", count: 2000)) }
        do { try state.sendText(String(repeating: "x", count: 2000)) } catch { #expect(error.code == .messageSizeExceeded) }
        var sent = 0
        do {
            for _ in 0..<2000 { try state.sendText(String(repeating: "y", count: 900)); sent += 1 }
            Issue.record("no quota")
        } catch {
            #expect(error.code == .quotaExceeded)
            #expect(error.condition == "amqp:resource-limit-exceeded")
        }
        #expect(sent > 500 && sent < 1200)
        var limits = BrokerLimits()
        limits.maxMessagesPerEntity = 3
        var small = try broker(limits: limits)
        for _ in 0..<3 { try small.sendText("a") }
        #expect(throws: BrokerError.self) { try small.sendText("a") }
    }

    @Test func badInputIsAnError() throws {
        var state = try broker()
        do { _ = try state.send(ByteBuffer(bytes: [1, 2, 3]), to: "q", now: at(0)); Issue.record("accepted") } catch { #expect(error.code == .invalidMessage) }
        do { _ = try state.send(payload(), to: "nope", now: at(0)); Issue.record("accepted") } catch { #expect(error.code == .notFound) }
        do { _ = try state.send(payload(), to: "q/$DeadLetterQueue", now: at(0)); Issue.record("accepted") } catch { #expect(error.code == .invalidOperation) }
        do { _ = try state.addCredit(1, to: BrokerReceiverID(rawValue: 999), now: at(0)); Issue.record("accepted") } catch { #expect(error.code == .unknownReceiver) }
        #expect(try state.resolve("Q") == .messages(.queue("q"), deadLetter: false))
        #expect(try state.resolve("amqps://host/q/$management") == .management(.queue("q")))
        #expect(try state.resolve("$cbs") == .cbs)
    }

    @Test func sendToAResolvedPathAndNamespaceChoice() throws {
        var state = try broker()
        guard case .messages(let path, _) = try state.resolve("/Q") else { Issue.record("not a queue"); return }
        #expect(try state.send(payload("a"), to: path, now: at(0)).outcome == .accepted(sequenceNumber: 1))
        #expect(throws: BrokerError.self) { try BrokerState(configuration: .default, namespace: "other") }
        #expect(try BrokerState(configuration: .default, namespace: "SBEMULATORNS").namespace.name == "sbemulatorns")
    }

    @Test func hugeCreditIsCappedNotWrapped() throws {
        var state = try broker()
        let (id, _) = try state.receiver(credit: Int.max)
        _ = try state.addCredit(Int.max, to: id, now: at(0))
        #expect(state.credit(of: id) == BrokerLimits.default.maxCreditPerReceiver)
    }

    @Test func duplicateHistoryIsPrunedByTick() throws {
        var state = try broker(#""Queues": [{"Name": "q", "Properties": {"RequiresDuplicateDetection": true, "DuplicateDetectionHistoryTimeWindow": "PT30S"}}]"#)
        try state.sendText("a", id: "x")
        let (_, deliveries) = try state.receiver(mode: .receiveAndDelete)
        #expect(deliveries.count == 1)
        #expect(state.nextDeadline == at(30))
        _ = state.tick(now: at(30))
        #expect(state.nextDeadline == nil)
        #expect(state.dedup["q"]?.count == 0)
    }

    @Test func aReceiverSettlesOnlyItsOwnDeliveries() throws {
        var state = try broker()
        try state.sendText("a")
        let (a, deliveries) = try state.receiver(credit: 1)
        let (b, _) = try state.receiver(credit: 1)
        let token = try #require(deliveries.first?.lockToken)
        #expect(throws: BrokerError.lockLost) { try state.settle(token, receiver: b, .complete, now: at(1)) }
        _ = try state.settle(token, receiver: a, .complete, now: at(1))
    }

    @Test func longSessionIDsAreRefused() throws {
        var state = try broker()
        do { try state.sendText("a", session: String(repeating: "s", count: 129)); Issue.record("accepted") } catch {
            #expect(error.code == .invalidMessage)
        }
    }
}
