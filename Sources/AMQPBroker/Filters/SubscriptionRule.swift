/// A subscription rule: a filter and an optional action applied to the messages it passes.
public struct SubscriptionRule: Sendable, Hashable {
    /// The name Service Bus gives the rule a new subscription starts with.
    public static let defaultRuleName = "$Default"

    public var name: String
    public var filter: RuleFilter
    public var action: SQLRuleAction?

    public init(name: String, filter: RuleFilter, action: SQLRuleAction? = nil) {
        self.name = name
        self.filter = filter
        self.action = action
    }

    /// The `$Default` rule: every message, unchanged.
    public static var `default`: SubscriptionRule { SubscriptionRule(name: defaultRuleName, filter: .true) }

    /// The message as the subscription receives it, or nil if the filter does not pass it.
    public func evaluate(_ input: FilterInput) -> FilterInput? {
        guard filter.matches(input) else { return nil }
        return action?.applied(to: input) ?? input
    }
}
