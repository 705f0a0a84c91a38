/// A parsed Service Bus connection string:
/// `Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…`.
///
/// Keys are case-insensitive and `;`-separated; a value runs from the first `=` to the end of
/// its segment (base64 keys end in `=`); whitespace around keys and values is trimmed and
/// empty segments are ignored, as are keys this type does not know. A key given twice is an
/// error.
///
/// `UseDevelopmentEmulator=true` selects plain AMQP (no TLS) on the endpoint's port, 5672 by
/// default; otherwise the transport is AMQP over TLS on the endpoint's port, 5671 by default.
///
/// `description` shows the endpoint, entity and key name; the key and signature are redacted.
public struct ServiceBusConnectionString: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// How the connection reaches the namespace.
    public enum Transport: Hashable, Sendable, CustomStringConvertible {
        /// AMQP over TLS (amqps, 5671 by default).
        case amqps
        /// Plain AMQP (the development emulator, 5672 by default).
        case amqp

        public var description: String {
            switch self {
            case .amqps: return "amqps"
            case .amqp: return "amqp"
            }
        }
    }

    /// The default amqps port.
    public static let defaultTLSPort = 5671
    /// The default plain AMQP port (the emulator).
    public static let defaultPlainPort = 5672

    /// The `Endpoint` value as given (trimmed).
    public var endpoint: String
    /// The namespace's host name, e.g. `ns.servicebus.windows.net` (no port).
    public var fullyQualifiedNamespace: String
    /// The host to connect to (the same as `fullyQualifiedNamespace`; an IPv6 literal has no
    /// brackets).
    public var host: String { fullyQualifiedNamespace }
    /// The port to connect to: the endpoint's, or the transport's default.
    public var port: Int
    public var transport: Transport
    public var sharedAccessKeyName: String?
    public var sharedAccessKey: String?
    /// A complete `SharedAccessSignature sr=…&sig=…&se=…&skn=…` token.
    public var sharedAccessSignature: String?
    public var entityPath: String?
    public var useDevelopmentEmulator: Bool

    /// Parses a connection string; see the type's documentation for the grammar.
    public init(parsing text: String) throws(ServiceBusConfigurationError) {
        var values: [Key: String] = [:]
        var sawSegment = false
        for (index, rawSegment) in text.split(separator: ";", omittingEmptySubsequences: false).enumerated() {
            let segment = rawSegment.trimmingASCIIWhitespace()
            if segment.isEmpty { continue }
            sawSegment = true
            guard let equals = segment.firstIndex(of: "=") else {
                throw ServiceBusConfigurationError(code: .malformedSegment, segmentIndex: index)
            }
            let name = segment[..<equals].trimmingASCIIWhitespace()
            let value = segment[segment.index(after: equals)...].trimmingASCIIWhitespace()
            guard !name.isEmpty else {
                throw ServiceBusConfigurationError(code: .malformedSegment, segmentIndex: index)
            }
            guard let key = Key(name: name) else { continue }
            guard values[key] == nil else {
                throw ServiceBusConfigurationError(code: .duplicateKey, key: key.rawValue)
            }
            values[key] = String(value)
        }
        guard sawSegment else { throw ServiceBusConfigurationError(code: .emptyConnectionString) }

        guard let endpoint = values[.endpoint], !endpoint.isEmpty else {
            throw ServiceBusConfigurationError(code: .missingEndpoint, key: Key.endpoint.rawValue)
        }
        let emulator: Bool
        switch values[.useDevelopmentEmulator]?.lowercased() {
        case nil: emulator = false
        case "true": emulator = true
        case "false": emulator = false
        default:
            throw ServiceBusConfigurationError(code: .invalidEmulatorFlag, key: Key.useDevelopmentEmulator.rawValue)
        }
        guard let authority = ServiceBusEndpoint(parsing: endpoint) else {
            throw ServiceBusConfigurationError(code: .invalidEndpoint, key: Key.endpoint.rawValue)
        }

        let keyName = values[.sharedAccessKeyName].flatMap { $0.isEmpty ? nil : $0 }
        let key = values[.sharedAccessKey].flatMap { $0.isEmpty ? nil : $0 }
        let signature = values[.sharedAccessSignature].flatMap { $0.isEmpty ? nil : $0 }
        if keyName != nil, key == nil {
            throw ServiceBusConfigurationError(code: .missingKey, key: Key.sharedAccessKey.rawValue)
        }
        if key != nil, keyName == nil {
            throw ServiceBusConfigurationError(code: .missingKeyName, key: Key.sharedAccessKeyName.rawValue)
        }
        if key != nil, signature != nil {
            throw ServiceBusConfigurationError(code: .conflictingCredentials, key: Key.sharedAccessSignature.rawValue)
        }
        if key == nil, signature == nil {
            throw ServiceBusConfigurationError(code: .missingCredentials)
        }
        if let signature {
            do {
                _ = try SharedAccessSignature(parsing: signature)
            } catch {
                throw ServiceBusConfigurationError(code: .invalidSignature, key: Key.sharedAccessSignature.rawValue)
            }
        }
        var entityPath: String? = nil
        if let path = values[.entityPath], !path.isEmpty {
            guard (try? ServiceBusEntityPath(parsing: path)) != nil else {
                throw ServiceBusConfigurationError(code: .invalidEntityPath, key: Key.entityPath.rawValue)
            }
            entityPath = path
        }

        self.endpoint = endpoint
        self.fullyQualifiedNamespace = authority.host
        self.transport = emulator ? .amqp : .amqps
        self.port = authority.port ?? (emulator ? Self.defaultPlainPort : Self.defaultTLSPort)
        self.sharedAccessKeyName = keyName
        self.sharedAccessKey = key
        self.sharedAccessSignature = signature
        self.entityPath = entityPath
        self.useDevelopmentEmulator = emulator
    }

    /// The entity path as a typed value, if the string names one.
    public var entity: ServiceBusEntityPath? {
        entityPath.flatMap { try? ServiceBusEntityPath(parsing: $0) }
    }

    public var description: String {
        var parts = ["endpoint: \(transport)://\(hostForURL):\(port)/"]
        if let entityPath { parts.append("entityPath: \(entityPath)") }
        if let sharedAccessKeyName { parts.append("sharedAccessKeyName: \(sharedAccessKeyName)") }
        if sharedAccessKey != nil { parts.append("sharedAccessKey: <redacted>") }
        if sharedAccessSignature != nil { parts.append("sharedAccessSignature: <redacted>") }
        if useDevelopmentEmulator { parts.append("useDevelopmentEmulator: true") }
        return "ServiceBusConnectionString(" + parts.joined(separator: ", ") + ")"
    }

    public var debugDescription: String { description }

    /// Reflection (`dump`, debuggers) shows no key or signature.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: ["endpoint": endpoint, "port": port, "transport": transport, "entityPath": entityPath as Any,
                       "sharedAccessKeyName": sharedAccessKeyName as Any, "useDevelopmentEmulator": useDevelopmentEmulator],
            displayStyle: .struct)
    }

    /// The token audience: `sb://<namespace>/<entity>`, or `sb://<namespace>/` without an entity.
    public var audience: String {
        "sb://" + fullyQualifiedNamespace + "/" + (entityPath ?? "")
    }

    /// The credential the string's `SharedAccessKeyName`/`SharedAccessKey` (a `SASCredential`
    /// signing tokens valid for `ttl`) or `SharedAccessSignature` (a `SASSignatureCredential`)
    /// describes.
    public func makeCredential(ttl: Duration = .seconds(3600)) throws(ServiceBusConfigurationError) -> any TokenCredential {
        if let key = sharedAccessKey, let keyName = sharedAccessKeyName {
            return try SASCredential(keyName: keyName, key: key, ttl: ttl)
        }
        if let signature = sharedAccessSignature {
            return try SASSignatureCredential(signature: signature)
        }
        throw ServiceBusConfigurationError(code: .missingCredentials)
    }

    var hostForURL: String { host.contains(":") ? "[\(host)]" : host }

    enum Key: String, CaseIterable {
        case endpoint = "Endpoint"
        case sharedAccessKeyName = "SharedAccessKeyName"
        case sharedAccessKey = "SharedAccessKey"
        case sharedAccessSignature = "SharedAccessSignature"
        case entityPath = "EntityPath"
        case useDevelopmentEmulator = "UseDevelopmentEmulator"

        init?(name: Substring) {
            let lowered = name.lowercased()
            guard let key = Key.allCases.first(where: { $0.rawValue.lowercased() == lowered }) else { return nil }
            self = key
        }
    }
}

/// The authority of an endpoint URL: `scheme://host[:port][/path]`.
struct ServiceBusEndpoint: Hashable, Sendable {
    var host: String
    var port: Int?

    /// Schemes a Service Bus endpoint is written with.
    static let schemes: Set<String> = ["sb", "amqps", "amqp", "https", "http"]

    init?(parsing text: String) {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound].lowercased()
        guard Self.schemes.contains(scheme) else { return nil }
        let rest = text[separator.upperBound...]
        let authorityEnd = rest.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? rest.endIndex
        if authorityEnd < rest.endIndex, rest[authorityEnd] != "/" { return nil }
        let authority = rest[..<authorityEnd]
        guard !authority.isEmpty, !authority.contains("@") else { return nil }

        var hostPart: Substring
        var portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portPart = after.dropFirst()
            }
            guard !hostPart.isEmpty, hostPart.allSatisfy({ $0.isHexDigit || $0 == ":" || $0 == "." }) else {
                return nil
            }
        } else {
            if let colon = authority.firstIndex(of: ":") {
                hostPart = authority[..<colon]
                portPart = authority[authority.index(after: colon)...]
            } else {
                hostPart = authority
            }
            guard !hostPart.isEmpty,
                hostPart.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "." || $0 == "_") })
            else { return nil }
        }
        if let portPart {
            guard !portPart.isEmpty, portPart.count <= 5, portPart.allSatisfy({ $0.isASCII && $0.isNumber }),
                let port = Int(portPart), (1...65535).contains(port)
            else { return nil }
            self.port = port
        } else {
            self.port = nil
        }
        self.host = String(hostPart)
    }
}

extension Substring {
    func trimmingASCIIWhitespace() -> Substring {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }) else { return self[endIndex...] }
        let last = lastIndex(where: { !isSpace($0) }) ?? first
        return self[first...last]
    }
}
