import AMQPCore
import NIOCore

/// An integration event in its envelope (envelope spec version 1):
///
/// ```json
/// {"id":"…","source":"Octofront","type":"SubscriptionCreatedV1","occurredTimeUtc":"2021-11-08T12:33:00Z",
///  "activityId":"00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00","specVersion":"1","payload":{…}}
/// ```
///
/// Every value is valid by construction, and the decoder holds received envelopes to the same
/// rules: `id`, `source` and `type` are non-empty strings, `id` at most 128 characters (it is
/// the message-id Service Bus detects duplicates by); `occurredTimeUtc` is ISO 8601 UTC
/// (`YYYY-MM-DDThh:mm:ss[.f]Z`); `activityId` is a W3C traceparent; `specVersion` is `"1"`;
/// `payload` is one JSON object, kept as the bytes it came in (never re-serialised).
///
/// The Good Event Test's rules about names, versions and sizes are the contract checks' job
/// (OctopusEvents), not the codec's.
public struct OctopusEnvelope: Hashable, Sendable {
    /// The envelope spec version this codec reads and writes.
    public static let specVersion = EnvelopeField.supportedSpecVersion

    /// Unique at least within its topic; the key for the broker's duplicate detection.
    public let id: String
    /// The publishing system.
    public let source: String
    /// The event type: the event's name without its `Event` suffix (`SubscriptionCreatedV1`).
    public let type: String
    /// `occurredTimeUtc` as text (exactly as received, or as built from `occurredTime`).
    public let occurredTimeUTC: String
    /// When it happened, to the millisecond.
    public let occurredTime: AMQPTimestamp
    /// `activityId`: the overall activity in traces, a W3C traceparent.
    public let activityID: String
    public let specVersion: String
    /// The event's data: one JSON object, from `{` to `}`.
    public let payload: ByteBuffer

    /// The envelope's encoded JSON size, known once built.
    let jsonSize: Int

    /// An envelope around `payload` (JSON object bytes, validated, not re-serialised).
    public init(
        id: String, source: String, type: String, occurredTimeUTC: String, activityID: String,
        payload: ByteBuffer, limits: OctopusEnvelopeLimits = .default
    ) throws(OctopusEnvelopeError) {
        try OctopusEnvelope.check(.id, id)
        try OctopusEnvelope.check(.source, source)
        try OctopusEnvelope.check(.type, type)
        try OctopusEnvelope.check(.activityID, activityID)
        guard let time = AMQPTimestamp(iso8601UTC: occurredTimeUTC) else {
            throw OctopusEnvelopeError(code: .invalidTime, field: EnvelopeField.occurredTimeUTC.text)
        }
        let object = try OctopusEnvelope.validatePayload(payload, limits: limits)
        self.init(validated: id, source: source, type: type, occurredTimeUTC: occurredTimeUTC, occurredTime: time,
                  activityID: activityID, specVersion: OctopusEnvelope.specVersion, payload: object)
        guard jsonSize <= limits.byteCap else {
            throw OctopusEnvelopeError(code: .tooLarge, detail: "\(jsonSize) bytes, at most \(limits.byteCap)")
        }
    }

    /// An envelope for an event that happened at `occurredTime` (written with milliseconds
    /// only when it has some: `2021-11-08T12:33:00Z`).
    public init(
        id: String, source: String, type: String, occurredTime: AMQPTimestamp, activityID: String,
        payload: ByteBuffer, limits: OctopusEnvelopeLimits = .default
    ) throws(OctopusEnvelopeError) {
        guard let text = occurredTime.iso8601UTC else {
            throw OctopusEnvelopeError(code: .invalidTime, field: EnvelopeField.occurredTimeUTC.text,
                                       detail: "outside the years 0000-9999")
        }
        try self.init(id: id, source: source, type: type, occurredTimeUTC: text, activityID: activityID,
                      payload: payload, limits: limits)
    }

    /// Decodes and validates an envelope (see `OctopusEnvelopeView`); the payload stays a
    /// slice of `bytes`.
    public init(decoding bytes: ByteBuffer, limits: OctopusEnvelopeLimits = .default) throws(OctopusEnvelopeError) {
        self = try OctopusEnvelopeView(decoding: bytes, limits: limits).envelope()
    }

    /// Fields known to be valid.
    init(validated id: String, source: String, type: String, occurredTimeUTC: String, occurredTime: AMQPTimestamp,
         activityID: String, specVersion: String, payload: ByteBuffer) {
        self.id = id
        self.source = source
        self.type = type
        self.occurredTimeUTC = occurredTimeUTC
        self.occurredTime = occurredTime
        self.activityID = activityID
        self.specVersion = specVersion
        self.payload = payload
        self.jsonSize = OctopusEnvelope.jsonSize(id, source, type, occurredTimeUTC, activityID, specVersion,
                                                 payload: payload.readableBytes)
    }

    /// `activityId`, parsed.
    public var traceParent: OctopusTraceParent { OctopusTraceParent(activityID)! }

    /// Checks that `payload` is one strict JSON object (whitespace around it allowed) and
    /// returns the object's bytes without that whitespace.
    public static func validatePayload(
        _ payload: ByteBuffer, limits: OctopusEnvelopeLimits = .default
    ) throws(OctopusEnvelopeError) -> ByteBuffer {
        guard payload.readableBytes <= limits.byteCap else {
            throw OctopusEnvelopeError(code: .tooLarge, field: EnvelopeField.payload.text,
                                       detail: "\(payload.readableBytes) bytes, at most \(limits.byteCap)")
        }
        let result: Result<Range<Int>, OctopusEnvelopeError> = payload.withUnsafeReadableBytes { raw in
            Result { () throws(OctopusEnvelopeError) in
                do throws(OctopusEnvelopeError) {
                    // Depth 2: inside an envelope, the payload is nested once.
                    return try JSONScanner.validateObject(raw, depth: 2, maxDepth: limits.maxDepth)
                } catch {
                    var error = error
                    error.field = error.field ?? EnvelopeField.payload.text
                    throw error
                }
            }
        }
        let range = try result.get()
        return payload.getSlice(at: payload.readerIndex + range.lowerBound, length: range.count)!
    }

    private static func check(_ field: EnvelopeField, _ value: String) throws(OctopusEnvelopeError) {
        var value = value
        if let (code, detail) = value.withUTF8({ EnvelopeField.problem(with: field, value: UnsafeRawBufferPointer($0)) }) {
            throw OctopusEnvelopeError(code: code, field: field.text, detail: detail)
        }
    }
}

extension OctopusEnvelope: CustomStringConvertible {
    /// The envelope's fields but not its payload (which may hold customer data): its size only.
    public var description: String {
        "OctopusEnvelope(id: \(id), source: \(source), type: \(type), occurredTimeUtc: \(occurredTimeUTC), "
            + "activityId: \(activityID), specVersion: \(specVersion), payload: \(payload.readableBytes) bytes)"
    }
}
