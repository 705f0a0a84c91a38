import AMQPCore
import NIOCore

/// The broker's pure core: entities, messages, locks and timers of one namespace, behaving
/// like Azure Service Bus. No I/O: every command takes the current time (`now`, wall-clock
/// milliseconds as an AMQP timestamp) and returns what the adapter must do — chiefly which
/// receiver gets which message (``BrokerActions``).
///
/// The adapter calls, per link and request:
/// - ``resolve(_:)`` for each attach, then its own `authorize(entity, right)` with
///   ``BrokerOperation/requiredRight``;
/// - ``send(_:to:now:)`` for each transfer to a queue or topic;
/// - ``attachReceiver(to:mode:session:now:)``, ``addCredit(_:to:now:)``,
///   ``detachReceiver(_:now:)`` for receiving links, ``settle(_:receiver:_:now:)`` for dispositions;
/// - the `$management` operations (peek, schedule, cancel, receive-by-sequence-number,
///   renew-lock, update-disposition, session lock and state, list sessions);
/// - ``tick(now:)`` at ``nextDeadline`` (lock expiry, TTL, schedules, duplicate-detection
///   history, session locks).
///
/// Every state change goes through the mutation functions in `BrokerState+Mutations.swift`;
/// with ``isJournaling`` on they are recorded for ``takeMutations()``.
public struct BrokerState: Sendable {
    /// The namespace served.
    public let namespace: NamespaceConfiguration
    public let limits: BrokerLimits

    var stores: [StoreKey: MessageStore] = [:]
    /// Every store, in a fixed order (ticks visit them in it).
    var storeOrder: [StoreKey] = []
    /// Queues, topics and subscriptions by lower-cased path (`q`, `t`, `t/subscriptions/s`).
    var entities: [String: EntityRecord] = [:]
    var topics: [String: TopicRecord] = [:]
    var dedup: [String: DuplicateDetectionHistory] = [:]
    var receivers: [BrokerReceiverID: Receiver] = [:]
    var nextReceiverID: UInt64 = 1
    var tokens: any LockTokenGenerator
    let filterFactory: RuleFilterFactory
    /// Stores that may have deliveries to make, in the order they were touched.
    var pendingDispatch: [StoreKey] = []
    var pending = BrokerActions()

    /// Records every mutation for ``takeMutations()`` while on. The record grows until taken:
    /// a journal takes it after every command.
    public var isJournaling = false
    var journal: [BrokerMutation] = []

    /// Builds the entities of `namespace` (the first one when nil) of `configuration`.
    ///
    /// - Parameter filterFactory: builds each rule's filter; by default true and correlation
    ///   filters, and `filterUnavailable` for SQL rules.
    public init(
        configuration: BrokerConfiguration = .default,
        namespace name: String? = nil,
        limits: BrokerLimits = .default,
        filterFactory: @escaping RuleFilterFactory = RuleFilters.factory(),
        lockTokens: any LockTokenGenerator = RandomLockTokens.system
    ) throws(BrokerError) {
        let chosen = name.flatMap { n in configuration.namespaces.first { $0.name.lowercased() == n.lowercased() } }
            ?? (name == nil ? configuration.namespaces.first : nil)
        guard let namespace = chosen else { throw BrokerError.notFound("namespace \(name ?? "")") }
        self.namespace = namespace
        self.limits = limits
        self.tokens = lockTokens
        self.filterFactory = filterFactory
        for queue in namespace.queues {
            let path = BrokerEntityPath.queue(queue.name)
            let p = queue.properties
            entities[path.key] = EntityRecord(
                path: path, maxMessageBytes: p.maxMessageSizeInKilobytes * 1024,
                maxEntityBytes: p.maxSizeInMegabytes * 1024 * 1024, policies: queue.sharedAccessPolicies)
            addStores(path, settings: StoreSettings(p, topicTTL: nil))
            if p.requiresDuplicateDetection {
                dedup[path.key] = DuplicateDetectionHistory(window: p.duplicateDetectionHistoryTimeWindow.milliseconds)
            }
        }
        for topic in namespace.topics {
            let path = BrokerEntityPath.topic(topic.name)
            let p = topic.properties
            entities[path.key] = EntityRecord(
                path: path, maxMessageBytes: p.maxMessageSizeInKilobytes * 1024,
                maxEntityBytes: p.maxSizeInMegabytes * 1024 * 1024, policies: topic.sharedAccessPolicies)
            // The topic's own store holds its scheduled messages and numbers its messages.
            stores[StoreKey(entity: path.key, deadLetter: false)] = MessageStore(
                path: path, isDeadLetter: false,
                settings: StoreSettings(EntityProperties(defaultMessageTimeToLive: p.defaultMessageTimeToLive), topicTTL: nil))
            if p.requiresDuplicateDetection {
                dedup[path.key] = DuplicateDetectionHistory(window: p.duplicateDetectionHistoryTimeWindow.milliseconds)
            }
            var record = TopicRecord(path: path, subscriptions: [])
            for subscription in topic.subscriptions {
                let subPath = BrokerEntityPath.subscription(topic.name, subscription.name)
                entities[subPath.key] = EntityRecord(
                    path: subPath, maxMessageBytes: p.maxMessageSizeInKilobytes * 1024,
                    maxEntityBytes: p.maxSizeInMegabytes * 1024 * 1024, policies: topic.sharedAccessPolicies)
                addStores(subPath, settings: StoreSettings(subscription.properties, topicTTL: p.defaultMessageTimeToLive.milliseconds))
                let rules = subscription.rules.isEmpty ? [RuleConfiguration.default] : subscription.rules
                var built: [InstalledRule] = []
                for rule in rules {
                    built.append(InstalledRule(configuration: rule, filter: try Self.build(rule, with: filterFactory, for: subPath)))
                }
                record.subscriptions.append(SubscriptionRecord(key: subPath.key, rules: built))
            }
            topics[path.key] = record
        }
        storeOrder = stores.keys.sorted { ($0.entity, $0.deadLetter ? 1 : 0) < ($1.entity, $1.deadLetter ? 1 : 0) }
    }

    static func build(_ rule: RuleConfiguration, with factory: RuleFilterFactory, for path: BrokerEntityPath) throws(BrokerError) -> any MessageFilter {
        do {
            return try factory(rule)
        } catch {
            throw BrokerError(code: .filterUnavailable, detail: "\(path) rule \(rule.name.prefix(64)): \(error)")
        }
    }

    private mutating func addStores(_ path: BrokerEntityPath, settings: StoreSettings) {
        stores[StoreKey(entity: path.key, deadLetter: false)] = MessageStore(path: path, isDeadLetter: false, settings: settings)
        var deadLetterSettings = settings
        deadLetterSettings.forwardTo = nil
        deadLetterSettings.forwardDeadLetteredMessagesTo = nil
        deadLetterSettings.defaultTimeToLive = ISO8601Duration.effectivelyInfinite.milliseconds
        deadLetterSettings.deadLetteringOnExpiration = false
        stores[StoreKey(entity: path.key, deadLetter: true)] = MessageStore(path: path, isDeadLetter: true, settings: deadLetterSettings)
    }

    /// Resolves a link address (case-insensitive names; see ``BrokerAddress``).
    public func resolve(_ address: String) throws(BrokerError) -> BrokerNode {
        guard let parsed = BrokerAddress(parsing: address) else { throw BrokerError.notFound("address \"\(address.prefix(200))\"") }
        switch parsed.target {
        case .cbs:
            return .cbs
        case .entity(let name, let subscription, let node):
            let key = (subscription.map { "\(name)/Subscriptions/\($0)" } ?? name).lowercased()
            guard let entity = entities[key] else { throw BrokerError.notFound("entity \(parsed)") }
            switch node {
            case .entity: return .messages(entity.path, deadLetter: false)
            case .deadLetterQueue:
                guard entity.path.kind != .topic else { throw BrokerError.notFound("\(parsed) (topics have no dead-letter queue)") }
                return .messages(entity.path, deadLetter: true)
            case .management: return .management(entity.path)
            }
        }
    }

    /// The shared-access policies that apply to `entity`: its own, then the namespace's (a
    /// subscription takes its topic's).
    public func sharedAccessPolicies(for entity: BrokerEntityPath?) -> [SharedAccessPolicy] {
        let own = entity.flatMap { entities[BrokerEntityPath(kind: $0.kind == .subscription ? .topic : $0.kind, name: $0.name, subscription: nil).key]?.policies } ?? []
        return own + namespace.sharedAccessPolicies
    }

    /// All entities, for listing.
    public var entityPaths: [BrokerEntityPath] { entities.values.map(\.path).sorted { $0.key < $1.key } }

    /// The store behind a messages address (entity or dead-letter queue; not a topic).
    func storeKey(for address: String, allowTopic: Bool = false) throws(BrokerError) -> StoreKey {
        let node = try resolve(address)
        let path: BrokerEntityPath
        let isDeadLetter: Bool
        switch node {
        case .messages(let p, let deadLetter): path = p; isDeadLetter = deadLetter
        case .management(let p): path = p; isDeadLetter = false
        case .cbs: throw BrokerError(code: .invalidOperation, detail: "$cbs holds no messages")
        }
        guard allowTopic || path.kind != .topic else {
            throw BrokerError(code: .invalidOperation, detail: "\(path) is a topic: receive from a subscription")
        }
        return StoreKey(entity: path.key, deadLetter: isDeadLetter)
    }

    /// Mutations recorded since the last call (only while ``isJournaling``).
    public mutating func takeMutations() -> [BrokerMutation] {
        defer { journal.removeAll(keepingCapacity: true) }
        return journal
    }
}

struct EntityRecord: Sendable {
    var path: BrokerEntityPath
    var maxMessageBytes: Int
    var maxEntityBytes: Int
    var policies: [SharedAccessPolicy]
}

struct InstalledRule: Sendable {
    var configuration: RuleConfiguration
    var filter: any MessageFilter
}

struct SubscriptionRecord: Sendable {
    var key: String
    var rules: [InstalledRule]

    /// Whether any rule takes the message (Service Bus: rules are OR-ed).
    func matches(_ input: FilterInput) -> Bool { rules.contains { $0.filter.matches(input) } }
}

struct TopicRecord: Sendable {
    var path: BrokerEntityPath
    var subscriptions: [SubscriptionRecord]
}

struct Receiver: Sendable {
    let id: BrokerReceiverID
    let store: StoreKey
    let mode: BrokerReceiveMode
    var sessionID: String?
    var credit = 0
    var unsettled: Set<AMQPUUID> = []
}

extension StoreSettings {
    init(_ p: EntityProperties, topicTTL: Int64?) {
        self.init(
            lockDuration: p.lockDuration.milliseconds,
            maxDeliveryCount: UInt32(clamping: p.maxDeliveryCount),
            defaultTimeToLive: min(p.defaultMessageTimeToLive.milliseconds, topicTTL ?? .max),
            deadLetteringOnExpiration: p.deadLetteringOnMessageExpiration,
            requiresSession: p.requiresSession,
            forwardTo: p.forwardTo,
            forwardDeadLetteredMessagesTo: p.forwardDeadLetteredMessagesTo)
    }
}

extension AMQPTimestamp {
    func adding(milliseconds: Int64) -> AMQPTimestamp {
        let (sum, overflow) = millisecondsSince1970.addingReportingOverflow(milliseconds)
        return AMQPTimestamp(millisecondsSince1970: overflow ? .max : sum)
    }
}
