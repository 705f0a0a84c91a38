import AMQPCore
import NIOCore
@testable import AMQPBroker

/// A deterministic generator (SplitMix64).
struct SplitMix64: RandomNumberGenerator, Sendable {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func at(_ seconds: Int64) -> AMQPTimestamp { AMQPTimestamp(millisecondsSince1970: 1_700_000_000_000 + seconds * 1000) }
func atMilliseconds(_ ms: Int64) -> AMQPTimestamp { AMQPTimestamp(millisecondsSince1970: 1_700_000_000_000 + ms) }

/// An encoded message with a body of `text`.
func payload(_ text: String = "hello", id: String? = nil, session: String? = nil, subject: String? = nil,
             correlationID: String? = nil, contentType: String? = nil, to: String? = nil, replyTo: String? = nil,
             replyToGroupID: String? = nil, ttl: UInt32? = nil, scheduledAt: AMQPTimestamp? = nil,
             properties: AMQPMap? = nil, annotations: [(AMQPSymbol, AMQPValue)] = []) -> ByteBuffer {
    var messageAnnotations = AMQPMap(annotations.map { AMQPMap.Entry(key: .symbol($0.0), value: $0.1) })
    if let scheduledAt {
        messageAnnotations.entries.append(AMQPMap.Entry(key: .symbol(BrokerAnnotation.scheduledEnqueueTime), value: .timestamp(scheduledAt)))
    }
    let message = AMQPMessage(
        header: ttl.map { MessageHeader(durable: true, ttl: $0) },
        messageAnnotations: messageAnnotations.isEmpty ? nil : messageAnnotations,
        properties: MessageProperties(
            messageID: id.map { .string($0) }, to: to, subject: subject, replyTo: replyTo,
            correlationID: correlationID.map { .string($0) }, contentType: contentType.map { AMQPSymbol($0) },
            groupID: session, replyToGroupID: replyToGroupID),
        applicationProperties: properties,
        body: .data(ByteBuffer(string: text)))
    return message.encoded()
}

/// The body text of a delivered message.
func bodyText(_ delivery: BrokerDelivery) -> String? {
    guard let message = try? AMQPMessage(decoding: delivery.encoded()), case .data(let data) = message.body else { return nil }
    return String(buffer: data)
}

func bodyText(_ message: BrokerMessage) -> String? {
    guard let decoded = try? AMQPMessage(decoding: message.encodedForDelivery()), case .data(let data) = decoded.body else { return nil }
    return String(buffer: data)
}

func config(_ json: String) throws -> BrokerConfiguration {
    try BrokerConfiguration.parse(json: #"{"UserConfig": {"Namespaces": [{"Name": "ns", "#  + json + "}]}}")
}

func broker(_ json: String = #""Queues": [{"Name": "q"}]"#, limits: BrokerLimits = .default, seed: UInt64 = 1) throws -> BrokerState {
    try BrokerState(configuration: try config(json), limits: limits, lockTokens: RandomLockTokens(SplitMix64(seed: seed)))
}

extension BrokerState {
    /// Sends a text message, expecting it to be accepted.
    @discardableResult
    mutating func sendText(_ text: String, to address: String = "q", now: AMQPTimestamp = at(0), id: String? = nil,
                           session: String? = nil, ttl: UInt32? = nil, scheduledAt: AMQPTimestamp? = nil,
                           properties: AMQPMap? = nil, subject: String? = nil) throws(BrokerError) -> BrokerSendResult {
        try send(payload(text, id: id, session: session, subject: subject, ttl: ttl, scheduledAt: scheduledAt, properties: properties),
                 to: address, now: now)
    }

    /// Attaches a receiver and grants it credit; returns it and the first deliveries.
    mutating func receiver(_ address: String = "q", mode: BrokerReceiveMode = .peekLock, credit: Int = 10,
                           session: BrokerSessionRequest = .none, now: AMQPTimestamp = at(0)) throws(BrokerError) -> (BrokerReceiverID, [BrokerDelivery]) {
        let attached = try attachReceiver(to: address, mode: mode, session: session, now: now)
        let actions = try addCredit(credit, to: attached.id, now: now)
        return (attached.id, actions.deliveries)
    }
}
