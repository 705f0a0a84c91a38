import AMQPCore

/// Why an envelope could not be decoded, built or mapped, and where.
///
/// `offset` counts bytes from the start of the envelope JSON (for a payload checked on its
/// own, from the start of the payload). `field` names the envelope field (`occurredTimeUtc`)
/// or, for typed payloads, the path inside the payload (`payload.licenseKey`). Descriptions
/// never quote field values or payload contents: events carry customer data.
public struct OctopusEnvelopeError: Error, Hashable, Sendable, CustomStringConvertible {
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        enum Base: String, Hashable, Sendable {
            case invalidJSON = "not valid JSON (RFC 8259)"
            case invalidUTF8 = "not valid UTF-8"
            case invalidString = "string has an invalid escape, a control character or a lone surrogate"
            case duplicateKey = "object repeats a member name"
            case nestingTooDeep = "values nested deeper than the limit"
            case tooLarge = "larger than the limit"
            case trailingBytes = "bytes left over after the JSON value"
            case notAnObject = "not a JSON object"
            case missingField = "an envelope field is missing"
            case unknownField = "a member that envelope spec version 1 does not define"
            case invalidFieldType = "an envelope field has the wrong JSON type"
            case emptyField = "an envelope field is empty"
            case fieldTooLong = "an envelope field is longer than allowed"
            case invalidTime = "occurredTimeUtc is not an ISO 8601 UTC time (YYYY-MM-DDThh:mm:ss[.f]Z)"
            case invalidActivityID = "activityId is not a W3C traceparent"
            case unsupportedSpecVersion = "specVersion is not one this codec supports"
            case invalidMessage = "the AMQP message's sections do not decode"
            case invalidBody = "the message body is not one data section"
            case propertyMismatch = "a message property disagrees with the envelope"
            case eventTypeMismatch = "the envelope's type is not the event type asked for"
            case payloadDecodingFailed = "the payload does not decode as the event type"
            case payloadEncodingFailed = "the event could not be encoded as a payload"
        }

        let base: Base
        init(_ base: Base) { self.base = base }

        /// The bytes break the JSON grammar.
        public static let invalidJSON = Code(.invalidJSON)
        public static let invalidUTF8 = Code(.invalidUTF8)
        /// A string has an unknown escape, an unescaped control character or a lone surrogate
        /// (I-JSON, RFC 7493 §2.1).
        public static let invalidString = Code(.invalidString)
        /// An object repeats a member name (I-JSON, RFC 7493 §2.3).
        public static let duplicateKey = Code(.duplicateKey)
        public static let nestingTooDeep = Code(.nestingTooDeep)
        public static let tooLarge = Code(.tooLarge)
        public static let trailingBytes = Code(.trailingBytes)
        public static let notAnObject = Code(.notAnObject)
        public static let missingField = Code(.missingField)
        public static let unknownField = Code(.unknownField)
        public static let invalidFieldType = Code(.invalidFieldType)
        public static let emptyField = Code(.emptyField)
        public static let fieldTooLong = Code(.fieldTooLong)
        public static let invalidTime = Code(.invalidTime)
        public static let invalidActivityID = Code(.invalidActivityID)
        public static let unsupportedSpecVersion = Code(.unsupportedSpecVersion)
        /// The AMQP message's properties could not be read (`amqpError` says why).
        public static let invalidMessage = Code(.invalidMessage)
        /// The AMQP message's body is not exactly one `data` section.
        public static let invalidBody = Code(.invalidBody)
        /// `message-id`, `subject` or `content-type` disagrees with the envelope.
        public static let propertyMismatch = Code(.propertyMismatch)
        public static let eventTypeMismatch = Code(.eventTypeMismatch)
        public static let payloadDecodingFailed = Code(.payloadDecodingFailed)
        public static let payloadEncodingFailed = Code(.payloadEncodingFailed)

        public var description: String { base.rawValue }
    }

    public var code: Code
    /// Byte offset of the problem, when it lies in the JSON.
    public var offset: Int?
    /// The envelope field (`id`, `payload`, …) or payload path (`payload.items[2].sku`).
    public var field: String?
    /// Extra detail (what was expected, a length); never a field's value.
    public var detail: String?
    /// The AMQP decoding error, when reading the message's properties failed.
    public var amqpError: AMQPDecodingError?

    public init(code: Code, offset: Int? = nil, field: String? = nil, detail: String? = nil,
                amqpError: AMQPDecodingError? = nil) {
        self.code = code
        self.offset = offset
        self.field = field
        self.detail = detail
        self.amqpError = amqpError
    }

    public var description: String {
        var text = code.description
        if let field { text += " (\(field))" }
        if let offset { text += " at byte \(offset)" }
        if let detail { text += ": \(detail)" }
        if let amqpError { text += ": \(amqpError)" }
        return text
    }
}

/// Caps on what a publisher's bytes can make the decoder do.
public struct OctopusEnvelopeLimits: Hashable, Sendable {
    /// The largest envelope (or payload given alone) accepted, in bytes. Events are meant to
    /// stay under 64 KB (Good Event Test rule 8, measured by the contract checks); this cap
    /// only bounds the work, and defaults to Service Bus Premium's 1 MiB frames. At most 2 GiB
    /// is ever accepted.
    public var maxBytes: Int
    /// The deepest nesting of objects and arrays, the envelope object included.
    public var maxDepth: Int

    public init(maxBytes: Int = 1 << 20, maxDepth: Int = 64) {
        self.maxBytes = maxBytes
        self.maxDepth = maxDepth
    }

    public static let `default` = OctopusEnvelopeLimits()

    /// `maxBytes`, never above 2 GiB (offsets are kept in 32 bits).
    var byteCap: Int { Swift.min(maxBytes, Int(Int32.max)) }
}
