import AMQPCore
import Foundation

extension FilterInput {
    /// What rules see of `message`: its `properties` as the Service Bus system properties
    /// (`subject` is `Label`, `group-id` is `SessionId`, `reply-to-group-id` is
    /// `ReplyToSessionId`; a non-string message or correlation id as its text) and its
    /// string-keyed `application-properties`. The broker-assigned values come as arguments.
    public init(message: AMQPMessage, sequenceNumber: Int64? = nil, enqueuedTime: Date? = nil,
                deliveryCount: Int? = nil, size: Int? = nil) {
        let properties = message.properties
        var applicationProperties: [String: AMQPValue] = [:]
        for entry in message.applicationProperties ?? AMQPMap() {
            switch entry.key {
            case .string(let key): applicationProperties[key] = entry.value
            case .symbol(let key): applicationProperties[key.rawValue] = entry.value
            default: continue
            }
        }
        self.init(
            messageId: properties?.messageID?.description,
            correlationId: properties?.correlationID?.description,
            label: properties?.subject,
            to: properties?.to,
            replyTo: properties?.replyTo,
            replyToSessionId: properties?.replyToGroupID,
            sessionId: properties?.groupID,
            contentType: properties?.contentType?.rawValue,
            sequenceNumber: sequenceNumber,
            enqueuedTime: enqueuedTime,
            deliveryCount: deliveryCount,
            size: size,
            applicationProperties: applicationProperties)
    }
}

extension AMQPMessage {
    /// Writes back what a rule action may have changed in `input` (the string system
    /// properties and the application properties). Unchanged ids keep their AMQP type;
    /// application properties keep their order, new ones follow in name order.
    public mutating func apply(_ input: FilterInput) {
        let before = FilterInput(message: self)
        if before.messageId != input.messageId || before.correlationId != input.correlationId
            || before.label != input.label || before.to != input.to || before.replyTo != input.replyTo
            || before.replyToSessionId != input.replyToSessionId || before.sessionId != input.sessionId
            || before.contentType != input.contentType
        {
            var properties = self.properties ?? MessageProperties()
            if before.messageId != input.messageId { properties.messageID = input.messageId.map(AMQPMessageID.string) }
            if before.correlationId != input.correlationId {
                properties.correlationID = input.correlationId.map(AMQPMessageID.string)
            }
            properties.subject = input.label
            properties.to = input.to
            properties.replyTo = input.replyTo
            properties.replyToGroupID = input.replyToSessionId
            properties.groupID = input.sessionId
            if before.contentType != input.contentType { properties.contentType = input.contentType.map { AMQPSymbol($0) } }
            self.properties = properties
        }
        guard before.applicationProperties != input.applicationProperties else { return }
        var map = AMQPMap()
        var written = Set<String>()
        for entry in applicationProperties ?? AMQPMap() {
            let key: String
            switch entry.key {
            case .string(let text): key = text
            case .symbol(let symbol): key = symbol.rawValue
            default:
                map.entries.append(entry)
                continue
            }
            guard let value = input.applicationProperties[key] else { continue }
            map.entries.append(AMQPMap.Entry(key: entry.key, value: value))
            written.insert(key)
        }
        for (key, value) in input.applicationProperties.sorted(by: { $0.key < $1.key }) where !written.contains(key) {
            map.entries.append(AMQPMap.Entry(key: .string(key), value: value))
        }
        applicationProperties = map
    }
}
