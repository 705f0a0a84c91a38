extension BrokerConfiguration {
    /// Checks what the types alone cannot: names, ranges, forwarding targets, list sizes.
    public func validate() throws(BrokerConfigurationError) {
        let root = "UserConfig.Namespaces"
        guard !namespaces.isEmpty else {
            throw BrokerConfigurationError(code: .missingField, path: root, detail: "at least one namespace is required")
        }
        try Self.checkCount(namespaces.count, at: root)
        var namespaceNames = Set<String>()
        for (n, namespace) in namespaces.enumerated() {
            let path = "\(root)[\(n)]"
            try Self.checkName(namespace.name, at: "\(path).Name")
            guard namespaceNames.insert(namespace.name.lowercased()).inserted else {
                throw BrokerConfigurationError(code: .duplicateName, path: "\(path).Name", detail: "\"\(namespace.name)\" appears twice")
            }
            try Self.checkPolicies(namespace.sharedAccessPolicies, at: "\(path).SharedAccessPolicies")
            try Self.checkCount(namespace.queues.count, at: "\(path).Queues")
            try Self.checkCount(namespace.topics.count, at: "\(path).Topics")
            // Queues and topics share one name space.
            var entities = Set<String>()
            for (q, queue) in namespace.queues.enumerated() {
                try Self.checkEntityName(queue.name, at: "\(path).Queues[\(q)].Name", into: &entities)
            }
            for (t, topic) in namespace.topics.enumerated() {
                try Self.checkEntityName(topic.name, at: "\(path).Topics[\(t)].Name", into: &entities)
            }
            for (q, queue) in namespace.queues.enumerated() {
                let at = "\(path).Queues[\(q)]"
                try Self.checkPolicies(queue.sharedAccessPolicies, at: "\(at).SharedAccessPolicies")
                try Self.check(queue.properties, of: queue.name, at: "\(at).Properties", entities: entities, isQueue: true)
            }
            for (t, topic) in namespace.topics.enumerated() {
                let at = "\(path).Topics[\(t)]"
                try Self.checkPolicies(topic.sharedAccessPolicies, at: "\(at).SharedAccessPolicies")
                try Self.check(topic.properties, at: "\(at).Properties")
                try Self.checkCount(topic.subscriptions.count, at: "\(at).Subscriptions")
                var subscriptions = Set<String>()
                for (s, subscription) in topic.subscriptions.enumerated() {
                    let sub = "\(at).Subscriptions[\(s)]"
                    try Self.checkEntityName(subscription.name, at: "\(sub).Name", into: &subscriptions)
                    try Self.check(subscription.properties, of: topic.name, at: "\(sub).Properties", entities: entities, isQueue: false)
                    try Self.checkCount(subscription.rules.count, at: "\(sub).Rules")
                    var rules = Set<String>()
                    for (r, rule) in subscription.rules.enumerated() {
                        try Self.checkEntityName(rule.name, at: "\(sub).Rules[\(r)].Name", into: &rules)
                    }
                }
            }
        }
    }

    private static func checkCount(_ count: Int, at path: String) throws(BrokerConfigurationError) {
        guard count <= maximumListCount else {
            throw BrokerConfigurationError(code: .tooLarge, path: path, detail: "\(count) entries, at most \(maximumListCount)")
        }
    }

    private static func checkName(_ name: String, at path: String) throws(BrokerConfigurationError) {
        guard !name.isEmpty else {
            throw BrokerConfigurationError(code: .invalidValue, path: path, detail: "must not be empty")
        }
        guard name.utf8.count <= 260 else {
            throw BrokerConfigurationError(code: .invalidValue, path: path, detail: "longer than 260 bytes")
        }
    }

    private static func checkEntityName(_ name: String, at path: String, into names: inout Set<String>) throws(BrokerConfigurationError) {
        try checkName(name, at: path)
        guard !name.hasPrefix("/"), !name.hasSuffix("/"), !name.contains("$") || name == "$Default" else {
            throw BrokerConfigurationError(code: .invalidValue, path: path, detail: "\"\(name.prefix(64))\" is not a valid entity name")
        }
        guard names.insert(name.lowercased()).inserted else {
            throw BrokerConfigurationError(code: .duplicateName, path: path, detail: "\"\(name.prefix(64))\" appears twice (names are case-insensitive)")
        }
    }

    private static func checkPolicies(_ policies: [SharedAccessPolicy], at path: String) throws(BrokerConfigurationError) {
        try checkCount(policies.count, at: path)
        var names = Set<String>()
        for (p, policy) in policies.enumerated() {
            try checkName(policy.name, at: "\(path)[\(p)].Name")
            guard names.insert(policy.name).inserted else {
                throw BrokerConfigurationError(code: .duplicateName, path: "\(path)[\(p)].Name", detail: "\"\(policy.name.prefix(64))\" appears twice")
            }
            guard !policy.key.isEmpty else {
                throw BrokerConfigurationError(code: .invalidValue, path: "\(path)[\(p)].Key", detail: "must not be empty")
            }
            guard !policy.rights.isEmpty else {
                throw BrokerConfigurationError(code: .invalidValue, path: "\(path)[\(p)].Rights", detail: "at least one right is required")
            }
        }
    }

    private static func check(_ p: EntityProperties, of entity: String, at path: String,
                              entities: Set<String>, isQueue: Bool) throws(BrokerConfigurationError) {
        guard p.lockDuration.milliseconds >= 1000, p.lockDuration <= .minutes(5) else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).LockDuration",
                                           detail: "\(p.lockDuration) is outside PT1S...PT5M")
        }
        guard p.maxDeliveryCount >= 1, p.maxDeliveryCount <= 1_000_000 else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).MaxDeliveryCount",
                                           detail: "\(p.maxDeliveryCount) is outside 1...1000000")
        }
        guard p.defaultMessageTimeToLive.milliseconds >= 1000 else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).DefaultMessageTimeToLive",
                                           detail: "\(p.defaultMessageTimeToLive) is shorter than one second")
        }
        if isQueue {
            try checkWindow(p.duplicateDetectionHistoryTimeWindow, at: "\(path).DuplicateDetectionHistoryTimeWindow")
            try checkSizes(megabytes: p.maxSizeInMegabytes, kilobytes: p.maxMessageSizeInKilobytes, at: path)
        }
        for (key, target) in [("ForwardTo", p.forwardTo), ("ForwardDeadLetteredMessagesTo", p.forwardDeadLetteredMessagesTo)] {
            guard let target else { continue }
            let name = target.hasPrefix("/") ? String(target.dropFirst()) : target
            guard entities.contains(name.lowercased()) else {
                throw BrokerConfigurationError(code: .unknownEntity, path: "\(path).\(key)",
                                               detail: "\"\(target.prefix(64))\" is not a queue or topic of this namespace")
            }
            if key == "ForwardTo", isQueue, name.lowercased() == entity.lowercased() {
                throw BrokerConfigurationError(code: .invalidValue, path: "\(path).\(key)", detail: "an entity cannot forward to itself")
            }
        }
    }

    private static func check(_ p: TopicProperties, at path: String) throws(BrokerConfigurationError) {
        guard p.defaultMessageTimeToLive.milliseconds >= 1000 else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).DefaultMessageTimeToLive",
                                           detail: "\(p.defaultMessageTimeToLive) is shorter than one second")
        }
        try checkWindow(p.duplicateDetectionHistoryTimeWindow, at: "\(path).DuplicateDetectionHistoryTimeWindow")
        try checkSizes(megabytes: p.maxSizeInMegabytes, kilobytes: p.maxMessageSizeInKilobytes, at: path)
    }

    private static func checkWindow(_ window: ISO8601Duration, at path: String) throws(BrokerConfigurationError) {
        guard window >= .seconds(20), window <= .seconds(7 * 86_400) else {
            throw BrokerConfigurationError(code: .invalidValue, path: path, detail: "\(window) is outside PT20S...P7D")
        }
    }

    private static func checkSizes(megabytes: Int, kilobytes: Int, at path: String) throws(BrokerConfigurationError) {
        guard megabytes >= 1, megabytes <= 81_920 else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).MaxSizeInMegabytes", detail: "\(megabytes) is outside 1...81920")
        }
        guard kilobytes >= 1, kilobytes <= 102_400 else {
            throw BrokerConfigurationError(code: .invalidValue, path: "\(path).MaxMessageSizeInKilobytes", detail: "\(kilobytes) is outside 1...102400")
        }
    }
}
