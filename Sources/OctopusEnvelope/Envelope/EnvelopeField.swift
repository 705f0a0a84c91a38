import AMQPCore

/// The members of envelope spec version 1, in the order the spec shows them (and the encoder
/// writes them).
enum EnvelopeField: Int, CaseIterable, Sendable {
    case id, source, type, occurredTimeUTC, activityID, specVersion, payload

    /// The JSON member name.
    var name: StaticString {
        switch self {
        case .id: return "id"
        case .source: return "source"
        case .type: return "type"
        case .occurredTimeUTC: return "occurredTimeUtc"
        case .activityID: return "activityId"
        case .specVersion: return "specVersion"
        case .payload: return "payload"
        }
    }

    var text: String { name.description }

    /// The field a member name names (escapes decoded), or nil.
    static func named(_ token: JSONStringToken, in bytes: UnsafeRawBufferPointer) -> EnvelopeField? {
        guard !token.isEscaped else {
            let name = JSONStrings.decode(token, in: bytes)
            return allCases.first { $0.text == name }
        }
        let candidate: EnvelopeField
        switch token.count {
        case 2: candidate = .id
        case 4: candidate = .type
        case 6: candidate = .source
        case 7: candidate = .payload
        case 10: candidate = .activityID
        case 11: candidate = .specVersion
        case 15: candidate = .occurredTimeUTC
        default: return nil
        }
        let name = candidate.name.utf8Start
        for i in 0..<token.count where bytes[token.start &+ i] != name[i] { return nil }
        return candidate
    }

    /// The versions of the envelope spec this codec reads and writes.
    static let supportedSpecVersion = "1"

    /// `message-id` is at most 128 characters on Service Bus (UTF-16 code units, as .NET
    /// counts them), and the envelope `id` is the message-id.
    static let maxIDLength = 128

    /// Why the value of a string field breaks the envelope spec, if it does: `value` is its
    /// UTF-8. `occurredTimeUtc` is checked by parsing it.
    static func problem(with field: EnvelopeField, value: UnsafeRawBufferPointer) -> (OctopusEnvelopeError.Code, String?)? {
        switch field {
        case .activityID:
            guard OctopusTraceParent.parse(value) != nil else { return (.invalidActivityID, nil) }
        case .specVersion:
            guard value.elementsEqual(supportedSpecVersion.utf8) else {
                return (.unsupportedSpecVersion, "supported: \(supportedSpecVersion)")
            }
        case .occurredTimeUTC:
            guard AMQPTimestamp.parseISO8601UTC(value) != nil else { return (.invalidTime, nil) }
        default:
            guard !value.isEmpty else { return (.emptyField, nil) }
            if field == .id {
                let length = utf16Count(value)
                guard length <= maxIDLength else { return (.fieldTooLong, "\(length) characters, at most \(maxIDLength)") }
            }
        }
        return nil
    }

    /// UTF-16 code units of valid UTF-8.
    static func utf16Count(_ utf8: UnsafeRawBufferPointer) -> Int {
        var count = 0
        for byte in utf8 {
            if byte & 0xC0 != 0x80 { count &+= 1 }   // a scalar starts
            if byte >= 0xF0 { count &+= 1 }          // and needs a surrogate pair
        }
        return count
    }
}
