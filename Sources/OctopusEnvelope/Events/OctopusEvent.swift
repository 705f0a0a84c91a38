import AMQPCore
import NIOCore

/// An integration event type: its envelope `type` and how its payload reads and writes.
///
/// A `Codable` type gets both from `OctopusPayloadEncoder`/`OctopusPayloadDecoder`:
///
/// ```swift
/// struct SubscriptionCreatedV1Event: OctopusEvent, Codable {
///     static let eventType = "SubscriptionCreatedV1"
///     var licenseKey: String
///     var plan: String
/// }
///
/// let envelope = try OctopusEnvelope(event: SubscriptionCreatedV1Event(licenseKey: "k", plan: "pro"),
///                                    id: "SubscriptionCreated-k-…", source: "Octofront",
///                                    activityID: OctopusTraceParent.random().description)
/// try await sender.send(encoded: envelope.encodedMessage())
///
/// let event = try OctopusEnvelopeView(message: delivery.message).event(as: SubscriptionCreatedV1Event.self)
/// ```
///
/// Other types write and read the payload bytes themselves (one JSON object; what they
/// write is validated like any payload).
public protocol OctopusEvent: Sendable {
    /// The envelope `type`: the event's name without its `Event` suffix, with its version
    /// (`SubscriptionCreatedV1` for `SubscriptionCreatedV1Event`). A published contract:
    /// it must not change while the event is published.
    static var eventType: String { get }

    /// Appends the payload, one JSON object, to `buffer`.
    func encodePayload(into buffer: inout ByteBuffer) throws(OctopusEnvelopeError)

    /// Reads the event from its payload (one validated JSON object).
    init(payload: ByteBuffer) throws(OctopusEnvelopeError)
}

extension OctopusEvent where Self: Encodable {
    public func encodePayload(into buffer: inout ByteBuffer) throws(OctopusEnvelopeError) {
        try OctopusPayloadEncoder().encode(self, into: &buffer)
    }
}

extension OctopusEvent where Self: Decodable {
    public init(payload: ByteBuffer) throws(OctopusEnvelopeError) {
        self = try OctopusPayloadDecoder().decode(Self.self, from: payload)
    }
}

extension OctopusEnvelope {
    /// An envelope for `event`, whose type gives the envelope's `type`.
    public init<Event: OctopusEvent>(
        event: Event, id: String, source: String, occurredTime: AMQPTimestamp = .now(), activityID: String,
        limits: OctopusEnvelopeLimits = .default
    ) throws(OctopusEnvelopeError) {
        var payload = ByteBuffer()
        try event.encodePayload(into: &payload)
        try self.init(id: id, source: source, type: Event.eventType, occurredTime: occurredTime, activityID: activityID,
                      payload: payload, limits: limits)
    }

    /// The event this envelope carries, if its `type` is `Event.eventType`.
    public func event<Event: OctopusEvent>(as eventType: Event.Type = Event.self) throws(OctopusEnvelopeError) -> Event {
        guard type == Event.eventType else {
            throw OctopusEnvelopeError(code: .eventTypeMismatch, field: EnvelopeField.type.text,
                                       detail: "expected \(Event.eventType)")
        }
        return try Event(payload: payload)
    }
}

extension OctopusEnvelopeView {
    /// The event this envelope carries, if its `type` is `Event.eventType` (compared as bytes).
    public func event<Event: OctopusEvent>(as eventType: Event.Type = Event.self) throws(OctopusEnvelopeError) -> Event {
        guard hasType(Event.eventType) else {
            throw OctopusEnvelopeError(code: .eventTypeMismatch, field: EnvelopeField.type.text,
                                       detail: "expected \(Event.eventType)")
        }
        return try Event(payload: payload)
    }
}
