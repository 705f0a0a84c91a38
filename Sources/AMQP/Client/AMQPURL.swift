/// Where to connect: `amqp://[user[:password]@]host[:port][/path]`, or `amqps://…` for TLS
/// first (default port 5671). Percent-escapes in the user and password are decoded.
/// `description` never shows the password.
public struct AMQPURL: Sendable, Hashable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?
    /// `amqps`: TLS before anything else.
    public var usesTLS: Bool

    public init(host: String, port: Int? = nil, username: String? = nil, password: String? = nil, usesTLS: Bool = false) {
        self.host = host
        self.port = port ?? (usesTLS ? 5671 : 5672)
        self.username = username
        self.password = password
        self.usesTLS = usesTLS
    }

    public init(_ string: String) throws(AMQPClientError) {
        let invalid = { (why: String) in AMQPClientError(code: .invalidURL, detail: why) }
        let usesTLS = string.hasPrefix("amqps://")
        guard string.hasPrefix("amqp://") || usesTLS else { throw invalid("the scheme must be amqp or amqps") }
        var rest = Substring(string.dropFirst(usesTLS ? "amqps://".count : "amqp://".count))
        if let slash = rest.firstIndex(of: "/") { rest = rest[..<slash] }
        var userInfo: Substring?
        if let at = rest.lastIndex(of: "@") {
            userInfo = rest[..<at]
            rest = rest[rest.index(after: at)...]
        }
        var host = rest
        var port = usesTLS ? 5671 : 5672
        if rest.hasPrefix("[") {
            guard let close = rest.firstIndex(of: "]") else { throw invalid("an unclosed IPv6 address") }
            host = rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...]
            if !rest.isEmpty {
                guard rest.first == ":", let value = Int(rest.dropFirst()), (1...65535).contains(value) else {
                    throw invalid("a malformed port")
                }
                port = value
            }
        } else if let colon = rest.lastIndex(of: ":") {
            host = rest[..<colon]
            guard let value = Int(rest[rest.index(after: colon)...]), (1...65535).contains(value) else {
                throw invalid("a malformed port")
            }
            port = value
        }
        guard !host.isEmpty else { throw invalid("no host") }
        self.init(host: String(host), port: port, usesTLS: usesTLS)
        if let userInfo {
            let parts = userInfo.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            guard let user = Self.percentDecoded(parts[0]) else { throw invalid("a malformed user name") }
            username = user
            if parts.count == 2 {
                guard let secret = Self.percentDecoded(parts[1]) else { throw invalid("a malformed password") }
                password = secret
            }
        }
    }

    /// PLAIN with the URL's user, else ANONYMOUS.
    public var credentials: [SASLCredentials] {
        if let username { return [.plain(username: username, password: password ?? "")] }
        return [.anonymous()]
    }

    public var description: String {
        let hostPart = host.contains(":") ? "[\(host)]" : host
        return "\(usesTLS ? "amqps" : "amqp")://\(username.map { "\($0)@" } ?? "")\(hostPart):\(port)"
    }

    private static func percentDecoded(_ text: Substring) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
