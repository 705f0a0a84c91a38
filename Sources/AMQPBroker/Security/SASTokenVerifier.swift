import Foundation

/// Verifies Service Bus shared access signatures against configured policies.
///
/// A token is `SharedAccessSignature sr=…&sig=…&se=…&skn=…` (fields in any order, each URL-encoded) whose
/// signature is `base64(HMAC-SHA256(key's UTF-8 text, sr + "\n" + se))`, with `sr` exactly
/// as it appears in the token, i.e. still URL-encoded, which is what clients sign. A token
/// whose `sr` is written raw (or encoded differently) but was signed over the
/// `quote_plus`-style encoding of the resource is accepted too: both forms are seen in the
/// wild, and either way the signer held the key.
///
/// Checks, in order: the format; a policy of the key name that applies to the token's
/// resource (namespace policies apply everywhere, an entity's policies only at or below
/// that entity); the signature (constant-time); the expiry; that the resource covers the
/// audience the token was presented for.
public struct SASTokenVerifier: Sendable {
    public let namespacePolicies: [SharedAccessPolicy]
    /// Policies defined on one entity, keyed by its path (`q`, `t`, `t/Subscriptions/s`).
    public let entityPolicies: [String: [SharedAccessPolicy]]
    /// The namespace's host names (`ns.servicebus.windows.net`, `localhost`); a token for any
    /// other host is refused. Empty: any host.
    public let hosts: Set<String>

    public init(
        namespacePolicies: [SharedAccessPolicy],
        entityPolicies: [String: [SharedAccessPolicy]] = [:],
        hosts: Set<String> = []
    ) {
        self.namespacePolicies = namespacePolicies
        self.entityPolicies = entityPolicies
        self.hosts = Set(hosts.map { $0.lowercased() })
    }

    /// Verifies `token` for `audience` (the CBS `name`, e.g. `sb://ns.servicebus.windows.net/q`)
    /// at `now`.
    public func verify(token: String, audience: String, now: Date) throws(SASError) -> GrantedToken {
        let parsed = try SASToken(parsing: token)
        guard let resource = ResourceURI(parsed.resource) else {
            throw SASError(code: .malformed, message: "sr is not a resource URI")
        }
        guard hosts.isEmpty || hosts.contains(resource.host) else {
            throw SASError(code: .audienceMismatch, message: "token for \(resource) is not for this namespace")
        }

        let candidates = policies(named: parsed.keyName, for: resource)
        guard !candidates.isEmpty else {
            throw SASError(code: .unknownKeyName, message: "no policy named \(parsed.keyName) for \(resource)")
        }
        var stringsToSign = [parsed.encodedResource + "\n" + parsed.expiryText]
        let canonical = PercentCoding.formEncode(parsed.resource) + "\n" + parsed.expiryText
        if canonical != stringsToSign[0] { stringsToSign.append(canonical) }
        var granted: SharedAccessPolicy?
        for policy in candidates {
            for message in stringsToSign {
                let expected = AMQPCryptoBridge.hmacSHA256(key: Array(policy.key.utf8), message: Array(message.utf8))
                if AMQPCryptoBridge.constantTimeEquals(expected, parsed.signature), granted == nil { granted = policy }
            }
        }
        guard let policy = granted else {
            throw SASError(code: .badSignature, message: "signature does not match policy \(parsed.keyName)")
        }

        let expiry = Date(timeIntervalSince1970: TimeInterval(parsed.expiry))
        guard now < expiry else {
            throw SASError(code: .expired, message: "token of \(parsed.keyName) for \(resource) expired at \(parsed.expiry)")
        }
        guard let target = ResourceURI(PercentCoding.decode(audience) ?? audience) else {
            throw SASError(code: .audienceMismatch, message: "audience is not a resource URI")
        }
        guard resource.covers(target) else {
            throw SASError(code: .audienceMismatch, message: "token for \(resource) does not cover \(target)")
        }
        return GrantedToken(rights: policy.effectiveRights, scope: resource, expiry: expiry, keyName: policy.name)
    }

    /// Policies named `name` that apply to `resource`: the namespace's, then those of every
    /// entity at or above it. Names compare exactly (Service Bus key names are
    /// case-sensitive). A name that was encoded twice (azure-servicebus `quote_plus`es `skn`
    /// before the whole query is encoded again) is tried decoded once more, `+` as space.
    func policies(named name: String, for resource: ResourceURI) -> [SharedAccessPolicy] {
        var names = [name]
        if name.contains("%"), let again = PercentCoding.decode(name), again != name { names.append(again) }
        // quote_plus turns a space into `+`.
        for candidate in names where candidate.contains("+") { names.append(candidate.replacingOccurrences(of: "+", with: " ")) }
        var found = namespacePolicies.filter { names.contains($0.name) }
        for (path, policies) in entityPolicies where resource.segments.starts(with: ResourceURI.pathSegments(path)) {
            found += policies.filter { names.contains($0.name) }
        }
        return found
    }
}
