import AMQPCore

/// A Service Bus SQL rule action: statements that change a message as it enters a
/// subscription.
///
/// ```
/// actions   := statement { [;] statement } [;]
/// statement := SET property = expression | REMOVE property
/// ```
/// `SET`/`REMOVE` are case-insensitive. Expressions are those of ``SQLFilter`` (a condition
/// sets a boolean, unknown sets null). Statements run in order, each seeing the changes
/// before it. The string system properties (`sys.MessageId`, `CorrelationId`, `Label`, `To`,
/// `ReplyTo`, `ReplyToSessionId`, `SessionId`, `ContentType`) can be set (a number or
/// boolean becomes its text, null clears it) and removed; the others (`SequenceNumber`,
/// `EnqueuedTimeUtc`, `DeliveryCount`, `Size`) are the broker's, and an action that names
/// them is refused with ``SQLFilterError/Code-swift.struct/notSettable``.
public struct SQLRuleAction: Sendable, Hashable {
    enum Statement: Sendable, Hashable {
        case set(SQLProperty, SQLExpression)
        case remove(SQLProperty)
    }

    /// The expression as given.
    public let expression: String
    let statements: [Statement]

    /// Parses `expression`; `parameters` as for ``SQLFilter/init(expression:parameters:)``.
    public init(expression: String, parameters: [String: AMQPValue] = [:]) throws(SQLFilterError) {
        try SQLFilter.checkLength(expression)
        self.expression = expression
        var parser = SQLParser(tokens: try SQLLexer.tokens(of: expression),
                               parameters: SQLFilter.parameterValues(parameters))
        self.statements = try parser.parseActions()
    }

    /// Applies the statements to `message`.
    public func apply(to message: inout FilterInput) {
        for statement in statements {
            switch statement {
            case .set(let property, let expression):
                let value = SQLEvaluator(input: message).evaluate(expression)
                Self.write(value, to: property, in: &message)
            case .remove(let property):
                switch property {
                case .user(let name): message.applicationProperties[name] = nil
                case .system: Self.write(.null, to: property, in: &message)
                }
            }
        }
    }

    /// The message after the statements.
    public func applied(to message: FilterInput) -> FilterInput {
        var copy = message
        apply(to: &copy)
        return copy
    }

    static func write(_ value: FilterValue, to property: SQLProperty, in message: inout FilterInput) {
        switch property {
        case .user(let name):
            message.applicationProperties[name] = value.amqpValue
        case .system(let system):
            let text = Self.text(value)
            switch system {
            case .messageId: message.messageId = text
            case .correlationId: message.correlationId = text
            case .label: message.label = text
            case .to: message.to = text
            case .replyTo: message.replyTo = text
            case .replyToSessionId: message.replyToSessionId = text
            case .sessionId: message.sessionId = text
            case .contentType: message.contentType = text
            // Refused by the parser.
            case .sequenceNumber, .enqueuedTimeUtc, .deliveryCount, .size: break
            }
        }
    }

    static func text(_ value: FilterValue) -> String? {
        switch value {
        case .null: return nil
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .long(let number): return String(number)
        case .double(let number): return String(number)
        case .timestamp(let milliseconds): return String(milliseconds)
        case .other(let value): return "\(value)"
        }
    }

    static func isSettable(_ property: SystemProperty) -> Bool {
        switch property {
        case .sequenceNumber, .enqueuedTimeUtc, .deliveryCount, .size: return false
        default: return true
        }
    }
}

extension SQLParser {
    mutating func parseActions() throws(SQLFilterError) -> [SQLRuleAction.Statement] {
        var statements: [SQLRuleAction.Statement] = []
        while current.kind != .end {
            statements.append(try parseStatement())
            if current.kind == .semicolon { advance() }
        }
        guard !statements.isEmpty else { throw syntax("expected SET or REMOVE") }
        return statements
    }

    private mutating func parseStatement() throws(SQLFilterError) -> SQLRuleAction.Statement {
        guard case .identifier(let verb) = current.kind else { throw syntax("expected SET or REMOVE") }
        let verbName = verb.lowercased()
        guard verbName == "set" || verbName == "remove" else { throw syntax("expected SET or REMOVE") }
        advance()
        let propertyOffset = current.offset
        let property = try parseProperty()
        if case .system(let system) = property, !SQLRuleAction.isSettable(system) {
            throw SQLFilterError(code: .notSettable, offset: propertyOffset,
                                 message: "sys.\(system.rawValue) is set by the broker")
        }
        guard verbName == "set" else { return .remove(property) }
        try expect(.equal, "'=' after the property")
        let value = try parsePredicate()
        return .set(property, value.expression)
    }
}
