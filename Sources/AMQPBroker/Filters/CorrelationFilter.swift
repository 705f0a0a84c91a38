import AMQPCore

/// A Service Bus correlation filter: a set of conditions that must all hold.
///
/// Every system property that is set must equal the message's, exactly and
/// case-sensitively (a message without that property does not match). Every entry of
/// ``properties`` must be present among the message's application properties (names are
/// case-sensitive) with an equal value. Values compare by what they mean, not by their AMQP
/// width: `int 5`, `long 5` and `double 5.0` are equal, a `symbol` equals the `string` with
/// the same text, and a string never equals a number.
///
/// Service Bus refuses a correlation filter with no condition at all, and so does
/// ``init(contentType:correlationId:label:messageId:replyTo:replyToSessionId:sessionId:to:properties:)``.
public struct CorrelationFilter: MessageFilter, Hashable {
    public let contentType: String?
    public let correlationId: String?
    /// Matched against the AMQP `subject`.
    public let label: String?
    public let messageId: String?
    public let replyTo: String?
    public let replyToSessionId: String?
    public let sessionId: String?
    public let to: String?
    /// User (application) properties that must be present with these values.
    public let properties: [String: AMQPValue]

    /// Creates a filter; throws ``CorrelationFilterError/Code-swift.struct/empty`` if no
    /// condition is given, as Service Bus does.
    public init(
        contentType: String? = nil,
        correlationId: String? = nil,
        label: String? = nil,
        messageId: String? = nil,
        replyTo: String? = nil,
        replyToSessionId: String? = nil,
        sessionId: String? = nil,
        to: String? = nil,
        properties: [String: AMQPValue] = [:]
    ) throws(CorrelationFilterError) {
        let systemFields = [contentType, correlationId, label, messageId, replyTo, replyToSessionId, sessionId, to]
        guard systemFields.contains(where: { $0 != nil }) || !properties.isEmpty else {
            throw CorrelationFilterError(code: .empty, message: "a correlation filter needs at least one condition")
        }
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

    /// Creates a filter from its configuration shape: keys `ContentType`, `CorrelationId`,
    /// `Label`, `MessageId`, `ReplyTo`, `ReplyToSessionId`, `SessionId`, `To` (strings or
    /// symbols; null is "not set") and `Properties` (a map of string keys). Names compare
    /// case-insensitively and ignoring `-` and `_`, so the AMQP management form
    /// (`correlation-id`, `reply-to-session-id`, …) is accepted too. Anything else is
    /// refused, so a misspelt key is never silently ignored.
    public init(configuration: [String: AMQPValue]) throws(CorrelationFilterError) {
        var strings: [String: String] = [:]
        var properties: [String: AMQPValue] = [:]
        let known = ["contenttype", "correlationid", "label", "messageid", "replyto", "replytosessionid", "sessionid", "to"]
        for (key, value) in configuration {
            let name = key.lowercased().filter { $0 != "-" && $0 != "_" }
            if name == "properties" {
                if value.isNull { continue }
                guard case .map(let map) = value else {
                    throw CorrelationFilterError(code: .invalidConfiguration, message: "Properties must be a map")
                }
                for entry in map {
                    guard let propertyName = Self.text(entry.key) else {
                        throw CorrelationFilterError(code: .invalidConfiguration, message: "Properties keys must be strings")
                    }
                    properties[propertyName] = entry.value
                }
            } else if known.contains(name) {
                if value.isNull { continue }
                guard let text = Self.text(value) else {
                    throw CorrelationFilterError(code: .invalidConfiguration, message: "\(key) must be a string")
                }
                strings[name] = text
            } else {
                throw CorrelationFilterError(code: .invalidConfiguration, message: "unknown correlation filter field \(key)")
            }
        }
        try self.init(
            contentType: strings["contenttype"], correlationId: strings["correlationid"], label: strings["label"],
            messageId: strings["messageid"], replyTo: strings["replyto"],
            replyToSessionId: strings["replytosessionid"], sessionId: strings["sessionid"], to: strings["to"],
            properties: properties)
    }

    private static func text(_ value: AMQPValue) -> String? {
        switch value {
        case .string(let text): return text
        case .symbol(let symbol): return symbol.rawValue
        default: return nil
        }
    }

    public func matches(_ input: FilterInput) -> Bool {
        guard Self.field(contentType, matches: input.contentType),
              Self.field(correlationId, matches: input.correlationId),
              Self.field(label, matches: input.label),
              Self.field(messageId, matches: input.messageId),
              Self.field(replyTo, matches: input.replyTo),
              Self.field(replyToSessionId, matches: input.replyToSessionId),
              Self.field(sessionId, matches: input.sessionId),
              Self.field(to, matches: input.to)
        else { return false }
        for (name, expected) in properties {
            guard let actual = input.applicationProperties[name] else { return false }
            let wanted = FilterValue(expected), got = FilterValue(actual)
            // Two nulls: the condition asks for a null-valued property and the message has one.
            if wanted.isNull, got.isNull { continue }
            guard FilterValue.equals(wanted, got) == true else { return false }
        }
        return true
    }

    private static func field(_ expected: String?, matches actual: String?) -> Bool {
        guard let expected else { return true }
        guard let actual else { return false }
        return expected.unicodeScalars.elementsEqual(actual.unicodeScalars)
    }
}

/// Why a correlation filter could not be created.
public struct CorrelationFilterError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: Hashable, Sendable { case empty, invalidConfiguration }
        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// No condition was given (Service Bus refuses such a filter).
        public static let empty = Code(.empty)
        /// The configuration shape had an unknown key or a value of the wrong type.
        public static let invalidConfiguration = Code(.invalidConfiguration)

        public var description: String {
            switch base {
            case .empty: return "empty"
            case .invalidConfiguration: return "invalidConfiguration"
            }
        }
    }

    public var code: Code
    /// What was wrong, for people.
    public var message: String

    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "CorrelationFilterError.\(code): \(message)" }
}
