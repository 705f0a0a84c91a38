import AMQPCore

/// The broker's entities, in the JSON shape of the Service Bus emulator's `Config.json`:
/// `{"UserConfig": {"Namespaces": [{"Name": …, "Queues": […], "Topics": […]}], "Logging": …}}`.
///
/// Absent properties take the Service Bus defaults. Unknown keys are ignored. Extension: each
/// namespace and entity may carry `"SharedAccessPolicies": [{"Name", "Key", "Rights"}]`; a
/// namespace without any gets `RootManageSharedAccessKey` / `SAS_KEY_VALUE` with every right.
/// Parse a file with ``BrokerConfiguration/parse(json:)``.
public struct BrokerConfiguration: Hashable, Sendable, Codable {
    public var userConfig: UserConfig

    public init(userConfig: UserConfig) { self.userConfig = userConfig }

    enum CodingKeys: String, CodingKey { case userConfig = "UserConfig" }

    public struct UserConfig: Hashable, Sendable, Codable {
        public var namespaces: [NamespaceConfiguration]
        public var logging: LoggingConfiguration?

        public init(namespaces: [NamespaceConfiguration], logging: LoggingConfiguration? = nil) {
            self.namespaces = namespaces
            self.logging = logging
        }

        enum CodingKeys: String, CodingKey {
            case namespaces = "Namespaces"
            case logging = "Logging"
        }
    }

    /// `Logging` is accepted and kept; the core itself does not log.
    public struct LoggingConfiguration: Hashable, Sendable, Codable {
        public var type: String?
        public init(type: String? = nil) { self.type = type }
        enum CodingKeys: String, CodingKey { case type = "Type" }
    }

    /// One namespace, with its own entities and policies.
    public var namespaces: [NamespaceConfiguration] { userConfig.namespaces }

    /// The emulator's sample: namespace `sbemulatorns` with queue `queue.1` and topic `topic.1`
    /// whose subscription `subscription.1` takes every message (the `$Default` true rule).
    public static let `default` = BrokerConfiguration(userConfig: UserConfig(
        namespaces: [NamespaceConfiguration(
            name: "sbemulatorns",
            queues: [QueueConfiguration(name: "queue.1")],
            topics: [TopicConfiguration(
                name: "topic.1",
                subscriptions: [SubscriptionConfiguration(name: "subscription.1")])])],
        logging: LoggingConfiguration(type: "File")))
}

/// The right a shared-access policy grants (Service Bus `AccessRights`).
public enum BrokerRight: String, Hashable, Sendable, Codable, CaseIterable {
    case send = "Send"
    case listen = "Listen"
    case manage = "Manage"
}

/// A named key with rights, checked by the adapter's token verification (not by the core).
/// Its description never shows the key.
public struct SharedAccessPolicy: Hashable, Sendable, Codable, CustomStringConvertible {
    public var name: String
    public var key: String
    public var rights: [BrokerRight]

    public init(name: String, key: String, rights: [BrokerRight]) {
        self.name = name
        self.key = key
        self.rights = rights
    }

    /// The default namespace policy of the emulator.
    public static let rootManage = SharedAccessPolicy(
        name: "RootManageSharedAccessKey", key: "SAS_KEY_VALUE", rights: BrokerRight.allCases)

    public var description: String { "\(name) \(rights.map(\.rawValue))" }

    enum CodingKeys: String, CodingKey {
        case name = "Name", key = "Key", rights = "Rights"
    }
}

public struct NamespaceConfiguration: Hashable, Sendable, Codable {
    public var name: String
    public var queues: [QueueConfiguration]
    public var topics: [TopicConfiguration]
    /// Never empty after decoding: `RootManageSharedAccessKey` when none is given.
    public var sharedAccessPolicies: [SharedAccessPolicy]

    public init(name: String, queues: [QueueConfiguration] = [], topics: [TopicConfiguration] = [],
                sharedAccessPolicies: [SharedAccessPolicy] = [.rootManage]) {
        self.name = name
        self.queues = queues
        self.topics = topics
        self.sharedAccessPolicies = sharedAccessPolicies.isEmpty ? [.rootManage] : sharedAccessPolicies
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", queues = "Queues", topics = "Topics", sharedAccessPolicies = "SharedAccessPolicies"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            queues: try c.decodeIfPresent([QueueConfiguration].self, forKey: .queues) ?? [],
            topics: try c.decodeIfPresent([TopicConfiguration].self, forKey: .topics) ?? [],
            sharedAccessPolicies: try c.decodeIfPresent([SharedAccessPolicy].self, forKey: .sharedAccessPolicies) ?? [])
    }
}

public struct QueueConfiguration: Hashable, Sendable, Codable {
    public var name: String
    public var properties: EntityProperties
    public var sharedAccessPolicies: [SharedAccessPolicy]

    public init(name: String, properties: EntityProperties = EntityProperties(), sharedAccessPolicies: [SharedAccessPolicy] = []) {
        self.name = name
        self.properties = properties
        self.sharedAccessPolicies = sharedAccessPolicies
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", properties = "Properties", sharedAccessPolicies = "SharedAccessPolicies"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            properties: try c.decodeIfPresent(EntityProperties.self, forKey: .properties) ?? EntityProperties(),
            sharedAccessPolicies: try c.decodeIfPresent([SharedAccessPolicy].self, forKey: .sharedAccessPolicies) ?? [])
    }
}

public struct TopicConfiguration: Hashable, Sendable, Codable {
    public var name: String
    public var properties: TopicProperties
    public var subscriptions: [SubscriptionConfiguration]
    public var sharedAccessPolicies: [SharedAccessPolicy]

    public init(name: String, properties: TopicProperties = TopicProperties(),
                subscriptions: [SubscriptionConfiguration] = [], sharedAccessPolicies: [SharedAccessPolicy] = []) {
        self.name = name
        self.properties = properties
        self.subscriptions = subscriptions
        self.sharedAccessPolicies = sharedAccessPolicies
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", properties = "Properties", subscriptions = "Subscriptions"
        case sharedAccessPolicies = "SharedAccessPolicies"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            properties: try c.decodeIfPresent(TopicProperties.self, forKey: .properties) ?? TopicProperties(),
            subscriptions: try c.decodeIfPresent([SubscriptionConfiguration].self, forKey: .subscriptions) ?? [],
            sharedAccessPolicies: try c.decodeIfPresent([SharedAccessPolicy].self, forKey: .sharedAccessPolicies) ?? [])
    }
}

public struct SubscriptionConfiguration: Hashable, Sendable, Codable {
    public var name: String
    /// The duplicate-detection fields do not apply to a subscription and are ignored.
    public var properties: EntityProperties
    /// No rules means one `$Default` rule that takes every message.
    public var rules: [RuleConfiguration]

    public init(name: String, properties: EntityProperties = EntityProperties(), rules: [RuleConfiguration] = []) {
        self.name = name
        self.properties = properties
        self.rules = rules
    }

    enum CodingKeys: String, CodingKey {
        case name = "Name", properties = "Properties", rules = "Rules"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            name: try c.decode(String.self, forKey: .name),
            properties: try c.decodeIfPresent(EntityProperties.self, forKey: .properties) ?? EntityProperties(),
            rules: try c.decodeIfPresent([RuleConfiguration].self, forKey: .rules) ?? [])
    }
}
