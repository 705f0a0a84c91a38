import NIOCore

/// What the server accepts: the request paths and subprotocols of the upgrade.
public struct WebSocketServerConfiguration: Sendable {
    /// Request paths upgraded (the query is ignored); any other path is answered 404.
    public var paths: Set<String>
    /// Subprotocols accepted, compared without case; the answer spells the client's choice as
    /// the client did. A request offering none of them is answered 400.
    public var subprotocols: [String]
    public var limits: WebSocketLimits

    public init(paths: Set<String> = [WebSocketClientConfiguration.serviceBusPath],
                subprotocols: [String] = [WebSocketClientConfiguration.amqpSubprotocol, "amqp"],
                limits: WebSocketLimits = .default) {
        self.paths = paths
        self.subprotocols = subprotocols
        self.limits = limits
    }

    /// Whether the request's path (without its query) is one of ours.
    func accepts(uri: String) -> Bool {
        paths.contains(String(uri.prefix { $0 != "?" }))
    }

    /// The first subprotocol the client offered that we accept, as the client spelled it.
    func chosenSubprotocol(_ offered: [String]) -> String? {
        let ours = Set(subprotocols.map { $0.lowercased() })
        return offered.first { ours.contains($0.lowercased()) }
    }
}
