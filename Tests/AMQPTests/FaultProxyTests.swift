import AMQPCore
import AMQPFaultProxy
import NIOCore
import Testing
@testable import AMQP

/// The fault-injecting proxy itself, between our client and a scripted peer: it forwards,
/// and it breaks things exactly as asked.
@Suite(.timeLimit(.minutes(1))) struct FaultProxyTests {
    static let body = AMQPMessage(data: ByteBuffer(repeating: 0x61, count: 1000)).encoded()

    static func withProxy(_ plan: FaultProxy.Plan = FaultProxy.Plan(),
                          _ body: (FaultProxy, ScriptedPeer) async throws -> Void) async throws {
        let peer = try await ScriptedPeer.start()
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: peer.port, plan: plan)
        do {
            try await body(proxy, peer)
        } catch {
            await proxy.stop()
            await peer.stop()
            throw error
        }
        await proxy.stop()
        await peer.stop()
    }

    @Test func forwardsBothWays() async throws {
        try await Self.withProxy { proxy, peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
            let sender = try await connection.openSession().openSender(to: "q")
            let outcome = try await sender.send(encodedContentsOf: repeatElement(Self.body, count: 2000), window: 100)
            #expect(outcome.accepted == 2000)
            #expect(try await peer.received == 2000)
            await connection.close()
            let statistics = await proxy.statistics
            #expect(statistics.connections == 1)
            #expect(statistics.cuts == 0)
            #expect(statistics.bytesToServer > 2000 * 1000)
        }
    }

    @Test func cutsAfterTheByteBudget() async throws {
        try await Self.withProxy(FaultProxy.Plan(cutAfterBytes: 50_000)) { proxy, peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
            let sender = try await connection.openSession().openSender(to: "q")
            await #expect(throws: AMQPClientError.self) {
                _ = try await sender.send(encodedContentsOf: repeatElement(Self.body, count: 2000), window: 100)
            }
            // Fewer than the budget's worth of messages reached the peer, and the cut was counted.
            #expect(try await peer.received < 50)
            let statistics = await proxy.statistics
            #expect(statistics.cuts == 1)
            #expect(statistics.bytesToServer + statistics.bytesToClient == 50_000)
        }
    }

    @Test func refusesConnectsThenLetsThemThrough() async throws {
        try await Self.withProxy(FaultProxy.Plan(refuseConnects: 2)) { proxy, _ in
            for _ in 0..<2 {
                await #expect(throws: AMQPClientError.self) {
                    _ = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
                }
            }
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
            await connection.close()
            #expect(await proxy.statistics.refused == 2)
        }
    }

    @Test func cutAllEndsALiveConnection() async throws {
        try await Self.withProxy { proxy, _ in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
            let session = try await connection.openSession()
            await proxy.cutAll()
            let error = await #expect(throws: AMQPClientError.self) {
                // The cut reaches the client at some point: a later call fails with it.
                for _ in 0..<1000 {
                    _ = try await session.openSender(to: "q")
                    try await Task.sleep(for: .milliseconds(10))
                }
            }
            #expect(error?.code == .connectionClosed)
            #expect(await proxy.statistics.cuts == 1)
        }
    }

    @Test func aStallHoldsTrafficThenLetsItThrough() async throws {
        try await Self.withProxy { proxy, peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)")
            let sender = try await connection.openSession().openSender(to: "q")
            await proxy.stall(for: .seconds(600))
            let send = Task { try await sender.send(encoded: Self.body) }
            while await proxy.statistics.held == 0 { try await Task.sleep(for: .milliseconds(5)) }
            #expect(try await peer.received == 0)
            await proxy.endStall()
            #expect(try await send.value == .accepted(Accepted()))
            #expect(try await peer.received == 1)
            await connection.close()
        }
    }

    @Test func droppingOneDirectionStarvesTheAnswers() async throws {
        try await Self.withProxy { proxy, _ in
            var options = AMQPConnectionOptions()
            options.operationTimeout = .milliseconds(300)
            options.closeTimeout = .milliseconds(300)
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
            await proxy.update { $0.dropServerToClient = true }
            let error = await #expect(throws: AMQPClientError.self) { _ = try await connection.openSession() }
            #expect(error?.code == .timedOut)
            await connection.close()
        }
    }
}
