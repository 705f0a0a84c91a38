import AMQPCore
import AMQPFaultProxy
import NIOCore
import Testing
@testable import AMQP

/// Reconnection through the fault-injecting proxy, against our listener's in-memory queues:
/// cut after cut, no message is lost, and the duplicates stay within what was in flight.
@Suite(.timeLimit(.minutes(2))) struct ReconnectTests {
    static let fast = AMQPReconnectPolicy.exponential(initial: .milliseconds(20), max: .milliseconds(200), jitter: 0.2)

    static func message(_ index: Int, size: Int = 200) -> ByteBuffer {
        var properties = MessageProperties()
        properties.messageID = .string("m-\(index)")
        return AMQPMessage(data: ByteBuffer(repeating: 0x61, count: size), properties: properties).encoded()
    }

    static func index(of delivery: AMQPDelivery) throws -> Int? {
        guard case .string(let id)? = try delivery.message.properties()?.messageID else { return nil }
        return Int(id.dropFirst(2))
    }

    /// Drains `address` straight from the listener (no proxy): how often each index came.
    static func drain(_ listener: AMQPListener, address: String) async throws -> [Int: Int] {
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(listener.port)")
        let receiver = try await connection.openSession().openReceiver(from: address, options: AMQPReceiverOptions(prefetch: 1000))
        var seen: [Int: Int] = [:]
        while true {
            let batch = try await receiver.receive(max: 1000, timeout: .milliseconds(300))
            if batch.isEmpty { break }
            for delivery in batch { if let index = try index(of: delivery) { seen[index, default: 0] += 1 } }
            try await receiver.settle(batch)
        }
        await connection.close()
        return seen
    }

    @Test("the policy's delays double up to the maximum, with jitter, until attempts run out")
    func policyDelays() {
        let policy = AMQPReconnectPolicy.exponential(initial: .milliseconds(100), max: .seconds(1), jitter: 0.5, maxAttempts: 6)
        #expect(policy.delay(beforeAttempt: 1, random: 0.5) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 2, random: 0.5) == .milliseconds(200))
        #expect(policy.delay(beforeAttempt: 4, random: 0.5) == .milliseconds(800))
        #expect(policy.delay(beforeAttempt: 5, random: 0.5) == .seconds(1))
        #expect(policy.delay(beforeAttempt: 2, random: 0) == .milliseconds(100))
        #expect(policy.delay(beforeAttempt: 2, random: 1) == .milliseconds(300))
        #expect(policy.delay(beforeAttempt: 7, random: 0.5) == nil)
        #expect(AMQPReconnectPolicy.never.delay(beforeAttempt: 1, random: 0.5) == nil)
        // Huge attempt counts neither overflow nor pass the maximum.
        #expect(AMQPReconnectPolicy.exponential().delay(beforeAttempt: 10_000, random: 1)! <= .seconds(36))
    }

    @Test("which ends come back: a lost transport, an idle time-out, a passing close; not bad credentials")
    func whatRecovers() {
        let policy = AMQPReconnectPolicy.exponential()
        #expect(policy.recovers(from: AMQPConnectionError(code: .transportClosed)))
        #expect(policy.recovers(from: AMQPConnectionError(code: .idleTimeout)))
        #expect(policy.recovers(from: AMQPConnectionError(code: .closedByPeer, error: AMQPError(condition: .connectionForced))))
        #expect(policy.recovers(from: AMQPConnectionError(code: .closedByPeer, error: AMQPError(condition: "com.microsoft:server-busy"))))
        #expect(!policy.recovers(from: AMQPConnectionError(code: .closedByPeer, error: AMQPError(condition: .unauthorizedAccess))))
        #expect(!policy.recovers(from: AMQPConnectionError(code: .closedByPeer)))
        #expect(!policy.recovers(from: AMQPConnectionError(code: .sasl)))
        #expect(!policy.recovers(from: AMQPConnectionError(code: .protocolViolation)))
        #expect(!AMQPReconnectPolicy.never.recovers(from: AMQPConnectionError(code: .transportClosed)))
    }

    @Test("a batch send cut again and again: every message accepted, none lost, duplicates within the window")
    func batchThroughCuts() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 1_000_000))
        // Cuts start once the link is up (a cut before the first open is a failed connect), and
        // come no sooner than 0.4 s into each connection: on a loaded machine, setting a
        // connection up (TCP, SASL, open, begin, attach) can take longer than a shorter
        // window, and then no attempt ever finishes.
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = Self.fast
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let states = await connection.stateChanges()
        let sender = try await connection.openSession().openSender(to: "cut")
        await proxy.update { $0.cutAfter = .milliseconds(400) ... .milliseconds(1000) }
        await proxy.cutAll()
        let count = 20_000, window = 200
        let messages = (0..<count).map { Self.message($0) }
        let outcome = try await sender.send(encodedContentsOf: messages, window: window)
        #expect(outcome.accepted == count)
        #expect(outcome.failures.isEmpty)
        await connection.close()
        let cuts = await proxy.statistics.cuts
        await proxy.stop()
        var reconnected = 0
        for await state in states { if state == .connected { reconnected += 1 } }
        let seen = try await Self.drain(listener, address: "cut")
        await listener.close()
        #expect(cuts >= 1, "the proxy never cut: nothing was tested")
        #expect(reconnected >= 1)
        let lost = (0..<count).filter { seen[$0] == nil }
        #expect(lost.isEmpty, "lost \(lost.count), e.g. \(lost.prefix(5))")
        let duplicates = seen.values.reduce(0) { $0 + $1 - 1 }
        #expect(duplicates <= cuts * window, "\(duplicates) duplicates over \(cuts) cuts")
    }

    @Test("single sends waiting across a cut complete with the outcome of the resend")
    func singleSendsAcrossACut() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 100_000))
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = Self.fast
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let sender = try await connection.openSession().openSender(to: "single")
        // Stalled, so that these are in flight when the cut comes.
        await proxy.stall(for: .seconds(600))
        let sends = (0..<50).map { index in Task { try await sender.send(encoded: Self.message(index)) } }
        while await proxy.statistics.held == 0 { try await Task.sleep(for: .milliseconds(5)) }
        await proxy.cutAll()
        await proxy.endStall()
        for send in sends { #expect(try await send.value == .accepted(Accepted())) }
        await connection.close()
        await proxy.stop()
        let seen = try await Self.drain(listener, address: "single")
        await listener.close()
        #expect(Set(seen.keys) == Set(0..<50))
    }

    @Test("a receiver cut again and again: every message arrives, settling one from before a cut throws staleDelivery")
    func receiverThroughCuts() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 1_000_000))
        let count = 5_000
        do {
            let direct = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(listener.port)")
            let sender = try await direct.openSession().openSender(to: "backlog")
            #expect(try await sender.send(encodedContentsOf: (0..<count).map { Self.message($0) }).accepted == count)
            await direct.close()
        }
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = Self.fast
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let receiver = try await connection.openSession().openReceiver(from: "backlog", options: AMQPReceiverOptions(prefetch: 100))
        await proxy.update { $0.cutAfter = .milliseconds(400) ... .milliseconds(1000) }
        await proxy.cutAll()
        var accepted = Set<Int>(), redelivered = 0, stale = 0
        while accepted.count < count {
            for delivery in try await receiver.receive(max: 50, timeout: .seconds(10)) {
                guard let index = try Self.index(of: delivery) else { continue }
                // Slow enough for the cuts to land between receiving and settling.
                try await Task.sleep(for: .microseconds(200))
                if try await Self.accept(delivery) {
                    if !accepted.insert(index).inserted { redelivered += 1 }
                } else {
                    stale += 1
                }
            }
        }
        await connection.close()
        #expect(await proxy.statistics.cuts >= 1)
        await proxy.stop()
        // Nothing left behind: every message was accepted once at least.
        let left = try await Self.drain(listener, address: "backlog")
        await listener.close()
        #expect(accepted == Set(0..<count))
        #expect(left.isEmpty || left.keys.allSatisfy(accepted.contains))
        _ = (redelivered, stale)
    }

    /// Accepts; false if the delivery came before a re-attach (`staleDelivery`).
    static func accept(_ delivery: AMQPDelivery) async throws -> Bool {
        do {
            try await delivery.accept()
            return true
        } catch {
            guard error.code == .staleDelivery else { throw error }
            return false
        }
    }

    @Test("closing while reconnecting ends at once, with every wait")
    func closeWhileReconnecting() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 100))
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = .exponential(initial: .seconds(600), max: .seconds(600))
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let states = await connection.stateChanges()
        let session = try await connection.openSession()
        await proxy.cutAll()
        var iterator = states.makeAsyncIterator()
        guard case .reconnecting(attempt: 1, _)? = await iterator.next() else {
            Issue.record("no reconnecting state")
            return
        }
        let opening = Task { try await session.openSender(to: "q") }
        await connection.close()
        await #expect(throws: AMQPClientError.self) { _ = try await opening.value }
        #expect(await iterator.next() == .closed(nil))
        await proxy.stop()
        await listener.close()
    }

    @Test("a refused reconnect is tried again until the proxy lets it through")
    func refusedAttemptsAreRetried() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 100))
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = Self.fast
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let sender = try await connection.openSession().openSender(to: "refused")
        await proxy.update { $0.refuseConnects = 3 }
        await proxy.cutAll()
        #expect(try await sender.send(encoded: Self.message(1)) == .accepted(Accepted()))
        #expect(await proxy.statistics.refused == 3)
        await connection.close()
        await proxy.stop()
        await listener.close()
    }

    @Test("attempts used up: the connection fails with the last reason")
    func attemptsRunOut() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 100))
        let proxy = try await FaultProxy.start(to: "127.0.0.1", port: listener.port)
        var options = AMQPConnectionOptions()
        options.reconnect = .exponential(initial: .milliseconds(10), max: .milliseconds(20), maxAttempts: 2)
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(proxy.port)", options: options)
        let states = await connection.stateChanges()
        let sender = try await connection.openSession().openSender(to: "q")
        await proxy.update { $0.refuseConnects = 100 }
        await proxy.cutAll()
        await #expect(throws: AMQPClientError.self) { _ = try await sender.send(encoded: Self.message(0)) }
        var seen: [AMQPConnectionState] = []
        for await state in states { seen.append(state) }
        #expect(seen.filter { if case .reconnecting = $0 { true } else { false } }.count == 2)
        guard case .closed(let error?)? = seen.last else {
            Issue.record("did not end failed: \(seen)")
            return
        }
        _ = error
        await proxy.stop()
        await listener.close()
    }
}
