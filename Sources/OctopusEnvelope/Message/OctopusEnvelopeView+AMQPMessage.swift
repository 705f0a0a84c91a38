import AMQPCore
import NIOCore

/// Reading an Octopus event from a received AMQP message.
extension OctopusEnvelopeView {
    /// The envelope in `message`'s body, which must be exactly one `data` section; the view
    /// shares its storage (usually the received frame's).
    ///
    /// With `checkingProperties`, the properties the publisher set beside the envelope must
    /// agree with it (`checkProperties(of:)`): a `message-id` other than the `id` would defeat
    /// the broker's duplicate detection, a `subject` other than the `type` misroutes filters.
    public init(
        message: AMQPMessageView, limits: OctopusEnvelopeLimits = .default, checkingProperties: Bool = true
    ) throws(OctopusEnvelopeError) {
        guard let data = message.data else {
            throw OctopusEnvelopeError(code: .invalidBody,
                                       detail: "\(message.bodySectionCount) body sections of kind \(message.bodyKind)")
        }
        try self.init(decoding: data, limits: limits)
        if checkingProperties { try checkProperties(of: message) }
    }

    /// Checks the message's properties against the envelope: `message-id`, `subject` and
    /// `content-type` must match it when present (`content-type` may carry parameters, e.g.
    /// `application/json; charset=utf-8`). Application-properties are not checked: they are
    /// copies for filters, and reading them costs a map decode.
    public func checkProperties(of message: AMQPMessageView) throws(OctopusEnvelopeError) {
        // The usual encodings, straight from the bytes; anything else the general way.
        let bare = message.bareMessage
        let fast: Result<Bool, OctopusEnvelopeError> = bare.withUnsafeReadableBytes { raw in
            Result { () throws(OctopusEnvelopeError) -> Bool in
                switch PropertiesProbe.read(raw) {
                case .noProperties: return true
                case .unusual: return false
                case .fields(let fields):
                    try check(fields, in: raw)
                    return true
                }
            }
        }
        guard try !fast.get() else { return }
        let properties: MessageProperties?
        do {
            properties = try message.properties()
        } catch {
            throw OctopusEnvelopeError(code: .invalidMessage, field: "properties", amqpError: error)
        }
        try check(properties)
    }

    func check(_ properties: MessageProperties?) throws(OctopusEnvelopeError) {
        guard let properties else { return }
        if let messageID = properties.messageID {
            guard case .string(let text) = messageID, hasID(text) else {
                throw OctopusEnvelopeError(code: .propertyMismatch, field: "message-id", detail: "differs from id")
            }
        }
        if let subject = properties.subject, !hasType(subject) {
            throw OctopusEnvelopeError(code: .propertyMismatch, field: "subject", detail: "differs from type")
        }
        if let contentType = properties.contentType, !OctopusEnvelopeView.isJSON(contentType.rawValue) {
            throw OctopusEnvelopeError(code: .propertyMismatch, field: "content-type",
                                       detail: "expected \(OctopusEnvelope.contentType)")
        }
    }

    /// `application/json`, in any case, with or without parameters.
    static func isJSON(_ contentType: String) -> Bool {
        var text = contentType
        return text.withUTF8 { PropertiesProbe.isJSON(UnsafeRawBufferPointer($0)) }
    }

    private func check(_ fields: PropertiesProbe.Fields, in raw: UnsafeRawBufferPointer) throws(OctopusEnvelopeError) {
        switch fields.messageID {
        case .absent: break
        case .other: throw OctopusEnvelopeError(code: .propertyMismatch, field: "message-id", detail: "differs from id")
        case .text(let range):
            guard equals(layout.id, UnsafeRawBufferPointer(rebasing: raw[range])) else {
                throw OctopusEnvelopeError(code: .propertyMismatch, field: "message-id", detail: "differs from id")
            }
        }
        switch fields.subject {
        case .absent, .other: break   // the probe reads no other subject
        case .text(let range):
            guard equals(layout.type, UnsafeRawBufferPointer(rebasing: raw[range])) else {
                throw OctopusEnvelopeError(code: .propertyMismatch, field: "subject", detail: "differs from type")
            }
        }
        switch fields.contentType {
        case .absent, .other: break   // the probe reads no other content-type
        case .text(let range):
            guard PropertiesProbe.isJSON(UnsafeRawBufferPointer(rebasing: raw[range])) else {
                throw OctopusEnvelopeError(code: .propertyMismatch, field: "content-type",
                                           detail: "expected \(OctopusEnvelope.contentType)")
            }
        }
    }
}

extension OctopusEnvelope {
    /// The envelope in a received message (see `OctopusEnvelopeView.init(message:…)`).
    public init(
        message: AMQPMessageView, limits: OctopusEnvelopeLimits = .default, checkingProperties: Bool = true
    ) throws(OctopusEnvelopeError) {
        self = try OctopusEnvelopeView(message: message, limits: limits, checkingProperties: checkingProperties).envelope()
    }

    /// The envelope in a message value, by the same rules.
    public init(
        message: AMQPMessage, limits: OctopusEnvelopeLimits = .default, checkingProperties: Bool = true
    ) throws(OctopusEnvelopeError) {
        guard case .data(let data) = message.body else {
            throw OctopusEnvelopeError(code: .invalidBody, detail: "the body is not one data section")
        }
        let view = try OctopusEnvelopeView(decoding: data, limits: limits)
        if checkingProperties { try view.check(message.properties) }
        self = view.envelope()
    }
}
