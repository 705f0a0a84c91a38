import AMQPCore
import NIOCore
import NIOPosix
import Testing
@testable import AMQP

/// The async API against our own listener (in-memory queues) over loopback TCP.
@Suite(.timeLimit(.minutes(1))) struct ClientAPITests {
    static func withPeer(
        capacity: Int = 10_000, options: AMQPConnectionOptions = AMQPConnectionOptions(),
        _ body: (AMQPConnection, AMQPSession, AMQPListener) async throws -> Void
    ) async throws {
        var listenerOptions = AMQPListener.Options()
        listenerOptions.verify = { presented in
            if case .plain(_, let username, let password) = presented { return username == "user" && password == "secret" }
            return true
        }
        let listener = try await AMQPListener.start(.queues(capacity: capacity), options: listenerOptions)
        do {
            let connection = try await AMQPConnection.connect(to: "amqp://user:secret@127.0.0.1:\(listener.port)", options: options)
            let session = try await connection.openSession()
            try await body(connection, session, listener)
            await connection.close()
        } catch {
            await listener.close()
            throw error
        }
        await listener.close()
    }

    static func numbered(_ count: Int, size: Int = 64) -> [AMQPMessage] {
        (0..<count).map { index in
            var message = AMQPMessage(data: ByteBuffer(repeating: UInt8(truncatingIfNeeded: index), count: size))
            message.applicationProperties = ["index": .int(Int32(index))]
            return message
        }
    }

    static func index(_ delivery: AMQPDelivery) throws -> Int32? {
        guard case .int(let value)? = try delivery.message.applicationProperty("index") else { return nil }
        return value
    }

    /// A task preferring the connection's executor runs on its event loop, and sends and
    /// receives there as anywhere else.
    @Test func loopsRunOnTheConnectionsEventLoop() async throws {
        try await Self.withPeer { connection, session, _ in
            let executor = connection.taskExecutor
            let received = try await withTaskExecutorPreference(executor) { () async throws -> [Int32] in
                #expect(executor.eventLoop.inEventLoop)
                let sender = try await session.openSender(to: "local")
                let outcome = try await sender.send(contentsOf: Self.numbered(300), window: 50)
                #expect(outcome.accepted == 300)
                #expect(executor.eventLoop.inEventLoop)
                let receiver = try await session.openReceiver(from: "local", options: AMQPReceiverOptions(prefetch: 40))
                var seen: [Int32] = []
                while seen.count < 300 {
                    let batch = try await receiver.receive(max: 64, timeout: .seconds(5))
                    #expect(!batch.isEmpty)
                    #expect(executor.eventLoop.inEventLoop)
                    try await receiver.settle(batch)
                    for delivery in batch { seen.append(try #require(try Self.index(delivery))) }
                }
                return seen
            }
            #expect(received == Array(0..<300))
        }
    }

    @Test func batchSendThenReceiveInOrderWithDemandDrivenCredit() async throws {
        try await Self.withPeer { _, session, _ in
            let sender = try await session.openSender(to: "orders")
            let outcome = try await sender.send(contentsOf: Self.numbered(500), window: 64)
            #expect(outcome.accepted == 500)
            #expect(outcome.failures.isEmpty)

            let receiver = try await session.openReceiver(from: "orders", options: AMQPReceiverOptions(prefetch: 50))
            var seen: [Int32] = []
            for try await delivery in receiver {
                seen.append(try #require(try Self.index(delivery)))
                #expect(delivery.message.data?.readableBytes == 64)
                try await delivery.accept()
                if seen.count == 500 { break }
            }
            #expect(seen == Array(0..<500))
            // Nothing left: a bounded wait comes back empty.
            let rest = try await receiver.receive(max: 10, timeout: .milliseconds(200))
            #expect(rest.isEmpty)
            try await receiver.close()
            try await sender.close()
        }
    }

    @Test func singleSendReturnsTheOutcomeAndPresettledReturnsNil() async throws {
        try await Self.withPeer(capacity: 1) { _, session, _ in
            let sender = try await session.openSender(to: "one")
            #expect(try await sender.send(AMQPMessage(body: .value(.string("a")))) == .accepted(Accepted()))
            // The queue holds one: the second is rejected with the listener's reason.
            let second = try await sender.send(AMQPMessage(body: .value(.string("b"))))
            guard case .rejected(let rejected)? = second else {
                Issue.record("expected rejected, got \(String(describing: second))")
                return
            }
            #expect(rejected.error?.condition == .resourceLimitExceeded)

            let presettled = try await session.openSender(to: "other", options: AMQPSenderOptions(presettled: true))
            #expect(try await presettled.send(AMQPMessage(body: .value(.string("c")))) == nil)
        }
    }

    /// One disposition releasing a run of deliveries: the listener hears it as one run and
    /// queues them again, in their order.
    @Test func aReleasedRunComesBackInOrder() async throws {
        try await Self.withPeer { _, session, _ in
            let sender = try await session.openSender(to: "runs")
            #expect(try await sender.send(contentsOf: Self.numbered(10)).accepted == 10)
            let receiver = try await session.openReceiver(from: "runs", options: AMQPReceiverOptions(prefetch: 0))
            try await receiver.addCredit(10)
            var batch: [AMQPDelivery] = []
            while batch.count < 10 { batch += try await receiver.receive(max: 10 - batch.count, timeout: .seconds(5)) }
            try await receiver.settle(Array(batch[0..<4]), .released(Released()))
            try await receiver.settle(Array(batch[4...]))
            try await receiver.addCredit(4)
            var again: [Int32] = []
            while again.count < 4 {
                for delivery in try await receiver.receive(max: 4, timeout: .seconds(5)) {
                    again.append(try #require(try Self.index(delivery)))
                    try await delivery.accept()
                }
            }
            #expect(again == [0, 1, 2, 3])
        }
    }

    @Test func aDeliveryIsSettledOnceAndAReleasedOneComesBack() async throws {
        try await Self.withPeer { _, session, _ in
            let sender = try await session.openSender(to: "q")
            _ = try await sender.send(contentsOf: Self.numbered(2))
            let receiver = try await session.openReceiver(from: "q", options: AMQPReceiverOptions(prefetch: 1))
            let first = try #require(try await receiver.receive())
            #expect(try Self.index(first) == 0)
            try await first.release()
            await #expect(throws: AMQPClientError.self) { try await first.accept() }
            do throws(AMQPClientError) {
                try await first.reject()
                Issue.record("a second settlement must throw")
            } catch {
                #expect(error.code == .alreadySettled)
            }
            // Released: delivered again (message 1 may already be on its way: credit was
            // topped up when message 0 was taken).
            var next: [Int32] = []
            for _ in 0..<2 {
                let delivery = try #require(try await receiver.receive())
                next.append(try #require(try Self.index(delivery)))
                try await delivery.accept()
            }
            #expect(next.sorted() == [0, 1])
            #expect(try await receiver.receive(max: 1, timeout: .milliseconds(200)).isEmpty)
        }
    }

    @Test func secondSettleModeSettlesAfterTheSender() async throws {
        try await Self.withPeer { _, session, _ in
            let sender = try await session.openSender(to: "second")
            _ = try await sender.send(contentsOf: Self.numbered(3))
            var options = AMQPReceiverOptions(prefetch: 10)
            options.settleMode = .second
            let receiver = try await session.openReceiver(from: "second", options: options)
            #expect(receiver.terms.receiverSettleMode == .second)
            var got: [AMQPDelivery] = []
            while got.count < 3 { got += try await receiver.receive(max: 3, timeout: .seconds(5)) }
            try await receiver.settle(got)
            await #expect(throws: AMQPClientError.self) { try await got[0].accept() }
            try await receiver.close()
            // Accepted: nothing is redelivered to the next receiver.
            let next = try await session.openReceiver(from: "second")
            #expect(try await next.receive(max: 3, timeout: .milliseconds(300)).isEmpty)
        }
    }

    @Test func manualCreditAndDrain() async throws {
        try await Self.withPeer { _, session, _ in
            let sender = try await session.openSender(to: "manual")
            _ = try await sender.send(contentsOf: Self.numbered(5))
            let receiver = try await session.openReceiver(from: "manual", options: AMQPReceiverOptions(prefetch: 0))
            // No credit, nothing comes.
            #expect(try await receiver.receive(max: 5, timeout: .milliseconds(200)).isEmpty)
            try await receiver.addCredit(3)
            var got: [AMQPDelivery] = []
            while got.count < 3 { got += try await receiver.receive(max: 3, timeout: .seconds(5)) }
            #expect(try got.map { try Self.index($0) } == [0, 1, 2])
            try await receiver.settle(got)
            // Credit for 10 with 2 left: the drain ends once the sender gives the rest back.
            try await receiver.addCredit(10)
            try await receiver.drain()
            let rest = try await receiver.receive(max: 10, timeout: .seconds(5))
            #expect(try rest.map { try Self.index($0) } == [3, 4])
            try await receiver.settle(rest)
            #expect(try await receiver.receive(max: 1, timeout: .milliseconds(200)).isEmpty)
        }
    }

    @Test func dynamicReceiverGetsAnAddressMessagesReachIt() async throws {
        try await Self.withPeer { _, session, _ in
            var options = AMQPReceiverOptions()
            options.dynamic = true
            let receiver = try await session.openReceiver(from: nil, options: options)
            let address = try #require(receiver.address)
            let sender = try await session.openSender(to: address)
            #expect(try await sender.send(AMQPMessage(body: .value(.string("reply")))) == .accepted(Accepted()))
            let delivery = try #require(try await receiver.receive())
            #expect(try delivery.message.body() == .value(.string("reply")))
            try await delivery.accept()
        }
    }

    @Test func oneMebibyteOverSmallFramesBothWays() async throws {
        var options = AMQPConnectionOptions()
        options.maxFrameSize = 512
        try await Self.withPeer(options: options) { connection, session, _ in
            #expect(await connection.negotiatedTerms?.incomingMaxFrameSize == 512)
            let body = ByteBuffer(bytes: (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 31) })
            let sender = try await session.openSender(to: "big")
            #expect(try await sender.send(AMQPMessage(data: body)) == .accepted(Accepted()))
            let receiver = try await session.openReceiver(from: "big")
            let delivery = try #require(try await receiver.receive())
            #expect(delivery.message.data == body)
            try await delivery.accept()
        }
    }

    @Test func wrongPasswordIsATypedErrorWithoutThePassword() async throws {
        let listener = try await AMQPListener.start(.queues(capacity: 10), options: {
            var options = AMQPListener.Options()
            options.verify = { _ in false }
            return options
        }())
        defer { Task { await listener.close() } }
        do throws(AMQPClientError) {
            _ = try await AMQPConnection.connect(to: "amqp://user:hunter2@127.0.0.1:\(listener.port)")
            Issue.record("connect must fail")
        } catch {
            #expect(error.code == .connectionClosed)
            #expect(!"\(error)".contains("hunter2"))
            #expect("\(error)".contains("SASL"))
        }
    }

    @Test func connectFailuresAreTypedAndBounded() async throws {
        // Nothing listens: connect fails.
        let closed = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        let port = try #require(closed.localAddress?.port)
        try await closed.close()
        await #expect(throws: AMQPClientError.self) { try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(port)") }

        // A peer that accepts and never answers: the connect time-out ends it.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        var options = AMQPConnectionOptions()
        options.connectTimeout = .milliseconds(500)
        do throws(AMQPClientError) {
            _ = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(silent.localAddress!.port!)", options: options)
            Issue.record("connect must time out")
        } catch {
            #expect(error.code == .timedOut)
        }
        try await silent.close()

        #expect(throws: AMQPClientError.self) { try AMQPURL("http://host") }
        #expect(throws: AMQPClientError.self) { try AMQPURL("amqp://host:99999") }
    }

    @Test func closingTheConnectionEndsWaitingReceivers() async throws {
        try await Self.withPeer { connection, session, listener in
            let receiver = try await session.openReceiver(from: "empty")
            let waiting = Task { () async throws(AMQPClientError) -> [AMQPDelivery] in try await receiver.receive(max: 1) }
            // The receive must be waiting (not yet started, it would fail for another reason).
            while await !connection.hasReceiveWaiter() { await Task.yield() }
            await listener.close()
            switch await waiting.result {
            case .success: Issue.record("the receive must fail when the connection goes")
            case .failure(let error): #expect((error as? AMQPClientError)?.code == .connectionClosed)
            }
            await #expect(throws: AMQPClientError.self) { try await connection.openSession() }
        }
    }

    @Test func urlParsing() throws {
        let url = try AMQPURL("amqp://us%40er:p%3Ass@broker.example:5673/vhost")
        #expect(url.host == "broker.example")
        #expect(url.port == 5673)
        #expect(url.username == "us@er")
        #expect(url.password == "p:ss")
        #expect(url.description == "amqp://us@er@broker.example:5673")
        #expect(try AMQPURL("amqp://[::1]").host == "::1")
        #expect(try AMQPURL("amqp://localhost").port == 5672)
        #expect(try AMQPURL("amqp://localhost").credentials == [.anonymous()])
    }
}

/// A peer that opens and then never says another word: `close()` must still return, within
/// the close time-out.
@Suite(.timeLimit(.minutes(1))) struct BoundedCloseTests {
    final class MutePeer: ChannelInboundHandler {
        typealias InboundIn = AMQPInbound
        typealias OutboundOut = ByteBuffer

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var reply = ByteBuffer()
            switch unwrapInboundIn(data) {
            case .header(let header) where header == .sasl:
                reply.writeAMQPProtocolHeader(.sasl)
                reply.writeAMQPFrame(AMQPFrame(channel: 0, body: .sasl(.mechanisms(SASLMechanisms(saslServerMechanisms: ["ANONYMOUS"])))))
            case .frame(let frame):
                if case .sasl(.initiate) = frame.body {
                    reply.writeAMQPFrame(AMQPFrame(channel: 0, body: .sasl(.outcome(SASLOutcome(code: .ok)))))
                } else if case .amqp(.open, _) = frame.body {
                    reply.writeAMQPFrame(AMQPFrame(channel: 0, performative: .open(Open(containerID: "mute")), payload: ByteBuffer()))
                }
            case .header(let header):
                reply.writeAMQPProtocolHeader(header)
            }
            if reply.readableBytes > 0 { context.writeAndFlush(wrapOutboundOut(reply), promise: nil) }
        }
    }

    @Test func closeIsBoundedWhenThePeerNeverAnswers() async throws {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(AMQPFrameReader(maxFrameSize: 65_536))
                    try channel.pipeline.syncOperations.addHandler(MutePeer())
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        var options = AMQPConnectionOptions()
        options.closeTimeout = .milliseconds(300)
        options.operationTimeout = .milliseconds(300)
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(server.localAddress!.port!)", options: options)
        // The peer never answers begin: a typed time-out, not a hang.
        do throws(AMQPClientError) {
            _ = try await connection.openSession()
            Issue.record("the session must time out")
        } catch {
            #expect(error.code == .timedOut)
        }
        // Returns (the suite's time limit fails a hang), and the connection is over.
        await connection.close()
        await #expect(throws: AMQPClientError.self) { try await connection.openSession() }
        try await server.close()
    }
}

/// A link the peer refuses or detaches keeps its reason for later calls.
@Suite(.timeLimit(.minutes(1))) struct LinkReasonTests {
    @Test func aReceiverOnASinkSaysWhy() async throws {
        // The sink-and-source listener refuses nothing, so use the queue listener's refusal of a
        // receiver without an address (amqp:not-implemented).
        let listener = try await AMQPListener.start(.queues(capacity: 10))
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(listener.port)")
        let session = try await connection.openSession()
        do throws(AMQPClientError) {
            _ = try await session.openReceiver(from: nil)
            Issue.record("a receiver without an address must be refused")
        } catch {
            #expect(error.code == .linkDetached)
            #expect(error.condition == .notImplemented)
        }
        await connection.close()
        await listener.close()
    }
}

extension AMQPConnection {
    /// Whether some receiver has a task waiting for deliveries.
    func hasReceiveWaiter() -> Bool {
        linksByKey.values.contains { $0.receiver?.waiter != nil }
    }
}
