import AMQPCore
import NIOCore

/// The invariants the envelope fuzz target (`Fuzz/Sources/FuzzEnvelopeDecoder`) checks and
/// the tests replay on its fail cases and seeds. Input rejected with an
/// `OctopusEnvelopeError` is fine; what is accepted must hold together:
///
/// - an envelope that decodes can be built again from its fields, its payload validates on
///   its own, and its encoding (and its AMQP message, whole or in parts) decodes to an equal
///   envelope; the encoding has the size announced and is stable;
/// - sections put before a body holding an envelope are judged alike by the fast read of
///   the properties and by decoding them;
/// - bytes that validate as a payload decode through `OctopusPayloadDecoder` as a generic
///   JSON value (unless a number fits no Swift number type), which re-encodes to a valid
///   payload that decodes to an equal value.
///
/// Each check returns nil when the input is fine and a description of the violation otherwise.
/// Not API: reach it with `@_spi(RoundTripChecks) import OctopusEnvelope`.
@_spi(RoundTripChecks)
public enum OctopusRoundTripCheck {
    public static func checkEnvelope(_ input: ByteBuffer) -> String? {
        guard let view = try? OctopusEnvelopeView(decoding: input) else { return nil }
        let envelope = view.envelope()
        do {
            _ = try OctopusEnvelope.validatePayload(view.payload)
        } catch {
            return "the payload of a decoded envelope does not validate alone: \(error)"
        }
        let rebuilt: OctopusEnvelope
        do {
            rebuilt = try OctopusEnvelope(id: envelope.id, source: envelope.source, type: envelope.type,
                                          occurredTimeUTC: envelope.occurredTimeUTC, activityID: envelope.activityID,
                                          payload: envelope.payload)
        } catch {
            return "a decoded envelope cannot be built from its fields: \(error)"
        }
        guard rebuilt == envelope else { return "the rebuilt envelope differs: \(rebuilt) vs \(envelope)" }
        let encoded = envelope.encoded()
        guard encoded.readableBytes == envelope.encodedSize else {
            return "encodedSize \(envelope.encodedSize), encoded \(encoded.readableBytes) bytes"
        }
        let again: OctopusEnvelope
        do {
            again = try OctopusEnvelope(decoding: encoded)
        } catch {
            return "the re-encoded envelope does not decode: \(error)\n\(String(buffer: encoded))"
        }
        guard again == envelope else { return "the re-encoded envelope decodes differently: \(again) vs \(envelope)" }
        guard again.encoded() == encoded else { return "the encoding is not stable" }
        return checkMessage(envelope)
    }

    static func checkMessage(_ envelope: OctopusEnvelope) -> String? {
        let message = envelope.encodedMessage()
        guard message == envelope.message().encoded(), message.readableBytes == envelope.encodedMessageSize else {
            return "encodeMessage and message().encoded() differ, or the size is wrong"
        }
        var scratch = ByteBuffer()
        guard envelope.encodeMessageParts(into: &scratch, bodyThreshold: 0).joined() == message else {
            return "encodeMessageParts differs from encodeMessage"
        }
        do {
            let decoded = try OctopusEnvelope(message: AMQPMessageView(decoding: message))
            guard decoded == envelope else { return "the message decodes to another envelope: \(decoded)" }
        } catch {
            return "the envelope's message does not decode: \(error)"
        }
        return nil
    }

    /// The input as the sections before a body that holds the spec's example envelope: the
    /// fast read of message-id, subject and content-type must accept what decoding the
    /// properties section accepts, and reject what it rejects for the same reason. Decoding
    /// may also find the section malformed where the fast read stops at a mismatch, or at a
    /// field after content-type it does not look at: both reject, or only decoding, for
    /// `invalidMessage`.
    public static func checkProperties(_ input: ByteBuffer) -> String? {
        var bytes = input
        bytes.writeAMQPDataSection(example.encoded())
        guard let message = try? AMQPMessageView(decoding: bytes), message.data != nil,
              let view = try? OctopusEnvelopeView(message: message, checkingProperties: false) else { return nil }
        var fast: OctopusEnvelopeError?
        do { try view.checkProperties(of: message) } catch { fast = error }
        var general: OctopusEnvelopeError?
        do {
            let properties = try message.properties()
            do { try view.check(properties) } catch { general = error }
        } catch {
            general = OctopusEnvelopeError(code: .invalidMessage, amqpError: error)
        }
        switch (fast, general) {
        case (nil, nil):
            return nil
        case (_, .some(let error)) where error.code == .invalidMessage:
            return nil
        case (.some(let a), .some(let b)) where a.code == b.code && a.field == b.field:
            return nil
        default:
            return "the properties fast path says \(fast.map { "\($0)" } ?? "fine"), decoding says \(general.map { "\($0)" } ?? "fine")"
        }
    }

    static let example = try! OctopusEnvelope(
        id: "e-1", source: "Octofront", type: "SubscriptionCreatedV1", occurredTimeUTC: "2021-11-08T12:33:00Z",
        activityID: "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00", payload: ByteBuffer(string: "{}"))

    public static func checkPayload(_ input: ByteBuffer) -> String? {
        guard (try? OctopusEnvelope.validatePayload(input)) != nil else { return nil }
        let value: AnyJSON
        do {
            value = try OctopusPayloadDecoder().decode(AnyJSON.self, from: input)
        } catch {
            // Only a number no Swift number type holds (1e400) may stop a valid payload from
            // decoding.
            return error.detail == "\(AnyJSON.NumberOutOfRange.self) thrown"
                ? nil : "a valid payload does not decode as a JSON value: \(error)"
        }
        let encoded: ByteBuffer
        do {
            encoded = try OctopusPayloadEncoder().encode(value)
            _ = try OctopusEnvelope.validatePayload(encoded)
        } catch {
            return "a decoded payload does not re-encode to a valid payload: \(error)"
        }
        guard let again = try? OctopusPayloadDecoder().decode(AnyJSON.self, from: encoded), again == value else {
            return "the re-encoded payload decodes differently\n\(String(buffer: encoded))"
        }
        return nil
    }
}

/// Any JSON value through the Codable decoder and encoder.
enum AnyJSON: Codable, Equatable {
    case null, bool(Bool), integer(Int64), unsigned(UInt64), double(Double), string(String)
    case array([AnyJSON]), object([String: AnyJSON])

    init(from decoder: any Decoder) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? single.decode(Int64.self) {
            self = .integer(value)
        } else if let value = try? single.decode(UInt64.self) {
            self = .unsigned(value)
        } else if let value = try? single.decode(Double.self) {
            self = .double(value)
        } else if let value = try? single.decode(String.self) {
            self = .string(value)
        } else {
            do {
                self = .array(try single.decode([AnyJSON].self))
                return
            } catch let error as NumberOutOfRange {
                throw error
            } catch {}
            do {
                self = .object(try single.decode([String: AnyJSON].self))
            } catch let error as NumberOutOfRange {
                throw error
            } catch {
                // Not an array or object either: a number no number type holds.
                throw NumberOutOfRange()
            }
        }
    }

    struct NumberOutOfRange: Error {}

    func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        switch self {
        case .null: try single.encodeNil()
        case .bool(let value): try single.encode(value)
        case .integer(let value): try single.encode(value)
        case .unsigned(let value): try single.encode(value)
        case .double(let value): try single.encode(value)
        case .string(let value): try single.encode(value)
        case .array(let value): try single.encode(value)
        case .object(let value): try single.encode(value)
        }
    }
}
