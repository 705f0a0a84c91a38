import AMQPCore
import Foundation
import Testing

@testable import AMQPBroker

@Suite("Filter input from and back to AMQP messages")
struct FilterInputMessageTests {
    static let message = AMQPMessage(
        properties: MessageProperties(messageID: .ulong(7), to: "orders", subject: "created", replyTo: "replies",
                                      correlationID: .uuid(AMQPUUID(high: 1, low: 2)), contentType: "application/json",
                                      groupID: "s-1", replyToGroupID: "rs-1"),
        applicationProperties: ["b": .long(1), "a": "x", .symbol("sym"): .boolean(true)],
        body: .value("hello"))

    @Test func systemAndApplicationProperties() {
        let input = FilterInput(message: Self.message, sequenceNumber: 3, deliveryCount: 1, size: 99)
        #expect(input.messageId == "7")
        #expect(input.correlationId == AMQPUUID(high: 1, low: 2).uuidString)
        #expect(input.label == "created")
        #expect(input.to == "orders")
        #expect(input.replyTo == "replies")
        #expect(input.sessionId == "s-1")
        #expect(input.replyToSessionId == "rs-1")
        #expect(input.contentType == "application/json")
        #expect(input.sequenceNumber == 3)
        #expect(input.size == 99)
        #expect(input.applicationProperties == ["b": .long(1), "a": "x", "sym": .boolean(true)])
    }

    @Test func actionChangesGoBackIntoTheMessage() throws {
        var message = Self.message
        let action = try SQLRuleAction(expression: "SET sys.Label = 'routed'; REMOVE a; SET z = 1; SET b = 2")
        message.apply(action.applied(to: FilterInput(message: message)))
        #expect(message.properties?.subject == "routed")
        #expect(message.properties?.messageID == .ulong(7))
        #expect(message.properties?.correlationID == .uuid(AMQPUUID(high: 1, low: 2)))
        #expect(message.applicationProperties?.entries.map(\.key) == ["b", .symbol("sym"), "z"])
        #expect(message.applicationProperties?[string: "b"] == .long(2))
        #expect(message.body == .value("hello"))
    }

    @Test func unchangedInputLeavesTheMessageAlone() {
        var message = Self.message
        message.apply(FilterInput(message: message))
        #expect(message == Self.message)
        var bare = AMQPMessage(body: .value("x"))
        bare.apply(FilterInput(message: bare))
        #expect(bare.properties == nil && bare.applicationProperties == nil)
    }
}
