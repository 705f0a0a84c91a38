/// What a shared access policy allows (Service Bus "claims").
public enum AccessRight: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    case send = "Send"
    case listen = "Listen"
    /// Implies ``send`` and ``listen``.
    case manage = "Manage"

    public var description: String { rawValue }
}

/// A shared access authorization rule: a key name, its key and what it grants.
///
/// The key is a secret: ``description`` and ``debugDescription`` show only the name and
/// rights. Service Bus keys are base64 text; the HMAC uses that text's UTF-8 bytes as the
/// key, not the decoded bytes.
public struct SharedAccessPolicy: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var name: String
    public var key: String
    public var rights: Set<AccessRight>

    public init(name: String, key: String, rights: Set<AccessRight>) {
        self.name = name
        self.key = key
        self.rights = rights
    }

    public var description: String {
        "SharedAccessPolicy(\(name), rights: \(rights.map(\.rawValue).sorted().joined(separator: ",")))"
    }
    public var debugDescription: String { description }
}

extension SharedAccessPolicy: CustomReflectable {
    /// `dump` and debuggers see the name and rights, not the key.
    public var customMirror: Mirror {
        Mirror(self, children: ["name": name, "rights": rights, "key": "<redacted>"])
    }
}
