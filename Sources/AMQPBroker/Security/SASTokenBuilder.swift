import Foundation

/// Makes shared access signatures the way Service Bus clients do, for tests and tools that
/// talk to the broker.
///
/// `SharedAccessSignature sr=<enc(resource)>&sig=<enc(base64(HMAC-SHA256(key, enc(resource) + "\n" + se)))>&se=<se>&skn=<enc(name)>`,
/// with `enc` the `quote_plus`-style encoding. For names without spaces or symbols the text is
/// byte-for-byte what azure-servicebus's `generate_sas_token` writes.
public enum SASTokenBuilder {
    /// A token for `resource` (e.g. `sb://ns.servicebus.windows.net/q`) signed with `policy`,
    /// valid until `expiry` (whole seconds, rounded down).
    public static func token(resource: String, policy: SharedAccessPolicy, expiry: Date) -> String {
        token(resource: resource, keyName: policy.name, key: policy.key, expiry: expiry)
    }

    /// As ``token(resource:policy:expiry:)``, from a key name and key.
    public static func token(resource: String, keyName: String, key: String, expiry: Date) -> String {
        let seconds = expiry.timeIntervalSince1970.rounded(.down)
        let se = seconds.magnitude < 1e15 ? String(Int64(seconds)) : "0"
        let encodedResource = PercentCoding.formEncode(resource)
        let signature = AMQPCryptoBridge.hmacSHA256(key: Array(key.utf8), message: Array((encodedResource + "\n" + se).utf8))
        let sig = PercentCoding.formEncode(AMQPCryptoBridge.base64Encoded(signature))
        return "SharedAccessSignature sr=\(encodedResource)&sig=\(sig)&se=\(se)&skn=\(PercentCoding.formEncode(keyName))"
    }
}
