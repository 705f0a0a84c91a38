/// The system properties a SQL filter can name as `sys.<name>` (names compare
/// case-insensitively; `sys.Subject` is accepted for `sys.Label`).
public enum SystemProperty: String, Sendable, Hashable, CaseIterable {
    case messageId = "MessageId"
    case correlationId = "CorrelationId"
    case label = "Label"
    case to = "To"
    case replyTo = "ReplyTo"
    case replyToSessionId = "ReplyToSessionId"
    case sessionId = "SessionId"
    case contentType = "ContentType"
    case sequenceNumber = "SequenceNumber"
    case enqueuedTimeUtc = "EnqueuedTimeUtc"
    case deliveryCount = "DeliveryCount"
    case size = "Size"

    /// The property for a name after `sys.`, or nil.
    init?(sqlName: String) {
        let lowered = sqlName.lowercased()
        if lowered == "subject" {
            self = .label
            return
        }
        guard let match = Self.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
        self = match
    }
}

/// A property an expression reads: a system property or a user (application) property.
enum SQLProperty: Sendable, Hashable {
    case system(SystemProperty)
    /// Case-sensitive, as AMQP application-properties keys are.
    case user(String)
}

enum SQLComparisonOperator: Sendable, Hashable {
    case equal, notEqual, less, lessOrEqual, greater, greaterOrEqual
}

enum SQLArithmeticOperator: Sendable, Hashable {
    case add, subtract, multiply, divide, remainder
}

/// The parsed form of a filter expression. Predicates and values share one tree; the
/// parser checks that each operand is of the kind its operator needs.
indirect enum SQLExpression: Sendable, Hashable {
    case literal(FilterValue)
    case property(SQLProperty)
    case negate(SQLExpression)
    /// Unary plus: the operand if it is a number, unknown otherwise.
    case identity(SQLExpression)
    case arithmetic(SQLArithmeticOperator, SQLExpression, SQLExpression)
    case comparison(SQLComparisonOperator, SQLExpression, SQLExpression)
    case and(SQLExpression, SQLExpression)
    case or(SQLExpression, SQLExpression)
    case not(SQLExpression)
    case `in`(SQLExpression, [SQLExpression])
    case like(SQLExpression, SQLLikePattern)
    case isNull(SQLExpression)
    case exists(SQLProperty)

    /// True for nodes whose value is a truth value (TRUE, FALSE or unknown).
    var isPredicate: Bool {
        switch self {
        case .comparison, .and, .or, .not, .in, .like, .isNull, .exists: return true
        case .literal(.bool): return true
        case .literal, .property, .negate, .identity, .arithmetic: return false
        }
    }

    /// True for nodes that can be an operand of arithmetic or a comparison.
    var isValue: Bool {
        switch self {
        case .literal, .property, .negate, .identity, .arithmetic: return true
        default: return false
        }
    }
}
