import AMQPCore

/// A subscription rule: a filter and an optional action, as the emulator's file writes them
/// (`{"Name", "Properties": {"FilterType", "CorrelationFilter" | "SqlFilter", "Action"}}`).
///
/// The core builds the rule's ``MessageFilter`` with a factory (see ``RuleFilterFactory``);
/// actions are kept for that factory's owner and not run by the core.
public struct RuleConfiguration: Hashable, Sendable, Codable {
    public enum Filter: Hashable, Sendable {
        case `true`
        case `false`
        case correlation(CorrelationFilterConfiguration)
        case sql(expression: String)
    }

    public var name: String
    public var filter: Filter
    /// The `Action.SqlExpression` text, if any.
    public var actionExpression: String?

    public init(name: String, filter: Filter, actionExpression: String? = nil) {
        self.name = name
        self.filter = filter
        self.actionExpression = actionExpression
    }

    /// Service Bus's rule of a new subscription: everything passes.
    public static let `default` = RuleConfiguration(name: "$Default", filter: .true)

    enum CodingKeys: String, CodingKey { case name = "Name", properties = "Properties" }
    enum PropertyKeys: String, CodingKey {
        case filterType = "FilterType", correlationFilter = "CorrelationFilter", sqlFilter = "SqlFilter", action = "Action"
    }
    enum SqlKeys: String, CodingKey { case sqlExpression = "SqlExpression" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        name = try c.decode(String.self, forKey: .name)
        guard c.contains(.properties) else {
            filter = .true
            actionExpression = nil
            return
        }
        let p = try c.nestedContainer(keyedBy: PropertyKeys.self, forKey: .properties)
        if p.contains(.action) {
            let action = try p.nestedContainer(keyedBy: SqlKeys.self, forKey: .action)
            actionExpression = try action.decodeIfPresent(String.self, forKey: .sqlExpression)
        } else {
            actionExpression = nil
        }
        let type = try p.decodeIfPresent(String.self, forKey: .filterType)
        switch type?.lowercased() {
        case "correlation", "correlationfilter":
            filter = .correlation(try p.decode(CorrelationFilterConfiguration.self, forKey: .correlationFilter))
        case "sql", "sqlfilter":
            let sql = try p.nestedContainer(keyedBy: SqlKeys.self, forKey: .sqlFilter)
            filter = .sql(expression: try sql.decode(String.self, forKey: .sqlExpression))
        case "true", "truefilter":
            filter = .true
        case "false", "falsefilter":
            filter = .false
        case nil:
            if p.contains(.correlationFilter) {
                filter = .correlation(try p.decode(CorrelationFilterConfiguration.self, forKey: .correlationFilter))
            } else if p.contains(.sqlFilter) {
                let sql = try p.nestedContainer(keyedBy: SqlKeys.self, forKey: .sqlFilter)
                filter = .sql(expression: try sql.decode(String.self, forKey: .sqlExpression))
            } else {
                filter = .true
            }
        case .some(let other):
            throw DecodingError.dataCorruptedError(
                forKey: .filterType, in: p,
                debugDescription: "\"\(other.prefix(64))\" is not a filter type (Correlation, Sql, True, False)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        var p = c.nestedContainer(keyedBy: PropertyKeys.self, forKey: .properties)
        switch filter {
        case .true: try p.encode("True", forKey: .filterType)
        case .false: try p.encode("False", forKey: .filterType)
        case .correlation(let correlation):
            try p.encode("Correlation", forKey: .filterType)
            try p.encode(correlation, forKey: .correlationFilter)
        case .sql(let expression):
            try p.encode("Sql", forKey: .filterType)
            var sql = p.nestedContainer(keyedBy: SqlKeys.self, forKey: .sqlFilter)
            try sql.encode(expression, forKey: .sqlExpression)
        }
        if let actionExpression {
            var action = p.nestedContainer(keyedBy: SqlKeys.self, forKey: .action)
            try action.encode(actionExpression, forKey: .sqlExpression)
        }
    }
}

/// A correlation filter: every field given must equal the message's, every property given
/// must equal the message's application property of that name.
public struct CorrelationFilterConfiguration: Hashable, Sendable, Codable {
    public var contentType: String?
    public var correlationId: String?
    public var label: String?
    public var messageId: String?
    public var replyTo: String?
    public var replyToSessionId: String?
    public var sessionId: String?
    public var to: String?
    /// JSON strings, numbers (integers as `long`, others as `double`) and booleans.
    public var properties: [String: AMQPValue]

    public init(contentType: String? = nil, correlationId: String? = nil, label: String? = nil,
                messageId: String? = nil, replyTo: String? = nil, replyToSessionId: String? = nil,
                sessionId: String? = nil, to: String? = nil, properties: [String: AMQPValue] = [:]) {
        self.contentType = contentType
        self.correlationId = correlationId
        self.label = label
        self.messageId = messageId
        self.replyTo = replyTo
        self.replyToSessionId = replyToSessionId
        self.sessionId = sessionId
        self.to = to
        self.properties = properties
    }

    enum CodingKeys: String, CodingKey {
        case contentType = "ContentType", correlationId = "CorrelationId", label = "Label"
        case messageId = "MessageId", replyTo = "ReplyTo", replyToSessionId = "ReplyToSessionId"
        case sessionId = "SessionId", to = "To", properties = "Properties"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            contentType: try c.decodeIfPresent(String.self, forKey: .contentType),
            correlationId: try c.decodeIfPresent(String.self, forKey: .correlationId),
            label: try c.decodeIfPresent(String.self, forKey: .label),
            messageId: try c.decodeIfPresent(String.self, forKey: .messageId),
            replyTo: try c.decodeIfPresent(String.self, forKey: .replyTo),
            replyToSessionId: try c.decodeIfPresent(String.self, forKey: .replyToSessionId),
            sessionId: try c.decodeIfPresent(String.self, forKey: .sessionId),
            to: try c.decodeIfPresent(String.self, forKey: .to),
            properties: (try c.decodeIfPresent([String: ConfigScalar].self, forKey: .properties) ?? [:]).mapValues(\.value))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeIfPresent(contentType, forKey: .contentType)
        try c.encodeIfPresent(correlationId, forKey: .correlationId)
        try c.encodeIfPresent(label, forKey: .label)
        try c.encodeIfPresent(messageId, forKey: .messageId)
        try c.encodeIfPresent(replyTo, forKey: .replyTo)
        try c.encodeIfPresent(replyToSessionId, forKey: .replyToSessionId)
        try c.encodeIfPresent(sessionId, forKey: .sessionId)
        try c.encodeIfPresent(to, forKey: .to)
        if !properties.isEmpty {
            try c.encode(properties.mapValues(ConfigScalar.init(value:)), forKey: .properties)
        }
    }
}

/// A JSON scalar as an AMQP value.
struct ConfigScalar: Codable {
    var value: AMQPValue

    init(value: AMQPValue) { self.value = value }

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let bool = try? c.decode(Bool.self) {
            value = .boolean(bool)
        } else if let int = try? c.decode(Int64.self) {
            value = .long(int)
        } else if let double = try? c.decode(Double.self) {
            value = .double(double)
        } else if let string = try? c.decode(String.self) {
            value = .string(string)
        } else {
            throw DecodingError.dataCorruptedError(in: c, debugDescription: "expected a string, number or boolean")
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch value {
        case .boolean(let v): try c.encode(v)
        case .long(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        default: try c.encode(String(describing: value))
        }
    }
}
