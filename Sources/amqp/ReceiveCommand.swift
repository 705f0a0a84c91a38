import AMQP
import AMQPCore
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive messages and accept each one.",
        discussion: """
            Without --url, receives from an in-process listener on 127.0.0.1 that sends \
            messages of --size bytes as fast as credit allows (the embedded default). Prints one \
            summary line; exits non-zero unless --count messages were received and accepted.
            """
    )

    @Option(help: "amqp://[user:password@]host[:port] (default: the in-process listener).")
    var url: String?

    @Option(help: "Source address.")
    var address = "queue"

    @Option(help: "How many messages.")
    var count = 10_000

    @Option(help: "Credit kept granted to the sender (prefetch).")
    var credit: UInt32 = 1000

    @Option(help: "Body size the in-process listener sends (ignored with --url).")
    var size = 1024

    func run() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let (endpoint, listener) = try await AMQPEndpoint.resolve(url: url, group: group, sourceMessageSize: size)
        let result = try await ReceiveRun(count: count, credit: max(credit, 1), address: address)
            .execute(endpoint: endpoint, group: group)
        try? await listener?.close()
        try await group.shutdownGracefully()
        print(result.summary)
        guard result.failure == nil, result.settled == count else { throw ExitCode(1) }
    }
}

/// One `amqp receive`: connect, attach a receiver with `credit` prefetch, accept `count`
/// deliveries, close.
struct ReceiveRun: Sendable {
    var count: Int
    var credit: UInt32
    var address: String

    func execute(endpoint: AMQPEndpoint, group: EventLoopGroup) async throws -> RunResult {
        let run = self
        return try await ClientRun.execute(endpoint: endpoint, group: group, name: "amqp-receive", result: RunResult()) {
            run.handle($0, handler: $1, result: &$2)
        }
    }

    private func handle(_ event: ConnectionEngine.Event, handler: AMQPConnectionHandler, result: inout RunResult) {
        switch event {
        case .opened:
            _ = handler.perform { $0.beginSession() }
        case .sessionBegun(let channel):
            _ = handler.perform {
                $0.attachLink(channel: channel, name: "amqp-receive", role: .receiver, source: Source(address: address),
                              target: Target(address: "amqp-receive"), prefetch: credit)
            }
        case .delivery(let link, let delivery):
            guard result.settled < count else { return }
            result.sent += 1
            result.size = delivery.payload.readableBytes
            handler.perform { engine in
                engine.consumed(1, on: link)
                if !delivery.settled { engine.settle(delivery.deliveryID, on: link, state: .accepted(Accepted())) }
            }
            result.settled += 1
            if result.settled == count { handler.perform { $0.close() } }
        default:
            break
        }
    }
}
