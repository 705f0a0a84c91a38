import AMQPCore

/// What a subscription rule's filter sees of a message: the system properties by their Service
/// Bus names, the application properties, and what the broker assigned.
public struct FilterInput: Sendable {
    public var messageId: String?
    public var correlationId: String?
    /// `subject`, Service Bus's `Label`.
    public var label: String?
    public var to: String?
    public var replyTo: String?
    public var replyToSessionId: String?
    /// `group-id`.
    public var sessionId: String?
    public var contentType: String?
    public var applicationProperties: [String: AMQPValue]
    public var sequenceNumber: Int64
    public var enqueuedTime: AMQPTimestamp

    public init(messageId: String? = nil, correlationId: String? = nil, label: String? = nil, to: String? = nil,
                replyTo: String? = nil, replyToSessionId: String? = nil, sessionId: String? = nil,
                contentType: String? = nil, applicationProperties: [String: AMQPValue] = [:],
                sequenceNumber: Int64 = 0, enqueuedTime: AMQPTimestamp = AMQPTimestamp(millisecondsSince1970: 0)) {
        self.messageId = messageId
        self.correlationId = correlationId
        self.label = label
        self.to = to
        self.replyTo = replyTo
        self.replyToSessionId = replyToSessionId
        self.sessionId = sessionId
        self.contentType = contentType
        self.applicationProperties = applicationProperties
        self.sequenceNumber = sequenceNumber
        self.enqueuedTime = enqueuedTime
    }
}

/// A subscription rule's filter. SQL filters come from outside the core (a factory), so the
/// core only needs this one question answered.
public protocol MessageFilter: Sendable {
    func matches(_ message: FilterInput) -> Bool
}

/// Takes every message (`1=1`, the `$Default` rule).
public struct TrueFilter: MessageFilter {
    public init() {}
    public func matches(_ message: FilterInput) -> Bool { true }
}

/// Takes no message (`1=0`).
public struct FalseFilter: MessageFilter {
    public init() {}
    public func matches(_ message: FilterInput) -> Bool { false }
}

/// A correlation filter: every field it gives equals the message's (case-sensitive, as in
/// Service Bus), every property it gives equals the message's application property.
/// Numbers compare by value across integer widths (`int 5` matches `long 5`).
public struct CorrelationFilter: MessageFilter {
    public var configuration: CorrelationFilterConfiguration

    public init(_ configuration: CorrelationFilterConfiguration) { self.configuration = configuration }

    public func matches(_ message: FilterInput) -> Bool {
        let c = configuration
        let pairs: [(String?, String?)] = [
            (c.messageId, message.messageId), (c.correlationId, message.correlationId), (c.label, message.label),
            (c.to, message.to), (c.replyTo, message.replyTo), (c.replyToSessionId, message.replyToSessionId),
            (c.sessionId, message.sessionId), (c.contentType, message.contentType),
        ]
        for (wanted, actual) in pairs {
            if let wanted, wanted != actual { return false }
        }
        for (key, wanted) in c.properties {
            guard let actual = message.applicationProperties[key], FilterValues.equal(wanted, actual) else { return false }
        }
        return true
    }
}

enum FilterValues {
    /// Equality of two filter values, numbers by value.
    static func equal(_ a: AMQPValue, _ b: AMQPValue) -> Bool {
        if let x = integer(a), let y = integer(b) { return x == y }
        if let x = number(a), let y = number(b) { return x == y }
        switch (a, b) {
        case (.string(let x), .string(let y)): return x == y
        case (.string(let x), .symbol(let y)): return x == y.rawValue
        case (.symbol(let x), .string(let y)): return x.rawValue == y
        default: return a == b
        }
    }

    static func integer(_ value: AMQPValue) -> Int64? {
        switch value {
        case .byte(let v): return Int64(v)
        case .short(let v): return Int64(v)
        case .int(let v): return Int64(v)
        case .long(let v): return v
        case .ubyte(let v): return Int64(v)
        case .ushort(let v): return Int64(v)
        case .uint(let v): return Int64(v)
        case .ulong(let v): return v <= UInt64(Int64.max) ? Int64(v) : nil
        default: return nil
        }
    }

    static func number(_ value: AMQPValue) -> Double? {
        switch value {
        case .float(let v): return Double(v)
        case .double(let v): return v
        default: return integer(value).map(Double.init)
        }
    }
}

/// Builds a rule's filter from its configuration.
public typealias RuleFilterFactory = @Sendable (RuleConfiguration) throws -> any MessageFilter

/// Why a rule's filter could not be built.
public struct RuleFilterError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable {
        enum Base: Hashable, Sendable { case sqlFiltersUnavailable, invalidFilter }
        let base: Base
        /// No SQL filter factory was supplied.
        public static let sqlFiltersUnavailable = Code(base: .sqlFiltersUnavailable)
        public static let invalidFilter = Code(base: .invalidFilter)
    }

    public var code: Code
    public var rule: String
    public var detail: String

    public init(code: Code, rule: String, detail: String) {
        self.code = code
        self.rule = rule
        self.detail = detail
    }

    public var description: String { "rule \(rule): \(detail)" }
}

public enum RuleFilters {
    /// True and false filters, correlation filters; SQL filters only through `sql`, which is
    /// nil by default (then a SQL rule is a `sqlFiltersUnavailable` error).
    public static func factory(sql: (@Sendable (RuleConfiguration) throws -> any MessageFilter)? = nil) -> RuleFilterFactory {
        { rule in
            switch rule.filter {
            case .true: return TrueFilter()
            case .false: return FalseFilter()
            case .correlation(let configuration): return CorrelationFilter(configuration)
            case .sql:
                guard let sql else {
                    throw RuleFilterError(code: .sqlFiltersUnavailable, rule: rule.name,
                                          detail: "SQL filters need a filter factory")
                }
                return try sql(rule)
            }
        }
    }
}
