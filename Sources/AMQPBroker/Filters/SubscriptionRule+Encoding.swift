import AMQPCore
import Foundation

extension SubscriptionRule {
    /// Descriptors of the rule types in `com.microsoft:enumerate-rules` responses. Written as
    /// symbols: the numeric codes published for them disagree between sources, and
    /// Service Bus clients register both forms.
    public enum Descriptor {
        public static let ruleDescription: AMQPSymbol = "com.microsoft:rule-description:list"
        public static let sqlFilter: AMQPSymbol = "com.microsoft:sql-filter:list"
        public static let correlationFilter: AMQPSymbol = "com.microsoft:correlation-filter:list"
        public static let trueFilter: AMQPSymbol = "com.microsoft:true-filter:list"
        public static let falseFilter: AMQPSymbol = "com.microsoft:false-filter:list"
        public static let emptyRuleAction: AMQPSymbol = "com.microsoft:empty-rule-action:list"
        public static let sqlRuleAction: AMQPSymbol = "com.microsoft:sql-rule-action:list"
    }

    /// The SQL compatibility level Service Bus reports.
    static let compatibilityLevel: AMQPValue = .int(20)

    /// The rule as an `enumerate-rules` response carries it: a described
    /// `rule-description` list `[filter, action, name, created-at?]`, each filter and action a
    /// described list too. Wrap it as `{"rule-description": …}` in the `rules` array.
    public func managementDescription(createdAt: Date? = nil) -> AMQPValue {
        var fields: [AMQPValue] = [Self.encode(filter), Self.encode(action), .string(name)]
        if let createdAt {
            let milliseconds = (createdAt.timeIntervalSince1970 * 1000).rounded(.down)
            if milliseconds.magnitude < 9e18 {
                fields.append(.timestamp(AMQPTimestamp(millisecondsSince1970: Int64(milliseconds))))
            }
        }
        return Self.described(Descriptor.ruleDescription, fields)
    }

    static func described(_ descriptor: AMQPSymbol, _ fields: [AMQPValue]) -> AMQPValue {
        .described(AMQPDescribed(descriptor: .symbol(descriptor), value: .list(fields)))
    }

    static func encode(_ filter: RuleFilter) -> AMQPValue {
        switch filter {
        case .sql(let sql):
            return described(Descriptor.sqlFilter, [.string(sql.expression), compatibilityLevel])
        case .true:
            return described(Descriptor.trueFilter, ["1=1", compatibilityLevel])
        case .false:
            return described(Descriptor.falseFilter, ["1=0", compatibilityLevel])
        case .correlation(let correlation):
            func text(_ value: String?) -> AMQPValue { value.map(AMQPValue.string) ?? .null }
            var properties = AMQPMap()
            for (key, value) in correlation.properties.sorted(by: { $0.key < $1.key }) {
                properties[string: key] = value
            }
            return described(Descriptor.correlationFilter, [
                text(correlation.correlationId), text(correlation.messageId), text(correlation.to),
                text(correlation.replyTo), text(correlation.label), text(correlation.sessionId),
                text(correlation.replyToSessionId), text(correlation.contentType), .map(properties),
            ])
        }
    }

    static func encode(_ action: SQLRuleAction?) -> AMQPValue {
        guard let action else { return described(Descriptor.emptyRuleAction, []) }
        return described(Descriptor.sqlRuleAction, [.string(action.expression), compatibilityLevel])
    }
}
