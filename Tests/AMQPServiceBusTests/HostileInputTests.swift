import AMQPCore
import AMQPServiceBus
import Foundation
import NIOCore
import Testing

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Parsers fed random input must throw or succeed, never trap.
@Suite struct HostileInputTests {
    static let alphabet = Array("=;&%+/: \t.-_~$abcSsEeRrTtiIgGnNkK0123456789[]@?#é")
    static let fragments = [
        "Endpoint=", "sb://", "ns.example.com", ":5671", "/", ";", "SharedAccessKeyName=", "SharedAccessKey=",
        "SharedAccessSignature=", "SharedAccessSignature ", "sr=", "&sig=", "&se=", "&skn=", "EntityPath=",
        "UseDevelopmentEmulator=", "true", "Subscriptions", "$DeadLetterQueue", "$Transfer", "$management", "$cbs", "%",
    ]

    func randomText(_ rng: inout SplitMix64) -> String {
        var text = ""
        for _ in 0..<Int.random(in: 0..<12, using: &rng) {
            if Bool.random(using: &rng) {
                text += Self.fragments.randomElement(using: &rng) ?? ""
            } else {
                text.append(Self.alphabet.randomElement(using: &rng) ?? "x")
            }
        }
        return text
    }

    @Test func textParsersNeverTrap() {
        var rng = SplitMix64(state: 0x5EED)
        var accepted = 0
        for _ in 0..<5_000 {
            let text = randomText(&rng)
            if (try? ServiceBusConnectionString(parsing: text)) != nil { accepted += 1 }
            if (try? SharedAccessSignature(parsing: text)) != nil { accepted += 1 }
            if (try? ServiceBusEntityPath(parsing: text)) != nil { accepted += 1 }
            if (try? ServiceBusAddress(parsing: text)) != nil { accepted += 1 }
            _ = SharedAccessSignature.urlDecoded(text)
        }
        // Some inputs are valid paths; the generator is not producing only garbage.
        #expect(accepted > 25)
    }

    static let keys = [
        "lock-tokens", "expirations", "expiration", "session-id", "session-state", "disposition-status",
        "deadletter-reason", "deadletter-description", "properties-to-modify", "from-sequence-number", "message-count",
        "messages", "message", "message-id", "lock-token", "partition-key", "via-partition-key", "sequence-numbers",
        "receiver-settle-mode", "last-updated-time", "skip", "top", "sessions-ids",
    ]

    func randomValue(_ rng: inout SplitMix64, depth: Int = 0) -> AMQPValue {
        switch Int.random(in: 0..<(depth > 1 ? 12 : 15), using: &rng) {
        case 0: return .null
        case 1: return .long(Int64(bitPattern: rng.next()))
        case 2: return .int(Int32(truncatingIfNeeded: rng.next()))
        case 3: return .ulong(rng.next())
        case 4: return .uint(UInt32(truncatingIfNeeded: rng.next()))
        case 5: return .string(randomText(&rng))
        case 6: return .symbol(AMQPSymbol(randomText(&rng)))
        case 7: return .timestamp(AMQPTimestamp(millisecondsSince1970: Int64(bitPattern: rng.next())))
        case 8: return .uuid(AMQPUUID(high: rng.next(), low: rng.next()))
        case 9: return .binary(ByteBuffer(bytes: (0..<Int.random(in: 0..<20, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        case 10: return .double(Double(bitPattern: rng.next()))
        case 11: return .boolean(Bool.random(using: &rng))
        case 12: return .list((0..<Int.random(in: 0..<4, using: &rng)).map { _ in randomValue(&rng, depth: depth + 1) })
        case 13: return .map(randomMap(&rng, depth: depth + 1))
        default:
            let longs = (0..<Int.random(in: 0..<4, using: &rng)).map { _ in AMQPValue.long(Int64(bitPattern: rng.next())) }
            return (try? AMQPArray(longs, of: .primitive(.long))).map { .array($0) } ?? .null
        }
    }

    func randomMap(_ rng: inout SplitMix64, depth: Int = 0) -> AMQPMap {
        var map = AMQPMap()
        for _ in 0..<Int.random(in: 0..<6, using: &rng) {
            let key = Self.keys.randomElement(using: &rng) ?? "x"
            map[Bool.random(using: &rng) ? .string(key) : .symbol(AMQPSymbol(key))] = randomValue(&rng, depth: depth)
        }
        return map
    }

    @Test func bodyParsersNeverTrap() {
        var rng = SplitMix64(state: 0xB0D1E5)
        for _ in 0..<2_000 {
            let map = randomMap(&rng)
            _ = try? RenewLockRequest(map: map)
            _ = try? RenewLockResponse(map: map)
            _ = try? RenewSessionLockRequest(map: map)
            _ = try? RenewSessionLockResponse(map: map)
            _ = try? UpdateDispositionRequest(map: map)
            _ = try? PeekMessageRequest(map: map)
            _ = try? ManagementMessagesResponse(map: map)
            _ = try? ScheduleMessageRequest(map: map)
            _ = try? SequenceNumbersResponse(map: map)
            _ = try? CancelScheduledMessageRequest(map: map)
            _ = try? ReceiveBySequenceNumberRequest(map: map)
            _ = try? GetSessionStateRequest(map: map)
            _ = try? SessionStateResponse(map: map)
            _ = try? SetSessionStateRequest(map: map)
            _ = try? GetMessageSessionsRequest(map: map)
            _ = try? MessageSessionsResponse(map: map)

            let applicationProperties = randomMap(&rng)
            let annotations = randomMap(&rng)
            var message = AMQPMessage(
                messageAnnotations: annotations, properties: MessageProperties(messageID: "1", correlationID: "2"),
                applicationProperties: applicationProperties, body: .value(randomValue(&rng)))
            _ = try? CBSPutTokenRequest(message: message)
            _ = try? CBSPutTokenResponse(message: message)
            _ = try? ManagementRequest(message: message)
            _ = try? ManagementResponse(message: message)
            message.body = .data(ByteBuffer(string: "x"))
            _ = try? ServiceBusMessage(amqpMessage: message)
            _ = try? ServiceBusReceivedMessage(amqpMessage: message, deliveryTag: ByteBuffer(bytes: [1, 2, 3]))
            _ = try? ServiceBusMessageBatch.decodeMessages(of: message)
        }
    }

    @Test func annotationTypedParsingOfServiceAnnotationsNeverTraps() {
        var rng = SplitMix64(state: 0xA770)
        let names: [AMQPSymbol] = [
            "x-opt-sequence-number", "x-opt-enqueued-time", "x-opt-locked-until", "x-opt-scheduled-enqueue-time",
            "x-opt-partition-key", "x-opt-via-partition-key", "x-opt-deadletter-source", "x-opt-enqueue-sequence-number",
            "x-opt-message-state", "x-opt-lock-token",
        ]
        for _ in 0..<5_000 {
            var annotations = AMQPMap()
            for name in names where Bool.random(using: &rng) { annotations[symbol: name] = randomValue(&rng) }
            let message = AMQPMessage(
                deliveryAnnotations: annotations, messageAnnotations: annotations, body: .data(ByteBuffer()))
            _ = try? ServiceBusReceivedMessage(amqpMessage: message)
        }
    }
}
