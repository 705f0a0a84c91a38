/// What a shared access policy allows (Service Bus "claims"): the configuration's
/// ``BrokerRight``. `manage` implies `send` and `listen`.
public typealias AccessRight = BrokerRight

extension BrokerRight: CustomStringConvertible {
    public var description: String { rawValue }
}

/// The key is a secret: `description`, `debugDescription` and `dump` show only the name and
/// rights. Service Bus keys are base64 text; the HMAC uses that text's UTF-8 bytes as the
/// key, not the decoded bytes.
extension SharedAccessPolicy: CustomDebugStringConvertible, CustomReflectable {
    public var debugDescription: String { description }

    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "rights": rights, "key": "<redacted>"])
    }
}
