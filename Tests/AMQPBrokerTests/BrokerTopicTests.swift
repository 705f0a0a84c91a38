import AMQPCore
import NIOCore
import Testing
@testable import AMQPBroker

@Suite("Broker topics: fan-out and rules")
struct BrokerTopicTests {
    static let topicConfig = #"""
    "Topics": [{"Name": "t", "Subscriptions": [
        {"Name": "all"},
        {"Name": "red", "Rules": [{"Name": "r", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {"Properties": {"color": "red"}}}}]},
        {"Name": "orders", "Rules": [
            {"Name": "o1", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {"Label": "order", "ContentType": "application/json"}}},
            {"Name": "o2", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {"CorrelationId": "vip", "Properties": {"n": 5}}}}]},
        {"Name": "none", "Rules": [{"Name": "f", "Properties": {"FilterType": "False"}}]}
    ]}]
    """#

    @Test func fanOutToMatchingSubscriptionsWithTheTopicsSequenceNumber() throws {
        var state = try broker(Self.topicConfig)
        #expect(try state.send(payload("plain"), to: "t", now: at(0)).outcome == .accepted(sequenceNumber: 1))
        #expect(try state.send(payload("red", properties: ["color": "red"]), to: "t", now: at(0)).outcome == .accepted(sequenceNumber: 2))
        _ = try state.send(payload("order", subject: "order", contentType: "application/json"), to: "t", now: at(0))
        _ = try state.send(payload("half order", subject: "order"), to: "t", now: at(0))
        _ = try state.send(payload("vip", correlationID: "vip", properties: ["n": .int(5)]), to: "t", now: at(0))
        _ = try state.send(payload("vip wrong n", correlationID: "vip", properties: ["n": .int(6)]), to: "t", now: at(0))
        func bodies(_ sub: String) throws -> [String?] {
            try state.peek(at: "t/Subscriptions/\(sub)", fromSequenceNumber: 0, count: 100).map(bodyText)
        }
        #expect(try bodies("all") == ["plain", "red", "order", "half order", "vip", "vip wrong n"])
        #expect(try bodies("red") == ["red"])
        #expect(try bodies("orders") == ["order", "vip"])
        #expect(try bodies("none").isEmpty)
        #expect(try state.peek(at: "t/Subscriptions/orders", fromSequenceNumber: 0, count: 10).map(\.sequenceNumber) == [3, 5])
    }

    @Test func subscriptionsAreIndependent() throws {
        var state = try broker(Self.topicConfig)
        let (allID, _) = try state.receiver("t/Subscriptions/all")
        let (redID, _) = try state.receiver("T/subscriptions/RED")
        let deliveries = try state.send(payload("red", properties: ["color": "red"]), to: "t", now: at(0)).actions.deliveries
        #expect(Set(deliveries.compactMap(\.receiver)) == [allID, redID])
        #expect(Set(deliveries.map(\.source)) == ["t/Subscriptions/all", "t/Subscriptions/red"])
        let red = try #require(deliveries.first { $0.receiver == redID })
        _ = try state.settle(try #require(red.lockToken), receiver: redID, .complete, now: at(1))
        #expect(try state.messageCounts(at: "t/Subscriptions/all").locked == 1)
        #expect(try state.messageCounts(at: "t/Subscriptions/red") == (0, 0, 0, 0))
    }

    @Test func topicsCannotBeReceivedFromAndHaveNoDeadLetterQueue() throws {
        var state = try broker(Self.topicConfig)
        #expect(throws: BrokerError.self) { try state.attachReceiver(to: "t", mode: .peekLock, now: at(0)) }
        #expect(throws: BrokerError.self) { try state.resolve("t/$DeadLetterQueue") }
        #expect(throws: BrokerError.self) { try state.send(payload(), to: "t/Subscriptions/all", now: at(0)) }
        #expect(try state.resolve("t/Subscriptions/all/$DeadLetterQueue") == .messages(.subscription("t", "all"), deadLetter: true))
    }

    @Test func scheduledTopicMessageFansOutAtItsTime() throws {
        var state = try broker(Self.topicConfig)
        let seq = try state.send(payload("later", scheduledAt: at(5)), to: "t", now: at(0)).outcome
        #expect(seq == .accepted(sequenceNumber: 1))
        #expect(try state.peek(at: "t/Subscriptions/all", fromSequenceNumber: 0, count: 10).isEmpty)
        _ = state.tick(now: at(5))
        #expect(try state.peek(at: "t/Subscriptions/all", fromSequenceNumber: 0, count: 10).map(\.sequenceNumber) == [1])
        // Cancel on the topic.
        _ = try state.send(payload("cancelled", scheduledAt: at(50)), to: "t", now: at(6))
        try state.cancelScheduled([2], at: "t")
        _ = state.tick(now: at(50))
        #expect(try state.peek(at: "t/Subscriptions/all", fromSequenceNumber: 0, count: 10).count == 1)
    }

    @Test func topicDuplicateDetection() throws {
        var state = try broker(#""Topics": [{"Name": "t", "Properties": {"RequiresDuplicateDetection": true}, "Subscriptions": [{"Name": "s"}]}]"#)
        #expect(try state.send(payload(id: "a"), to: "t", now: at(0)).outcome == .accepted(sequenceNumber: 1))
        #expect(try state.send(payload(id: "a"), to: "t", now: at(1)).outcome == .duplicate)
        #expect(try state.peek(at: "t/Subscriptions/s", fromSequenceNumber: 0, count: 10).count == 1)
    }

    @Test func subscriptionForwardsAndSubscriptionDeadLetters() throws {
        var state = try broker(#""Queues": [{"Name": "sink"}], "Topics": [{"Name": "t", "Subscriptions": [{"Name": "fwd", "Properties": {"ForwardTo": "sink"}}, {"Name": "s", "Properties": {"MaxDeliveryCount": 1}}]}]"#)
        _ = try state.send(payload("x"), to: "t", now: at(0))
        #expect(try state.peek(at: "sink", fromSequenceNumber: 0, count: 10).map(bodyText) == ["x"])
        let (id, deliveries) = try state.receiver("t/Subscriptions/s")
        _ = try state.settle(try #require(deliveries.first?.lockToken), receiver: id, .abandon(), now: at(1))
        let dead = try state.peek(at: "t/Subscriptions/s/$DeadLetterQueue", fromSequenceNumber: 0, count: 10)
        #expect(dead.first?.applicationProperties[string: "DeadLetterReason"] == .string("MaxDeliveryCountExceeded"))
    }

    @Test func sqlRulesBuildSQLFiltersOrUseAGivenFactory() throws {
        let json = #""Topics": [{"Name": "t", "Subscriptions": [{"Name": "s", "Rules": [{"Name": "q", "Properties": {"FilterType": "Sql", "SqlFilter": {"SqlExpression": "a = 1"}}}]}]}]"#
        var sql = try BrokerState(configuration: try config(json))
        _ = try sql.send(payload("one", properties: ["a": .int(1)]), to: "t", now: at(0))
        _ = try sql.send(payload("two", properties: ["a": .int(2)]), to: "t", now: at(0))
        #expect(try sql.peek(at: "t/Subscriptions/s", fromSequenceNumber: 0, count: 10).map(bodyText) == ["one"])
        struct SubjectIsA: MessageFilter { func matches(_ message: FilterInput) -> Bool { message.label == "a" } }
        var state = try BrokerState(configuration: try config(json), filterFactory: RuleFilters.factory(sql: { _ in SubjectIsA() }))
        _ = try state.send(payload("yes", subject: "a"), to: "t", now: at(0))
        _ = try state.send(payload("no", subject: "b"), to: "t", now: at(0))
        #expect(try state.peek(at: "t/Subscriptions/s", fromSequenceNumber: 0, count: 10).map(bodyText) == ["yes"])
    }

    @Test func correlationFilterFields() throws {
        let input = FilterInput(messageId: "m", correlationId: "c", label: "l", to: "t", replyTo: "r", replyToSessionId: "rs",
                                sessionId: "s", contentType: "ct", applicationProperties: ["p": .string("v"), "n": .ulong(7)])
        #expect(throws: CorrelationFilterError.self) { try CorrelationFilter(CorrelationFilterConfiguration()) }
        #expect(try CorrelationFilter(CorrelationFilterConfiguration(contentType: "ct", correlationId: "c", label: "l", messageId: "m", replyTo: "r",
                                                                 replyToSessionId: "rs", sessionId: "s", to: "t",
                                                                 properties: ["p": "v", "n": .long(7)])).matches(input))
        #expect(try !CorrelationFilter(CorrelationFilterConfiguration(to: "other")).matches(input))
        #expect(try !CorrelationFilter(CorrelationFilterConfiguration(label: "L")).matches(input))
        #expect(try !CorrelationFilter(CorrelationFilterConfiguration(properties: ["missing": "v"])).matches(input))
        #expect(try !CorrelationFilter(CorrelationFilterConfiguration(properties: ["n": .long(8)])).matches(input))
    }

    @Test func defaultConfigurationWorks() throws {
        var state = try BrokerState()
        _ = try state.send(payload("q"), to: "queue.1", now: at(0))
        _ = try state.send(payload("t"), to: "topic.1", now: at(0))
        #expect(try state.peek(at: "topic.1/Subscriptions/subscription.1", fromSequenceNumber: 0, count: 10).map(bodyText) == ["t"])
        #expect(state.sharedAccessPolicies(for: .queue("queue.1")) == [.rootManage])
    }

    @Test func rulesCanBeListedAddedAndRemoved() throws {
        var state = try broker(Self.topicConfig)
        #expect(try state.rules(of: "t/Subscriptions/all").map(\.name) == ["$Default"])
        try state.removeRule(named: "$default", from: "t/Subscriptions/all")
        _ = try state.send(payload("dropped"), to: "t", now: at(0))
        #expect(try state.peek(at: "t/Subscriptions/all", fromSequenceNumber: 0, count: 10).isEmpty)
        try state.addRule(RuleConfiguration(name: "blue", filter: .correlation(CorrelationFilterConfiguration(properties: ["color": "blue"]))),
                          to: "t/Subscriptions/all")
        #expect(throws: BrokerError.self) { try state.addRule(RuleConfiguration(name: "BLUE", filter: .true), to: "t/Subscriptions/all") }
        #expect(throws: BrokerError.self) { try state.addRule(RuleConfiguration(name: "x", filter: .sql(expression: "1 =")), to: "t/Subscriptions/all") }
        #expect(throws: BrokerError.self) { try state.removeRule(named: "nope", from: "t/Subscriptions/all") }
        #expect(throws: BrokerError.self) { try state.rules(of: "t") }
        _ = try state.send(payload("blue", properties: ["color": "blue"]), to: "t", now: at(1))
        #expect(try state.peek(at: "t/Subscriptions/all", fromSequenceNumber: 0, count: 10).map(bodyText) == ["blue"])
    }

    @Test func batchTransfersSplitIntoMessages() throws {
        let batch = AMQPMessage(body: .dataSections([payload("one"), payload("two")])).encoded()
        let parts = try BrokerMessage.batchMessages(in: batch)
        var state = try broker()
        for part in parts { _ = try state.send(part, to: "q", now: at(0)) }
        #expect(try state.peek(at: "q", fromSequenceNumber: 0, count: 10).map(bodyText) == ["one", "two"])
        #expect(throws: BrokerError.self) { try BrokerMessage.batchMessages(in: batch, limit: 1) }
        #expect(throws: BrokerError.self) { try BrokerMessage.batchMessages(in: AMQPMessage(body: .value("x")).encoded()) }
    }
}
