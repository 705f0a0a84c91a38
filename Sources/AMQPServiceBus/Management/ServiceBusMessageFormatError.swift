import AMQPCore

/// A CBS or `$management` message, or a Service Bus message, that does not have the shape the
/// dialect requires: a missing or mistyped field, a wrong body, bytes that do not decode.
///
/// `description` names the field, never its value (a put-token body is a secret).
public struct ServiceBusMessageFormatError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case missingField = "a required field is missing"
            case invalidField = "a field has the wrong type or value"
            case invalidBody = "the body is not what the operation requires"
            case wrongOperation = "the message is for another operation"
            case undecodableMessage = "an embedded message does not decode"
            case tooLarge = "the message does not fit"
        }

        let base: Base
        init(_ base: Base) { self.base = base }

        public static let missingField = Code(.missingField)
        public static let invalidField = Code(.invalidField)
        public static let invalidBody = Code(.invalidBody)
        public static let wrongOperation = Code(.wrongOperation)
        public static let undecodableMessage = Code(.undecodableMessage)
        public static let tooLarge = Code(.tooLarge)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// The field involved: an application property, a body map key or a message property.
    public var field: String?
    /// For `undecodableMessage`: why the codec refused the bytes.
    public var decodingError: AMQPDecodingError?

    public init(code: Code, field: String? = nil, decodingError: AMQPDecodingError? = nil) {
        self.code = code
        self.field = field
        self.decodingError = decodingError
    }

    public var description: String {
        var text = code.description
        if let field { text += " (\(field))" }
        if let decodingError { text += ": \(decodingError)" }
        return text
    }

    static func missing(_ field: String) -> Self { Self(code: .missingField, field: field) }
    static func invalid(_ field: String) -> Self { Self(code: .invalidField, field: field) }
}
