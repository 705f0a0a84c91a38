import Foundation

/// A credential that signs a fresh SAS token for each audience from a key name and key.
///
/// `description` shows the key name and time-to-live; the key is never printed.
public struct SASCredential: TokenCredential, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public let keyName: String
    private let key: String
    /// How long each token is valid.
    public let ttl: Duration
    private let now: @Sendable () -> Date

    /// - Parameters:
    ///   - ttl: each token's lifetime; must be at least one second.
    ///   - now: the clock (injectable for tests).
    public init(
        keyName: String,
        key: String,
        ttl: Duration = .seconds(3600),
        now: @escaping @Sendable () -> Date = { Date() }
    ) throws(ServiceBusConfigurationError) {
        guard ttl >= .seconds(1) else { throw ServiceBusConfigurationError(code: .invalidTimeToLive) }
        self.keyName = keyName
        self.key = key
        self.ttl = ttl
        self.now = now
    }

    public func token(for audience: String) async throws -> AccessToken {
        signedToken(for: audience, at: now())
    }

    /// The token for `audience` signed at `date` (expiring `ttl` later, whole seconds).
    public func signedToken(for audience: String, at date: Date) -> AccessToken {
        let (sum, overflow) = date.unixSeconds.addingReportingOverflow(ttl.components.seconds)
        let expiry = overflow ? Int64.max : sum
        let signature = SharedAccessSignature(resource: audience, keyName: keyName, key: key, expiry: expiry)
        return AccessToken(token: signature.token, expiresOn: signature.expiresOn, tokenType: .sas)
    }

    public var description: String { "SASCredential(keyName: \(keyName), ttl: \(ttl), key: <redacted>)" }
    public var debugDescription: String { description }
    /// Reflection (`dump`, debuggers) shows no key.
    public var customMirror: Mirror { Mirror(self, children: ["keyName": keyName, "ttl": ttl], displayStyle: .struct) }
}

/// A credential holding one fixed, pre-signed `SharedAccessSignature …`; it expires at its
/// `se` and cannot be renewed.
public struct SASSignatureCredential: TokenCredential, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    public let signature: SharedAccessSignature

    public init(signature: String) throws(ServiceBusConfigurationError) {
        self.signature = try SharedAccessSignature(parsing: signature)
    }

    /// The fixed token, whatever the audience (the service checks that `sr` covers it).
    public func token(for audience: String) async throws -> AccessToken {
        AccessToken(token: signature.token, expiresOn: signature.expiresOn, tokenType: .sas)
    }

    public var description: String { "SASSignatureCredential(\(signature))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["signature": signature], displayStyle: .struct) }
}
