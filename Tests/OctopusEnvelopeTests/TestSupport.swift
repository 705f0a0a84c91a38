import AMQPCore
import NIOCore
import OctopusEnvelope

/// The envelope from the spec (events.md, "The envelope (spec version 1)"), compact.
let specExample = #"{"id":"SubscriptionCreated-licensekey-8a52c8af-2408-486f-ba4a-d277079de2b0","source":"Octofront","type":"SubscriptionCreatedV1","occurredTimeUtc":"2021-11-08T12:33:00Z","activityId":"00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00","specVersion":"1","payload":{}}"#

let exampleActivity = "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00"

func buffer(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

func string(_ buffer: ByteBuffer) -> String { String(buffer: buffer) }

/// An envelope JSON with `members` replacing (or, with nil, removing) the example's members;
/// members are written in the spec's order, then any extra ones.
func envelopeJSON(_ changes: [String: String?] = [:]) -> String {
    var members: [(String, String)] = [
        ("id", #""e-1""#), ("source", #""Octofront""#), ("type", #""SubscriptionCreatedV1""#),
        ("occurredTimeUtc", #""2021-11-08T12:33:00Z""#), ("activityId", "\"\(exampleActivity)\""),
        ("specVersion", #""1""#), ("payload", #"{"licenseKey":"k"}"#),
    ]
    for (name, value) in changes.sorted(by: { $0.key < $1.key }) {
        if let index = members.firstIndex(where: { $0.0 == name }) {
            if let value { members[index].1 = value } else { members.remove(at: index) }
        } else if let value {
            members.append((name, value))
        }
    }
    return "{" + members.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
}

func decodeError(_ json: String, limits: OctopusEnvelopeLimits = .default) -> OctopusEnvelopeError? {
    do {
        _ = try OctopusEnvelopeView(decoding: buffer(json), limits: limits)
        return nil
    } catch {
        return error
    }
}

func payloadError(_ json: String, limits: OctopusEnvelopeLimits = .default) -> OctopusEnvelopeError? {
    do {
        _ = try OctopusEnvelope.validatePayload(buffer(json), limits: limits)
        return nil
    } catch {
        return error
    }
}

func bytes(_ values: [UInt8]) -> ByteBuffer { ByteBuffer(bytes: values) }

/// The address range of a buffer's readable bytes.
func addresses(_ buffer: ByteBuffer) -> ClosedRange<UInt> {
    buffer.withUnsafeReadableBytes {
        let start = UInt(bitPattern: $0.baseAddress)
        return start...(start + UInt(max($0.count, 1) - 1))
    }
}

func sample(payload: String = #"{"licenseKey":"k"}"#, id: String = "e-1") throws -> OctopusEnvelope {
    try OctopusEnvelope(id: id, source: "Octofront", type: "SubscriptionCreatedV1",
                        occurredTimeUTC: "2021-11-08T12:33:00Z", activityID: exampleActivity, payload: buffer(payload))
}
