import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// Every wait on the peer ends: by its time-out, by cancelling the task, or with the
/// connection. Against scripted peers that go silent, stop reading or grant no credit.
@Suite(.timeLimit(.minutes(1))) struct BoundedWaitTests {
    static let body = AMQPMessage(data: ByteBuffer(string: "bounded")).encoded()

    static func options(_ change: (inout AMQPConnectionOptions) -> Void) -> AMQPConnectionOptions {
        var options = AMQPConnectionOptions()
        change(&options)
        return options
    }

    static func withPeer(_ script: ScriptedPeer.Script, _ body: (ScriptedPeer) async throws -> Void) async throws {
        let peer = try await ScriptedPeer.start(script)
        do {
            try await body(peer)
        } catch {
            await peer.stop()
            throw error
        }
        await peer.stop()
    }

    /// The code `body` throws, failing the test if it throws something else or nothing.
    static func code(_ body: () async throws -> Void) async -> AMQPClientError.Code? {
        do {
            try await body()
            return nil
        } catch let error as AMQPClientError {
            return error.code
        } catch {
            Issue.record("not an AMQPClientError: \(error)")
            return nil
        }
    }

    @Test func connectingToASilentPeerTimesOut() async throws {
        try await Self.withPeer(ScriptedPeer.Script(silent: true)) { peer in
            let options = Self.options { $0.connectTimeout = .milliseconds(300) }
            let code = await Self.code { _ = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)", options: options) }
            #expect(code == .timedOut)
        }
    }

    @Test func cancellingAConnectEndsIt() async throws {
        try await Self.withPeer(ScriptedPeer.Script(silent: true)) { peer in
            let options = Self.options { $0.connectTimeout = .seconds(120) }
            let attempt = Task {
                _ = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)", options: options)
            }
            attempt.cancel()
            // Cancelled before or after the socket connected: either way it ends, cancelled.
            let code = await Self.code { try await attempt.value }
            #expect(code == .cancelled)
        }
    }

    @Test func aMutePeerTimesOutTheSessionAndCloseIsBounded() async throws {
        try await Self.withPeer(ScriptedPeer.Script(muteAfterOpen: true)) { peer in
            let options = Self.options {
                $0.operationTimeout = .milliseconds(300)
                $0.closeTimeout = .milliseconds(300)
            }
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)", options: options)
            #expect(await Self.code { _ = try await connection.openSession() } == .timedOut)
            // Two closes at once: both end once the close time-out drops the transport.
            async let first: Void = connection.close()
            async let second: Void = connection.close()
            _ = await (first, second)
            #expect(await Self.code { _ = try await connection.openSession() } == .timedOut)
        }
    }

    @Test func cancellingCloseOnAMutePeerEndsIt() async throws {
        try await Self.withPeer(ScriptedPeer.Script(muteAfterOpen: true)) { peer in
            // Far beyond the suite's time limit: only the cancellation can end this close.
            let options = Self.options { $0.closeTimeout = .seconds(600) }
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)", options: options)
            let closing = Task { await connection.close() }
            closing.cancel()
            await closing.value
            #expect(await Self.code { _ = try await connection.openSession() } != nil)
        }
    }

    /// A sender to a peer that grants no credit until told.
    static func withStarvedSender(
        _ change: (inout AMQPConnectionOptions) -> Void = { _ in },
        _ body: (ScriptedPeer, AMQPConnection, AMQPSender) async throws -> Void
    ) async throws {
        try await withPeer(ScriptedPeer.Script(prefetch: 0)) { peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)", options: options(change))
            let sender = try await connection.openSession().openSender(to: "q")
            try await body(peer, connection, sender)
            await connection.close()
        }
    }

    /// After the cancelled or timed-out sends: credit comes, one more send goes out and is
    /// accepted, and the peer has received that one alone — the others were never sent.
    static func expectOnlyTheNextSendArrives(_ peer: ScriptedPeer, _ sender: AMQPSender) async throws {
        try await peer.grant(1000)
        #expect(try await sender.send(encoded: body) == .accepted(Accepted()))
        #expect(try await peer.received == 1)
    }

    @Test func aSendWaitingForCreditTimesOutAndIsNeverSent() async throws {
        try await Self.withStarvedSender({ $0.sendTimeout = .milliseconds(300) }) { peer, _, sender in
            #expect(await Self.code { _ = try await sender.send(encoded: Self.body) } == .timedOut)
            try await Self.expectOnlyTheNextSendArrives(peer, sender)
        }
    }

    @Test func aCancelledSendThatWasNotTransferredIsNotSent() async throws {
        try await Self.withStarvedSender { peer, _, sender in
            let send = Task { _ = try await sender.send(encoded: Self.body) }
            send.cancel()
            #expect(await Self.code { try await send.value } == .cancelled)
            try await Self.expectOnlyTheNextSendArrives(peer, sender)
        }
    }

    @Test func aCancelledBatchSendsNothingMore() async throws {
        try await Self.withStarvedSender { peer, _, sender in
            let batch = Task {
                _ = try await sender.send(encodedContentsOf: repeatElement(Self.body, count: 500), window: 100)
            }
            batch.cancel()
            #expect(await Self.code { try await batch.value } == .cancelled)
            try await Self.expectOnlyTheNextSendArrives(peer, sender)
        }
    }

    @Test func aBatchWithoutProgressTimesOut() async throws {
        try await Self.withStarvedSender({ $0.sendTimeout = .milliseconds(300) }) { peer, _, sender in
            let code = await Self.code { _ = try await sender.send(encodedContentsOf: repeatElement(Self.body, count: 50)) }
            #expect(code == .timedOut)
            try await Self.expectOnlyTheNextSendArrives(peer, sender)
        }
    }

    @Test func closingWhileASendWaitsForCreditFailsTheSend() async throws {
        try await Self.withStarvedSender { _, connection, sender in
            let send = Task { _ = try await sender.send(encoded: Self.body) }
            // Wait until the send is queued on the link (the connection's actor runs it in order).
            while await connection.queuedDeliveries() == 0 { await Task.yield() }
            await connection.close()
            #expect(await Self.code { try await send.value } == .connectionClosed)
        }
    }

    @Test func cancellingAReceiveEndsIt() async throws {
        try await Self.withPeer(.acceptAll) { peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)")
            let receiver = try await connection.openSession().openReceiver(from: "nothing-here")
            let receive = Task { _ = try await receiver.receive() }
            receive.cancel()
            #expect(await Self.code { try await receive.value } == .cancelled)
            // The receiver still works: a bounded receive ends empty.
            #expect(try await receiver.receive(max: 10, timeout: .milliseconds(100)).isEmpty)
            await connection.close()
        }
    }

    @Test func closingWhileThePeerClosesEnds() async throws {
        try await Self.withPeer(.closeAfter(1)) { peer in
            let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)")
            let sender = try await connection.openSession().openSender(to: "q")
            async let sent = Self.code { _ = try await sender.send(encoded: Self.body) }
            async let closed: Void = connection.close()
            _ = await (sent, closed)
            #expect(await Self.code { _ = try await connection.openSession() } != nil)
        }
    }
}

extension AMQPConnection {
    /// Deliveries queued on its links and not yet sent (waiting for credit).
    func queuedDeliveries() -> Int {
        handler?.inspect { engine in
            engine.sessions.values.reduce(0) { total, session in total + session.links.values.reduce(0) { $0 + $1.queue.count } }
        } ?? 0
    }
}
