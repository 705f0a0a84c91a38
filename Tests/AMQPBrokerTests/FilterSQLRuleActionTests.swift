import AMQPCore
import Testing

@testable import AMQPBroker

@Suite("SQL rule actions")
struct FilterSQLRuleActionTests {
    static let message = FilterInput(
        messageId: "m-1", label: "Created", sequenceNumber: 7,
        applicationProperties: ["color": "red", "count": .int(5), "drop": .boolean(true)])

    @Test func setAndRemoveUserProperties() throws {
        let action = try SQLRuleAction(expression: "SET color = 'blue'; SET total = count * 2; REMOVE drop")
        let result = action.applied(to: Self.message)
        #expect(result.applicationProperties["color"] == "blue")
        #expect(result.applicationProperties["total"] == .long(10))
        #expect(result.applicationProperties["drop"] == nil)
        #expect(result.applicationProperties["count"] == .int(5))
        #expect(result.label == "Created")
    }

    @Test func statementsSeeEarlierChanges() throws {
        let action = try SQLRuleAction(expression: "set a = 1 set b = a + 1; SET user.[c d] = b * 10;")
        let result = action.applied(to: FilterInput())
        #expect(result.applicationProperties == ["a": .long(1), "b": .long(2), "c d": .long(20)])
    }

    @Test func setSystemProperties() throws {
        var message = Self.message
        try SQLRuleAction(expression: "SET sys.Label = 'Routed'; SET sys.To = count; SET sys.CorrelationId = count > 1")
            .apply(to: &message)
        #expect(message.label == "Routed")
        #expect(message.to == "5")
        #expect(message.correlationId == "true")
        try SQLRuleAction(expression: "REMOVE sys.Label; SET sys.MessageId = missing").apply(to: &message)
        #expect(message.label == nil)
        #expect(message.messageId == nil)
    }

    @Test func unknownValuesSetNull() throws {
        let result = try SQLRuleAction(expression: "SET x = missing + 1; SET y = missing = 1; SET z = 1.5")
            .applied(to: Self.message)
        #expect(result.applicationProperties["x"] == .null)
        #expect(result.applicationProperties["y"] == .null)
        #expect(result.applicationProperties["z"] == .double(1.5))
    }

    @Test(arguments: ["SET sys.SequenceNumber = 1", "REMOVE sys.EnqueuedTimeUtc", "SET sys.DeliveryCount = 0",
                      "remove SYS.SIZE"])
    func brokerPropertiesAreNotSettable(expression: String) {
        #expect(throws: SQLFilterError.self) { try SQLRuleAction(expression: expression) }
        do {
            _ = try SQLRuleAction(expression: expression)
        } catch {
            #expect(error.code == .notSettable)
        }
    }

    @Test(arguments: ["", ";", "SET", "SET a", "SET a 1", "SET a = ", "DELETE a", "REMOVE", "REMOVE 'a'",
                      "SET a = 1 REMOVE", "SET sys.Nope = 1", "SET a = (1", "a = 1"])
    func malformedActions(expression: String) {
        #expect(throws: SQLFilterError.self) { try SQLRuleAction(expression: expression) }
    }

    @Test func lengthIsCapped() {
        let long = "SET a = '" + String(repeating: "x", count: 1020) + "'"
        do {
            _ = try SQLRuleAction(expression: long)
            Issue.record("accepted \(long.count) characters")
        } catch {
            #expect(error.code == .tooLong)
        }
    }

    @Test func fuzzNeverTraps() {
        var generator = SplitMix64(seed: 0xAC71_0115)
        let alphabet = Array("SETREMOVEsys.Labeluser[]ab'=;+-*/()1 0.5NULLTRUEAND")
        for _ in 0..<3_000 {
            let length = Int(generator.next() % 40)
            let text = String((0..<length).map { _ in alphabet[Int(generator.next() % UInt64(alphabet.count))] })
            if let action = try? SQLRuleAction(expression: text) {
                _ = action.applied(to: Self.message)
            }
        }
    }
}
