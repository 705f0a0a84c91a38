/// A link address as a Service Bus client writes it, parsed but not yet looked up:
/// `queue`, `topic`, `topic/Subscriptions/sub`, `<entity>/$DeadLetterQueue`,
/// `<entity>/$Transfer/$DeadLetterQueue`, `<entity>/$management`, `$cbs`.
///
/// A leading `/` is tolerated, and so is a full `amqp://`, `amqps://` or `sb://host/path`
/// address (some clients send one): only its path counts. Names keep the client's case;
/// the broker compares them case-insensitively.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    public enum Node: Hashable, Sendable {
        /// The messages of a queue, topic or subscription.
        case entity
        /// Its dead-letter sub-queue (the transfer dead-letter queue maps here too).
        case deadLetterQueue
        /// Its `$management` request-response node.
        case management
    }

    public enum Target: Hashable, Sendable {
        /// The namespace's `$cbs` node (put-token).
        case cbs
        /// A queue or topic (`subscription == nil`) or a subscription, and which node of it.
        case entity(name: String, subscription: String?, node: Node)
    }

    public var target: Target

    /// The longest address accepted.
    public static let maximumLength = 1024

    public init(target: Target) { self.target = target }

    /// Parses `text`; nil when it is not an address of this shape.
    public init?(parsing text: String) {
        guard !text.isEmpty, text.utf8.count <= BrokerAddress.maximumLength else { return nil }
        var path = Substring(text)
        if let colon = path.firstIndex(of: ":"), path[colon...].hasPrefix("://") {
            guard ["amqps", "amqp", "sb"].contains(path[..<colon].lowercased()) else { return nil }
            path = path[colon...].dropFirst(3)
            // Drop the host (and port).
            guard let slash = path.firstIndex(of: "/") else { return nil }
            path = path[slash...]
        }
        if let query = path.firstIndex(of: "?") { path = path[..<query] }
        while path.hasPrefix("/") { path = path.dropFirst() }
        while path.hasSuffix("/") { path = path.dropLast() }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard !parts.isEmpty, parts.count <= 6, !parts.contains(where: \.isEmpty) else { return nil }
        func node(_ rest: ArraySlice<String>) -> Node? {
            if rest.isEmpty { return .entity }
            switch rest.map({ $0.lowercased() }) {
            case []: return .entity
            case ["$deadletterqueue"], ["$transfer", "$deadletterqueue"]: return .deadLetterQueue
            case ["$management"]: return .management
            default: return nil
            }
        }
        if parts.count == 1, parts[0].hasPrefix("$"), parts[0].lowercased() == "$cbs" {
            target = .cbs
            return
        }
        guard !parts[0].hasPrefix("$") else { return nil }
        if parts.count >= 3, parts[1].utf8.count == 13, parts[1].lowercased() == "subscriptions" {
            guard !parts[2].hasPrefix("$"), let node = node(parts[3...]) else { return nil }
            target = .entity(name: parts[0], subscription: parts[2], node: node)
        } else {
            guard let node = node(parts[1...]) else { return nil }
            target = .entity(name: parts[0], subscription: nil, node: node)
        }
    }

    public var description: String {
        switch target {
        case .cbs: return "$cbs"
        case .entity(let name, let subscription, let node):
            var text = subscription.map { "\(name)/Subscriptions/\($0)" } ?? name
            switch node {
            case .entity: break
            case .deadLetterQueue: text += "/$DeadLetterQueue"
            case .management: text += "/$management"
            }
            return text
        }
    }
}

/// A queue, topic or subscription of the broker, by its configured (canonical) name.
public struct BrokerEntityPath: Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable { case queue, topic, subscription }

    public let kind: Kind
    /// The queue's or topic's name.
    public let name: String
    /// The subscription's name, for a subscription.
    public let subscription: String?

    public static func queue(_ name: String) -> BrokerEntityPath { BrokerEntityPath(kind: .queue, name: name, subscription: nil) }
    public static func topic(_ name: String) -> BrokerEntityPath { BrokerEntityPath(kind: .topic, name: name, subscription: nil) }
    public static func subscription(_ topic: String, _ name: String) -> BrokerEntityPath {
        BrokerEntityPath(kind: .subscription, name: topic, subscription: name)
    }

    /// `queue`, `topic` or `topic/Subscriptions/sub`.
    public var description: String { subscription.map { "\(name)/Subscriptions/\($0)" } ?? name }

    /// The case-insensitive lookup key.
    var key: String { description.lowercased() }
}

/// What an address resolved to on this broker.
public enum BrokerNode: Hashable, Sendable {
    case cbs
    /// Messages of an entity: `deadLetter` for its dead-letter sub-queue.
    case messages(BrokerEntityPath, deadLetter: Bool)
    case management(BrokerEntityPath)

    /// The entity whose rights the adapter checks (nil for `$cbs`, open to anyone).
    public var entity: BrokerEntityPath? {
        switch self {
        case .cbs: return nil
        case .messages(let path, _), .management(let path): return path
        }
    }
}

/// What the adapter asks the core about, for its `authorize(entity, right)` check.
public enum BrokerOperation: Hashable, Sendable {
    case send, receive, peek, manageRules, management

    /// Send → Send; receive, peek and the `$management` message operations → Listen;
    /// rule changes → Manage.
    public var requiredRight: BrokerRight {
        switch self {
        case .send: return .send
        case .receive, .peek, .management: return .listen
        case .manageRules: return .manage
        }
    }
}
