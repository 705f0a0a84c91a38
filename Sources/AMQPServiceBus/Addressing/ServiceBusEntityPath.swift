/// The path of a Service Bus entity, as used for link addresses and token audiences:
/// a queue or topic `q`, a subscription `t/Subscriptions/s`, and their dead-letter
/// (`<entity>/$DeadLetterQueue`) and transfer dead-letter (`<entity>/$Transfer/$DeadLetterQueue`)
/// sub-queues.
///
/// A queue and a topic look the same on the wire (`.queueOrTopic`). Entity names may contain
/// `/`; a path is a subscription when its second-to-last segment is `Subscriptions`. Parsing
/// is case-insensitive for the reserved words and keeps names as given; formatting writes the
/// canonical casing.
public struct ServiceBusEntityPath: Hashable, Sendable, CustomStringConvertible {
    public enum Entity: Hashable, Sendable {
        /// A queue or a topic (the wire cannot tell them apart).
        case queueOrTopic(String)
        case subscription(topic: String, name: String)
    }

    public enum SubQueue: Hashable, Sendable {
        /// `$DeadLetterQueue`.
        case deadLetter
        /// `$Transfer/$DeadLetterQueue`.
        case transferDeadLetter
    }

    public var entity: Entity
    public var subQueue: SubQueue?

    public init(entity: Entity, subQueue: SubQueue? = nil) {
        self.entity = entity
        self.subQueue = subQueue
    }

    public static func queue(_ name: String) -> Self { Self(entity: .queueOrTopic(name)) }
    public static func topic(_ name: String) -> Self { Self(entity: .queueOrTopic(name)) }
    public static func subscription(topic: String, name: String) -> Self {
        Self(entity: .subscription(topic: topic, name: name))
    }

    /// This entity's dead-letter sub-queue.
    public var deadLetterQueue: Self { Self(entity: entity, subQueue: .deadLetter) }
    /// This entity's transfer dead-letter sub-queue.
    public var transferDeadLetterQueue: Self { Self(entity: entity, subQueue: .transferDeadLetter) }

    /// The link address, e.g. `t/Subscriptions/s/$DeadLetterQueue`.
    public var address: String {
        var text: String
        switch entity {
        case .queueOrTopic(let name): text = name
        case .subscription(let topic, let name): text = topic + "/" + Self.subscriptionsSegment + "/" + name
        }
        switch subQueue {
        case nil: break
        case .deadLetter: text += "/" + Self.deadLetterSegment
        case .transferDeadLetter: text += "/" + Self.transferSegment + "/" + Self.deadLetterSegment
        }
        return text
    }

    /// The `$management` node of this entity: `<address>/$management`.
    public var managementAddress: String { address + "/" + Self.managementSegment }

    /// The token audience (and SAS resource) for this entity in `namespace`:
    /// `sb://<namespace>/<address>`.
    public func audience(namespace: String) -> String { "sb://" + namespace + "/" + address }

    public var description: String { address }

    /// Parses an entity path (no `$management` suffix; see `ServiceBusAddress` for that).
    public init(parsing text: String) throws(ServiceBusConfigurationError) {
        let invalid = ServiceBusConfigurationError(code: .invalidEntityPath)
        var segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.isEmpty, segments.allSatisfy({ !$0.isEmpty }) else { throw invalid }
        var subQueue: SubQueue? = nil
        if let last = segments.last, last.lowercased() == Self.deadLetterSegment.lowercased() {
            segments.removeLast()
            subQueue = .deadLetter
            if let previous = segments.last, previous.lowercased() == Self.transferSegment.lowercased() {
                segments.removeLast()
                subQueue = .transferDeadLetter
            }
        }
        // Every remaining segment is part of a name; reserved `$` words are not names.
        guard !segments.isEmpty, segments.allSatisfy({ !$0.hasPrefix("$") }) else { throw invalid }
        let entity: Entity
        if segments.count >= 3, segments[segments.count - 2].lowercased() == Self.subscriptionsSegment.lowercased() {
            let topic = segments[..<(segments.count - 2)].joined(separator: "/")
            entity = .subscription(topic: topic, name: String(segments[segments.count - 1]))
        } else {
            guard !segments.contains(where: { $0.lowercased() == Self.subscriptionsSegment.lowercased() }) else {
                throw invalid
            }
            entity = .queueOrTopic(segments.joined(separator: "/"))
        }
        self.init(entity: entity, subQueue: subQueue)
    }

    static let subscriptionsSegment = "Subscriptions"
    static let deadLetterSegment = "$DeadLetterQueue"
    static let transferSegment = "$Transfer"
    static let managementSegment = "$management"
}

/// Any node address a Service Bus client links to: an entity, an entity's `$management`
/// node, or the namespace's `$cbs` node.
public enum ServiceBusAddress: Hashable, Sendable, CustomStringConvertible {
    case entity(ServiceBusEntityPath)
    case management(ServiceBusEntityPath)
    case cbs

    /// The claims-based-security node.
    public static let cbsAddress = "$cbs"

    public var address: String {
        switch self {
        case .entity(let path): return path.address
        case .management(let path): return path.managementAddress
        case .cbs: return Self.cbsAddress
        }
    }

    public var description: String { address }

    /// Parses `$cbs`, `<entity>/$management` or an entity path. A leading `/` is allowed
    /// (some clients send `/q`).
    public init(parsing text: String) throws(ServiceBusConfigurationError) {
        var path = Substring(text)
        if path.hasPrefix("/") { path = path.dropFirst() }
        if path.lowercased() == Self.cbsAddress {
            self = .cbs
            return
        }
        let suffix = "/" + ServiceBusEntityPath.managementSegment
        if path.count > suffix.count, path.suffix(suffix.count).lowercased() == suffix.lowercased() {
            self = .management(try ServiceBusEntityPath(parsing: String(path.dropLast(suffix.count))))
            return
        }
        self = .entity(try ServiceBusEntityPath(parsing: String(path)))
    }
}
