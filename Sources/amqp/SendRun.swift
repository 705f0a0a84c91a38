import AMQP
import AMQPCore
import Foundation
import NIOCore
import NIOPosix

/// One `amqp send`: connect, attach a sender, send `count` messages as credit allows, wait
/// for every outcome, close.
struct SendRun: Sendable {
    var count: Int
    var size: Int
    var address: String
    var presettled: Bool

    func execute(endpoint: AMQPEndpoint, group: EventLoopGroup) async throws -> RunResult {
        let message = AMQPMessage(data: ByteBuffer(repeating: 0x61, count: size)).encoded()
        let run = self
        return try await ClientRun.execute(endpoint: endpoint, group: group, name: "amqp-send", result: RunResult(size: size)) {
            run.handle($0, handler: $1, message: message, result: &$2)
        }
    }

    private func handle(_ event: ConnectionEngine.Event, handler: AMQPConnectionHandler, message: ByteBuffer, result: inout RunResult) {
        switch event {
        case .opened:
            _ = handler.perform { $0.beginSession() }
        case .sessionBegun(let channel):
            _ = handler.perform {
                $0.attachLink(channel: channel, name: "amqp-send", role: .sender, source: Source(address: "amqp-send"),
                              target: Target(address: address), senderSettleMode: presettled ? .settled : .unsettled)
            }
        case .creditAvailable(let link, let credit):
            // `credit` is the link's whole credit: queue what it covers beyond what is queued.
            let first = result.sent
            let batch = handler.perform { engine -> Int in
                let batch = min(Int(credit) - engine.queued(on: link), count - first)
                for index in first..<(first + max(batch, 0)) {
                    engine.send(message, tag: ByteBuffer(integer: UInt64(index)), on: link, settled: presettled)
                }
                return max(batch, 0)
            }
            guard batch > 0 else { return }
            result.sent += batch
        case .outcome(_, _, _, let state, true):
            if presettled || state == .accepted(Accepted()) {
                result.settled += 1
            } else if result.failure == nil {
                result.failure = "a message was not accepted: \(state.map { "\($0)" } ?? "no outcome")"
            }
            if result.settled == count || result.failure != nil { handler.perform { $0.close() } }
        default:
            break
        }
    }
}

/// The embedded default peer: listens on 127.0.0.1 (a free port), takes SASL ANONYMOUS or
/// PLAIN, accepts every link; as a receiver it accepts every delivery, as a sender it sends
/// messages of `sourceMessageSize` bytes as fast as the peer's credit allows.
enum LoopbackListener {
    static func start(group: EventLoopGroup, sourceMessageSize: Int = 1024) async throws -> Channel {
        let message = AMQPMessage(data: ByteBuffer(repeating: 0x62, count: sourceMessageSize)).encoded()
        return try await ServerBootstrap(group: group)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let engine = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "amqp-listener"))
                    let handler = AMQPConnectionHandler(engine: engine, sasl: .server(["ANONYMOUS", "PLAIN"]) { _ in true })
                    var sent: UInt64 = 0
                    handler.onEvent = { [unowned handler] event in
                        switch event {
                        case .linkRequested(let channel, let attach):
                            _ = handler.perform { $0.acceptLink(channel: channel, attach, prefetch: 1000) }
                        case .delivery(let link, let delivery):
                            handler.perform { engine in
                                engine.consumed(1, on: link)
                                if !delivery.settled { engine.settle(delivery.deliveryID, on: link, state: .accepted(Accepted())) }
                            }
                        case .creditAvailable(let link, let credit):
                            handler.perform { engine in
                                // Queue only what the credit covers beyond what is queued already.
                                for _ in 0..<max(Int(credit) - engine.queued(on: link), 0) {
                                    engine.send(message, tag: ByteBuffer(integer: sent), on: link)
                                    sent &+= 1
                                }
                            }
                        default:
                            break
                        }
                    }
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(AMQPFrameDecoder(maxFrameSize: 1 << 20)))
                    try channel.pipeline.syncOperations.addHandler(handler)
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }
}
