import AMQPCore
import NIOCore

/// Writing the envelope: the fields in the spec's order, no whitespace, the payload's bytes
/// as given (`{"id":"…",…,"specVersion":"1","payload":` + payload + `}`).
extension OctopusEnvelope {
    /// The size of the encoded envelope, in bytes.
    public var encodedSize: Int { jsonSize }

    /// Writes the envelope JSON into `buffer` (one pass; the payload copied once).
    public func encode(into buffer: inout ByteBuffer) {
        buffer.reserveCapacity(minimumWritableBytes: jsonSize)
        buffer.writeAMQPRaw { writeJSON(to: &$0) }
    }

    /// The envelope JSON in a new buffer.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// The envelope JSON.
    func writeJSON(to writer: inout AMQPRawWriter) {
        writeJSONHead(to: &writer)
        writer.bytes(of: payload)
        writer.byte(0x7D)
    }

    /// Everything before the payload's bytes.
    func writeJSONHead(to writer: inout AMQPRawWriter) {
        writer.ascii(#"{"id":""#)
        JSONStrings.writeEscaped(id, escapedCount: JSONStrings.escapedCount(id), to: &writer)
        writer.ascii(#"","source":""#)
        JSONStrings.writeEscaped(source, escapedCount: JSONStrings.escapedCount(source), to: &writer)
        writer.ascii(#"","type":""#)
        JSONStrings.writeEscaped(type, escapedCount: JSONStrings.escapedCount(type), to: &writer)
        writer.ascii(#"","occurredTimeUtc":""#)
        JSONStrings.writeEscaped(occurredTimeUTC, escapedCount: JSONStrings.escapedCount(occurredTimeUTC), to: &writer)
        writer.ascii(#"","activityId":""#)
        JSONStrings.writeEscaped(activityID, escapedCount: JSONStrings.escapedCount(activityID), to: &writer)
        writer.ascii(#"","specVersion":""#)
        JSONStrings.writeEscaped(specVersion, escapedCount: JSONStrings.escapedCount(specVersion), to: &writer)
        writer.ascii(#"","payload":"#)
    }

    /// The bytes `writeJSON` writes: the member names and punctuation, the escaped values, the
    /// payload.
    static func jsonSize(
        _ id: String, _ source: String, _ type: String, _ occurredTimeUTC: String, _ activityID: String,
        _ specVersion: String, payload: Int
    ) -> Int {
        let punctuation: StaticString = #"{"id":"","source":"","type":"","occurredTimeUtc":"","activityId":"","specVersion":"","payload":}"#
        return punctuation.utf8CodeUnitCount + JSONStrings.escapedCount(id) + JSONStrings.escapedCount(source)
            + JSONStrings.escapedCount(type) + JSONStrings.escapedCount(occurredTimeUTC)
            + JSONStrings.escapedCount(activityID) + JSONStrings.escapedCount(specVersion) + payload
    }
}
