/// A Service Bus resource or audience URI, normalised for comparison.
///
/// `sb://`, `amqps://`, `amqp://`, `http://` and `https://` all mean the same namespace;
/// host and path compare case-insensitively (entity names are case-insensitive in Service
/// Bus); empty path segments (trailing or doubled slashes) are ignored. A query or fragment
/// is dropped.
public struct ResourceURI: Sendable, Hashable, CustomStringConvertible {
    /// Lower-cased host name, without a port: a namespace is its host, whichever port a
    /// client connects to (`sb://localhost/q` and `amqp://localhost:5672/q` are one resource).
    public let host: String
    /// Lower-cased, non-empty path segments.
    public let segments: [String]

    static let schemes = ["sb://", "amqps://", "amqp://", "https://", "http://"]

    /// Parses `text` (percent-escapes already decoded); nil if there is no host, or the
    /// scheme is another one.
    public init?(_ text: String) {
        var rest = Substring(text.lowercased())
        if let range = rest.range(of: "://") {
            let scheme = rest[..<range.upperBound]
            guard Self.schemes.contains(String(scheme)) else { return nil }
            rest = rest[range.upperBound...]
        }
        if let end = rest.firstIndex(where: { $0 == "?" || $0 == "#" }) { rest = rest[..<end] }
        let parts = rest.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard let authority = parts.first, !rest.hasPrefix("/") else { return nil }
        let host = Self.dropPort(authority)
        guard !host.isEmpty else { return nil }
        self.host = host
        self.segments = Array(parts.dropFirst())
    }

    /// `host:port` → `host`; `[v6]:port` → `[v6]`.
    static func dropPort(_ authority: String) -> String {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            return String(authority[...close])
        }
        if let colon = authority.firstIndex(of: ":") { return String(authority[..<colon]) }
        return authority
    }

    /// An entity path relative to a namespace (`t/Subscriptions/s`), normalised the same way.
    static func pathSegments(_ path: String) -> [String] {
        path.lowercased().split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// True if `other` is this resource or below it.
    public func covers(_ other: ResourceURI) -> Bool {
        host == other.host && other.segments.starts(with: segments)
    }

    /// `host/segment/…`, the form used in descriptions.
    public var description: String { ([host] + segments).joined(separator: "/") }
}
