/// Any of the filters a subscription rule can hold, as one closed type (no existentials
/// needed to store rules).
public enum RuleFilter: MessageFilter, Hashable {
    case sql(SQLFilter)
    case correlation(CorrelationFilter)
    /// Matches every message (the `$Default` rule's filter).
    case `true`
    /// Matches no message.
    case `false`

    public func matches(_ input: FilterInput) -> Bool {
        switch self {
        case .sql(let filter): return filter.matches(input)
        case .correlation(let filter): return filter.matches(input)
        case .true: return true
        case .false: return false
        }
    }
}

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
