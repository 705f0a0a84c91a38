import AMQPCore

extension BrokerState {
    /// The rules of a subscription (enumerate-rules), in order.
    public func rules(of address: String) throws(BrokerError) -> [RuleConfiguration] {
        let (topic, index) = try subscription(address)
        return topics[topic]?.subscriptions[index].rules.map(\.configuration) ?? []
    }

    /// add-rule: the filter is built by the broker's filter factory. A name already used is
    /// `invalidOperation`; at most ``BrokerConfiguration/maximumListCount`` rules.
    public mutating func addRule(_ rule: RuleConfiguration, to address: String) throws(BrokerError) {
        let (topic, index) = try subscription(address)
        guard let record = topics[topic]?.subscriptions[index] else { throw BrokerError.notFound(address) }
        guard !rule.name.isEmpty, rule.name.utf8.count <= 260 else {
            throw BrokerError(code: .invalidOperation, detail: "a rule name has 1 to 260 bytes")
        }
        guard !record.rules.contains(where: { $0.configuration.name.lowercased() == rule.name.lowercased() }) else {
            throw BrokerError(code: .invalidOperation, detail: "rule \(rule.name.prefix(64)) exists")
        }
        guard record.rules.count < BrokerConfiguration.maximumListCount else {
            throw BrokerError(code: .limitExceeded, detail: "\(record.rules.count) rules, the most a subscription has")
        }
        let path = entities[record.key]?.path ?? .queue(record.key)
        let filter = try Self.build(rule, with: filterFactory, for: path)
        topics[topic]?.subscriptions[index].rules.append(InstalledRule(configuration: rule, filter: filter))
    }

    /// remove-rule by name (case-insensitive); `notFound` when there is none.
    public mutating func removeRule(named name: String, from address: String) throws(BrokerError) {
        let (topic, index) = try subscription(address)
        guard let position = topics[topic]?.subscriptions[index].rules.firstIndex(where: { $0.configuration.name.lowercased() == name.lowercased() }) else {
            throw BrokerError.notFound("rule \(name)")
        }
        topics[topic]?.subscriptions[index].rules.remove(at: position)
    }

    private func subscription(_ address: String) throws(BrokerError) -> (topic: String, index: Int) {
        let path: BrokerEntityPath
        switch try resolve(address) {
        case .messages(let p, deadLetter: false), .management(let p): path = p
        default: throw BrokerError(code: .invalidOperation, detail: "rules belong to a subscription")
        }
        guard path.kind == .subscription else { throw BrokerError(code: .invalidOperation, detail: "rules belong to a subscription") }
        let topic = BrokerEntityPath.topic(path.name).key
        guard let index = topics[topic]?.subscriptions.firstIndex(where: { $0.key == path.key }) else {
            throw BrokerError.notFound("subscription \(path)")
        }
        return (topic, index)
    }
}
