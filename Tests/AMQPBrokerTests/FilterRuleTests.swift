import AMQPCore
import Foundation
import Testing

@testable import AMQPBroker

@Suite("Subscription rules")
struct FilterRuleTests {
    @Test func ruleFiltersAndActions() throws {
        let input = FilterInput(label: "a", applicationProperties: ["n": .long(1)])
        #expect(SubscriptionRule.default.evaluate(input) == input)
        #expect(SubscriptionRule(name: "none", filter: .false).evaluate(input) == nil)
        let sql = SubscriptionRule(name: "sql", filter: .sql(try SQLFilter(expression: "n = 1")),
                                   action: try SQLRuleAction(expression: "SET sys.Label = 'b'"))
        #expect(sql.evaluate(input)?.label == "b")
        let correlation = SubscriptionRule(name: "c", filter: .correlation(try CorrelationFilter(label: "x")))
        #expect(correlation.evaluate(input) == nil)
        #expect(RuleFilter.true.matches(FilterInput()))
    }
}

@Suite("Rules from management descriptions")
struct FilterRuleDescriptionTests {
    @Test func sqlFilterWithAction() throws {
        let description: AMQPValue = .map([
            "sql-filter": .map(["expression": "color = 'red'", "compatibility-level": .int(20)]),
            "sql-rule-action": .map(["expression": "SET sys.Label = 'red'"]),
        ])
        let rule = try SubscriptionRule(name: "reds", managementDescription: description)
        let out = rule.evaluate(FilterInput(applicationProperties: ["color": "red"]))
        #expect(out?.label == "red")
        #expect(rule.evaluate(FilterInput(applicationProperties: ["color": "blue"])) == nil)
    }

    @Test func correlationFilterAsClientsSendIt() throws {
        // As the JavaScript SDK sends it: every key present, unset ones null.
        let description: AMQPValue = .map([
            .symbol("correlation-filter"): .map([
                "correlation-id": "order-1", "message-id": .null, "to": .null, "reply-to": .null, "label": .null,
                "session-id": .null, "reply-to-session-id": .null, "content-type": .null,
                "properties": .map(["region": "eu"]),
            ]),
            "sql-rule-action": .null,
        ])
        let rule = try SubscriptionRule(name: "c", managementDescription: description)
        #expect(rule.action == nil)
        #expect(rule.evaluate(FilterInput(correlationId: "order-1", applicationProperties: ["region": "eu"])) != nil)
        #expect(rule.evaluate(FilterInput(correlationId: "order-1")) == nil)
        let bareAction = try SubscriptionRule(name: "b", managementDescription: .map([
            "sql-filter": .map(["expression": "1=1"]), "sql-rule-action": "SET a = 1",
        ]))
        #expect(bareAction.evaluate(FilterInput())?.applicationProperties["a"] == .long(1))
    }

    @Test func refusals() {
        let cases: [(AMQPValue, SubscriptionRuleError.Code)] = [
            ("x", .invalidDescription),
            (.map([:]), .invalidDescription),
            (.map(["sql-filter": .map(["expression": "1=1"]), "correlation-filter": .map(["to": "x"])]), .invalidDescription),
            (.map(["sql-filter": .map(["expression": .long(1)])]), .invalidDescription),
            (.map(["sql-filter": .map(["expression": "a ="])]), .invalidFilter),
            (.map(["correlation-filter": .map([:])]), .invalidFilter),
            (.map(["sql-filter": .map(["expression": "1=1"]), "sql-rule-action": .map(["expression": "SET"])]), .invalidAction),
        ]
        for (description, code) in cases {
            do {
                _ = try SubscriptionRule(name: "r", managementDescription: description)
                Issue.record("accepted \(description)")
            } catch {
                #expect(error.code == code, "\(description)")
            }
        }
    }
}

@Suite("Rules in enumerate-rules responses")
struct FilterRuleEncodingTests {
    static func list(_ value: AMQPValue, _ descriptor: AMQPSymbol) -> [AMQPValue]? {
        guard case .described(let described) = value, described.descriptor == .symbol(descriptor),
              case .list(let fields) = described.value
        else { return nil }
        return fields
    }

    @Test func sqlRuleWithAction() throws {
        let rule = SubscriptionRule(name: "reds", filter: .sql(try SQLFilter(expression: "color = 'red'")),
                                    action: try SQLRuleAction(expression: "SET a = 1"))
        let fields = Self.list(rule.managementDescription(createdAt: Date(timeIntervalSince1970: 2)),
                               SubscriptionRule.Descriptor.ruleDescription)
        #expect(fields?.count == 4)
        #expect(fields.flatMap { Self.list($0[0], SubscriptionRule.Descriptor.sqlFilter) } == ["color = 'red'", AMQPValue.int(20)])
        #expect(fields.flatMap { Self.list($0[1], SubscriptionRule.Descriptor.sqlRuleAction) } == ["SET a = 1", AMQPValue.int(20)])
        #expect(fields?[2] == "reds")
        #expect(fields?[3] == AMQPValue.timestamp(AMQPTimestamp(millisecondsSince1970: 2_000)))
    }

    @Test func defaultAndCorrelationRules() throws {
        let fields = Self.list(SubscriptionRule.default.managementDescription(), SubscriptionRule.Descriptor.ruleDescription)
        #expect(fields?.count == 3)
        #expect(fields.flatMap { Self.list($0[0], SubscriptionRule.Descriptor.trueFilter) } == ["1=1", AMQPValue.int(20)])
        #expect(fields.flatMap { Self.list($0[1], SubscriptionRule.Descriptor.emptyRuleAction) } == [])
        #expect(fields?[2] == "$Default")

        let correlation = SubscriptionRule(
            name: "c", filter: .correlation(try CorrelationFilter(correlationId: "x", label: "l",
                                                                   properties: ["b": .long(2), "a": "1"])))
        let filter = Self.list(correlation.managementDescription(), SubscriptionRule.Descriptor.ruleDescription)
            .flatMap { Self.list($0[0], SubscriptionRule.Descriptor.correlationFilter) }
        #expect(filter == ["x", AMQPValue.null, .null, .null, "l", .null, .null, .null, .map(["a": "1", "b": .long(2)])])
    }
}
