extension CorrelationFilter {
    /// A correlation filter from the broker configuration's shape.
    public init(_ configuration: CorrelationFilterConfiguration) throws(CorrelationFilterError) {
        try self.init(
            contentType: configuration.contentType, correlationId: configuration.correlationId,
            label: configuration.label, messageId: configuration.messageId, replyTo: configuration.replyTo,
            replyToSessionId: configuration.replyToSessionId, sessionId: configuration.sessionId,
            to: configuration.to, properties: configuration.properties)
    }
}
