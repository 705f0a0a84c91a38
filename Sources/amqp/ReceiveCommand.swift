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
        var listener: Channel?
        let endpoint: AMQPEndpoint
        if let url {
            endpoint = try AMQPEndpoint(url: url)
        } else {
            let channel = try await LoopbackListener.start(group: group, sourceMessageSize: size)
            listener = channel
            endpoint = AMQPEndpoint(host: "127.0.0.1", port: channel.localAddress?.port ?? 0)
        }
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

    func execute(endpoint: AMQPEndpoint, group: EventLoopGroup) async throws -> SendRun.Result {
        let done = group.next().makePromise(of: SendRun.Result.self)
        let started = Date()
        let run = self
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(
                        containerID: "amqp-receive-\(getpid())", hostname: endpoint.host))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .client(endpoint.credentials, hostname: endpoint.host))
                    var result = SendRun.Result()
                    handler.onEvent = { [unowned handler] event in
                        run.handle(event, handler: handler, result: &result)
                        if case .closeTransport(let error) = event {
                            if let error, result.failure == nil { result.failure = "\(error)" }
                            result.seconds = Date().timeIntervalSince(started)
                            done.succeed(result)
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMQPFrameDecoder(maxFrameSize: 1 << 20)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .connect(host: endpoint.host, port: endpoint.port).get()
        let result = try await done.futureResult.get()
        try? await channel.close()
        return result
    }

    private func handle(_ event: ConnectionEngine.Event, handler: AMQPConnectionHandler, result: inout SendRun.Result) {
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
        case .linkDetached(_, let error?):
            result.failure = result.failure ?? "\(error)"
            handler.perform { $0.close() }
        case .sessionEnded(_, let error?):
            result.failure = result.failure ?? "\(error)"
            handler.perform { $0.close() }
        default:
            break
        }
    }
}
