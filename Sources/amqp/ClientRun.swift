import AMQP
import AMQPCore
import Foundation
import NIOCore
import NIOPosix

/// What one `amqp send` or `amqp receive` counted.
struct RunResult: Sendable {
    var sent = 0
    var settled = 0
    var failure: String?
    var seconds = 0.0
    var size = 0

    var summary: String {
        let rate = seconds > 0 ? Double(settled) / seconds : 0
        let megabytes = rate * Double(size) / 1_000_000
        let line = "sent \(sent), settled \(settled) in \(String(format: "%.3f", seconds)) s: "
            + "\(Int(rate)) msgs/s, \(String(format: "%.1f", megabytes)) MB/s"
        return failure.map { line + "; error: \($0)" } ?? line
    }
}

/// The connection part of `amqp send` and `amqp receive`.
enum ClientRun {
    /// Connects to `endpoint` (SASL from its credentials), hands every engine event to `handle`
    /// on the event loop until the transport closes (closing it on a link or session error),
    /// and returns what `handle` counted.
    static func execute(
        endpoint: AMQPEndpoint, group: EventLoopGroup, name: String, result initial: RunResult,
        _ handle: @escaping @Sendable (ConnectionEngine.Event, AMQPConnectionHandler, inout RunResult) -> Void
    ) async throws -> RunResult {
        let done = group.next().makePromise(of: RunResult.self)
        let started = Date()
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(
                        containerID: "\(name)-\(getpid())", hostname: endpoint.host))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .client(endpoint.credentials, hostname: endpoint.host))
                    var result = initial
                    handler.onEvent = { [unowned handler] event in
                        handle(event, handler, &result)
                        switch event {
                        case .linkDetached(_, let error?):
                            result.failure = result.failure ?? "\(error)"
                            handler.perform { $0.close() }
                        case .sessionEnded(_, let error?):
                            result.failure = result.failure ?? "\(error)"
                            handler.perform { $0.close() }
                        default:
                            break
                        }
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
}
