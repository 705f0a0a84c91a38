import AMQPCore
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
