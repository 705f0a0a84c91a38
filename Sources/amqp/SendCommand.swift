import AMQP
import AMQPCore
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send messages and wait until each is settled.",
        discussion: """
            Without --url, sends to an in-process listener on 127.0.0.1 that accepts every \
            message (the embedded default). Prints one summary line; exits non-zero unless \
            every message was accepted (or, with --presettled, sent).
            """
    )

    @Option(help: "amqp://[user:password@]host[:port] (default: the in-process listener).")
    var url: String?

    @Option(help: "Target address.")
    var address = "queue"

    @Option(help: "How many messages.")
    var count = 10_000

    @Option(help: "Body size in bytes (a data section).")
    var size = 1024

    @Flag(help: "Send pre-settled (at most once): no outcomes to wait for.")
    var presettled = false

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (endpoint, listener) = try await AMQPEndpoint.resolve(url: url, group: group)
        let run = SendRun(count: count, size: size, address: address, presettled: presettled)
        let result = try await run.execute(endpoint: endpoint, group: group)
        try? await listener?.close()
        try await group.shutdownGracefully()
        print(result.summary)
        guard result.failure == nil, result.settled == count else { throw ExitCode(1) }
    }
}

/// Where to connect, from `amqp://user:password@host:port`. The password never appears in
/// `description`.
struct AMQPEndpoint: CustomStringConvertible {
    var host: String
    var port: Int
    var username: String?
    var password: String?

    init(host: String, port: Int, username: String? = nil, password: String? = nil) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
    }

    init(url: String) throws {
        guard let components = URLComponents(string: url), components.scheme == "amqp", let host = components.host else {
            throw ValidationError("expected amqp://[user:password@]host[:port], got a malformed URL")
        }
        self.init(host: host, port: components.port ?? 5672, username: components.user?.removingPercentEncoding,
                  password: components.password?.removingPercentEncoding)
    }

    /// The peer at `url`, or (without one) an in-process listener started on loopback, which
    /// the caller closes.
    static func resolve(url: String?, group: EventLoopGroup, sourceMessageSize: Int = 1024)
        async throws -> (AMQPEndpoint, Channel?)
    {
        if let url { return (try AMQPEndpoint(url: url), nil) }
        let listener = try await LoopbackListener.start(group: group, sourceMessageSize: sourceMessageSize)
        return (AMQPEndpoint(host: "127.0.0.1", port: listener.localAddress?.port ?? 0), listener)
    }

    var credentials: [SASLCredentials] {
        if let username { return [.plain(username: username, password: password ?? "")] }
        return [.anonymous()]
    }

    var description: String { "amqp://\(username.map { "\($0)@" } ?? "")\(host):\(port)" }
}
