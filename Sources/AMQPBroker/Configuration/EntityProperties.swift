/// The properties of a queue or a subscription. Each absent one takes the Service Bus default.
public struct EntityProperties: Hashable, Sendable, Codable {
    public var deadLetteringOnMessageExpiration: Bool
    /// Effectively infinite by default (`TimeSpan.MaxValue`).
    public var defaultMessageTimeToLive: ISO8601Duration
    /// Ten minutes by default; Service Bus allows 20 seconds to 7 days.
    public var duplicateDetectionHistoryTimeWindow: ISO8601Duration
    /// An entity name, or nil (the file's `""` reads as nil).
    public var forwardDeadLetteredMessagesTo: String?
    public var forwardTo: String?
    /// One minute by default; at most five.
    public var lockDuration: ISO8601Duration
    public var maxDeliveryCount: Int
    public var requiresDuplicateDetection: Bool
    public var requiresSession: Bool
    /// Queues only (a subscription counts against its topic): 1024 by default.
    public var maxSizeInMegabytes: Int
    /// Queues only: 256 (the Standard tier's limit) by default.
    public var maxMessageSizeInKilobytes: Int

    public init(
        deadLetteringOnMessageExpiration: Bool = false,
        defaultMessageTimeToLive: ISO8601Duration = .effectivelyInfinite,
        duplicateDetectionHistoryTimeWindow: ISO8601Duration = .minutes(10),
        forwardDeadLetteredMessagesTo: String? = nil,
        forwardTo: String? = nil,
        lockDuration: ISO8601Duration = .minutes(1),
        maxDeliveryCount: Int = 10,
        requiresDuplicateDetection: Bool = false,
        requiresSession: Bool = false,
        maxSizeInMegabytes: Int = 1024,
        maxMessageSizeInKilobytes: Int = 256
    ) {
        self.deadLetteringOnMessageExpiration = deadLetteringOnMessageExpiration
        self.defaultMessageTimeToLive = defaultMessageTimeToLive
        self.duplicateDetectionHistoryTimeWindow = duplicateDetectionHistoryTimeWindow
        self.forwardDeadLetteredMessagesTo = forwardDeadLetteredMessagesTo.flatMap { $0.isEmpty ? nil : $0 }
        self.forwardTo = forwardTo.flatMap { $0.isEmpty ? nil : $0 }
        self.lockDuration = lockDuration
        self.maxDeliveryCount = maxDeliveryCount
        self.requiresDuplicateDetection = requiresDuplicateDetection
        self.requiresSession = requiresSession
        self.maxSizeInMegabytes = maxSizeInMegabytes
        self.maxMessageSizeInKilobytes = maxMessageSizeInKilobytes
    }

    enum CodingKeys: String, CodingKey {
        case deadLetteringOnMessageExpiration = "DeadLetteringOnMessageExpiration"
        case defaultMessageTimeToLive = "DefaultMessageTimeToLive"
        case duplicateDetectionHistoryTimeWindow = "DuplicateDetectionHistoryTimeWindow"
        case forwardDeadLetteredMessagesTo = "ForwardDeadLetteredMessagesTo"
        case forwardTo = "ForwardTo"
        case lockDuration = "LockDuration"
        case maxDeliveryCount = "MaxDeliveryCount"
        case requiresDuplicateDetection = "RequiresDuplicateDetection"
        case requiresSession = "RequiresSession"
        case maxSizeInMegabytes = "MaxSizeInMegabytes"
        case maxMessageSizeInKilobytes = "MaxMessageSizeInKilobytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = EntityProperties()
        self.init(
            deadLetteringOnMessageExpiration: try c.decodeIfPresent(Bool.self, forKey: .deadLetteringOnMessageExpiration) ?? d.deadLetteringOnMessageExpiration,
            defaultMessageTimeToLive: try c.decodeIfPresent(ISO8601Duration.self, forKey: .defaultMessageTimeToLive) ?? d.defaultMessageTimeToLive,
            duplicateDetectionHistoryTimeWindow: try c.decodeIfPresent(ISO8601Duration.self, forKey: .duplicateDetectionHistoryTimeWindow) ?? d.duplicateDetectionHistoryTimeWindow,
            forwardDeadLetteredMessagesTo: try c.decodeIfPresent(String.self, forKey: .forwardDeadLetteredMessagesTo),
            forwardTo: try c.decodeIfPresent(String.self, forKey: .forwardTo),
            lockDuration: try c.decodeIfPresent(ISO8601Duration.self, forKey: .lockDuration) ?? d.lockDuration,
            maxDeliveryCount: try c.decodeIfPresent(Int.self, forKey: .maxDeliveryCount) ?? d.maxDeliveryCount,
            requiresDuplicateDetection: try c.decodeIfPresent(Bool.self, forKey: .requiresDuplicateDetection) ?? d.requiresDuplicateDetection,
            requiresSession: try c.decodeIfPresent(Bool.self, forKey: .requiresSession) ?? d.requiresSession,
            maxSizeInMegabytes: try c.decodeIfPresent(Int.self, forKey: .maxSizeInMegabytes) ?? d.maxSizeInMegabytes,
            maxMessageSizeInKilobytes: try c.decodeIfPresent(Int.self, forKey: .maxMessageSizeInKilobytes) ?? d.maxMessageSizeInKilobytes)
    }
}

/// The properties of a topic.
public struct TopicProperties: Hashable, Sendable, Codable {
    public var defaultMessageTimeToLive: ISO8601Duration
    public var duplicateDetectionHistoryTimeWindow: ISO8601Duration
    public var requiresDuplicateDetection: Bool
    public var maxSizeInMegabytes: Int
    public var maxMessageSizeInKilobytes: Int

    public init(
        defaultMessageTimeToLive: ISO8601Duration = .effectivelyInfinite,
        duplicateDetectionHistoryTimeWindow: ISO8601Duration = .minutes(10),
        requiresDuplicateDetection: Bool = false,
        maxSizeInMegabytes: Int = 1024,
        maxMessageSizeInKilobytes: Int = 256
    ) {
        self.defaultMessageTimeToLive = defaultMessageTimeToLive
        self.duplicateDetectionHistoryTimeWindow = duplicateDetectionHistoryTimeWindow
        self.requiresDuplicateDetection = requiresDuplicateDetection
        self.maxSizeInMegabytes = maxSizeInMegabytes
        self.maxMessageSizeInKilobytes = maxMessageSizeInKilobytes
    }

    enum CodingKeys: String, CodingKey {
        case defaultMessageTimeToLive = "DefaultMessageTimeToLive"
        case duplicateDetectionHistoryTimeWindow = "DuplicateDetectionHistoryTimeWindow"
        case requiresDuplicateDetection = "RequiresDuplicateDetection"
        case maxSizeInMegabytes = "MaxSizeInMegabytes"
        case maxMessageSizeInKilobytes = "MaxMessageSizeInKilobytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = TopicProperties()
        self.init(
            defaultMessageTimeToLive: try c.decodeIfPresent(ISO8601Duration.self, forKey: .defaultMessageTimeToLive) ?? d.defaultMessageTimeToLive,
            duplicateDetectionHistoryTimeWindow: try c.decodeIfPresent(ISO8601Duration.self, forKey: .duplicateDetectionHistoryTimeWindow) ?? d.duplicateDetectionHistoryTimeWindow,
            requiresDuplicateDetection: try c.decodeIfPresent(Bool.self, forKey: .requiresDuplicateDetection) ?? d.requiresDuplicateDetection,
            maxSizeInMegabytes: try c.decodeIfPresent(Int.self, forKey: .maxSizeInMegabytes) ?? d.maxSizeInMegabytes,
            maxMessageSizeInKilobytes: try c.decodeIfPresent(Int.self, forKey: .maxMessageSizeInKilobytes) ?? d.maxMessageSizeInKilobytes)
    }
}
