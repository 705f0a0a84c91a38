import AMQPCore

extension SubscriptionRule {
    /// Builds a rule from the `rule-description` map of a `com.microsoft:add-rule`
    /// management request:
    ///
    /// ```
    /// { "sql-filter": { "expression": "…" [, "compatibility-level": 20] }
    ///   | "correlation-filter": { "correlation-id", "message-id", "to", "reply-to", "label",
    ///                             "session-id", "reply-to-session-id", "content-type",
    ///                             "properties": { … } },
    ///   ["sql-rule-action": { "expression": "…" } or the bare expression string],
    ///   ["rule-name": "…"] }
    /// ```
    /// Keys may be strings or symbols. Exactly one filter must be present. A missing action,
    /// or a null one, is no action.
    public init(name: String, managementDescription description: AMQPValue) throws(SubscriptionRuleError) {
        guard let map = Self.map(description) else {
            throw SubscriptionRuleError(code: .invalidDescription, message: "rule-description is not a map")
        }
        let sql = Self.entry(map, "sql-filter")
        let correlation = Self.entry(map, "correlation-filter")
        let filter: RuleFilter
        switch (sql, correlation) {
        case (let sql?, nil):
            guard let sqlMap = Self.map(sql), let expression = Self.text(Self.entry(sqlMap, "expression")) else {
                throw SubscriptionRuleError(code: .invalidDescription, message: "sql-filter needs an expression string")
            }
            do {
                filter = .sql(try SQLFilter(expression: expression))
            } catch {
                throw SubscriptionRuleError(code: .invalidFilter, message: error.description)
            }
        case (nil, let correlation?):
            guard let correlationMap = Self.map(correlation) else {
                throw SubscriptionRuleError(code: .invalidDescription, message: "correlation-filter is not a map")
            }
            var configuration: [String: AMQPValue] = [:]
            for entry in correlationMap {
                guard let key = Self.text(entry.key) else {
                    throw SubscriptionRuleError(code: .invalidDescription, message: "correlation-filter keys must be strings")
                }
                configuration[key] = entry.value
            }
            do {
                filter = .correlation(try CorrelationFilter(configuration: configuration))
            } catch {
                throw SubscriptionRuleError(code: .invalidFilter, message: error.description)
            }
        case (nil, nil):
            throw SubscriptionRuleError(code: .invalidDescription, message: "rule-description has no filter")
        case (.some, .some):
            throw SubscriptionRuleError(code: .invalidDescription, message: "rule-description has two filters")
        }

        var action: SQLRuleAction?
        if let rawAction = Self.entry(map, "sql-rule-action"), !rawAction.isNull {
            let expression: String?
            if let actionMap = Self.map(rawAction) {
                expression = Self.text(Self.entry(actionMap, "expression"))
            } else {
                expression = Self.text(rawAction)
            }
            guard let expression else {
                throw SubscriptionRuleError(code: .invalidDescription, message: "sql-rule-action needs an expression string")
            }
            if !expression.allSatisfy(\.isWhitespace) {
                do {
                    action = try SQLRuleAction(expression: expression)
                } catch {
                    throw SubscriptionRuleError(code: .invalidAction, message: error.description)
                }
            }
        }
        self.init(name: name, filter: filter, action: action)
    }

    private static func map(_ value: AMQPValue) -> AMQPMap? {
        switch value {
        case .map(let map): return map
        case .described(let described): if case .map(let map) = described.value { return map } else { return nil }
        default: return nil
        }
    }

    private static func entry(_ map: AMQPMap, _ key: String) -> AMQPValue? {
        map[.string(key)] ?? map[.symbol(AMQPSymbol(key))]
    }

    private static func text(_ value: AMQPValue?) -> String? {
        switch value {
        case .string(let text)?: return text
        case .symbol(let symbol)?: return symbol.rawValue
        default: return nil
        }
    }
}

/// Why a rule description could not become a ``SubscriptionRule``.
public struct SubscriptionRuleError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case invalidDescription, invalidFilter, invalidAction }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The description's shape is wrong (not a map, no filter, two filters, wrong types).
        public static let invalidDescription = Code(.invalidDescription)
        /// The filter was refused; the message carries its error.
        public static let invalidFilter = Code(.invalidFilter)
        /// The action was refused; the message carries its error.
        public static let invalidAction = Code(.invalidAction)

        public var description: String {
            switch base {
            case .invalidDescription: return "invalidDescription"
            case .invalidFilter: return "invalidFilter"
            case .invalidAction: return "invalidAction"
            }
        }
    }

    public var code: Code
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "SubscriptionRuleError.\(code): \(message)" }
}
