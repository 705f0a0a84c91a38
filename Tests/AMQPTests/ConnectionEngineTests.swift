import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// Two engines talking through real bytes (encoded and decoded frames), with a server that
/// accepts every session and link and accepts every delivery.
struct EnginePair {
    var client: ConnectionEngine
    var server: ConnectionEngine
    var clientEvents: [ConnectionEngine.Event] = []
    var serverEvents: [ConnectionEngine.Event] = []
    var received: [IncomingDelivery] = []
    var serverPrefetch: UInt32 = 10
    var settleOnServer = true

    init(clientMaxFrameSize: UInt32 = 65_536, serverMaxFrameSize: UInt32 = 512, serverIncomingWindow: UInt32 = 8) {
        client = ConnectionEngine(role: .client, configuration: ConnectionConfiguration(containerID: "client", maxFrameSize: clientMaxFrameSize))
        server = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "server", maxFrameSize: serverMaxFrameSize),
                                  sessionConfiguration: SessionConfiguration(incomingWindow: serverIncomingWindow))
    }

    /// Moves bytes both ways until neither side has anything to say.
    mutating func run() throws {
        var clientDecoder = AMQPFrameDecoder(maxFrameSize: 65_536)
        var serverDecoder = AMQPFrameDecoder(maxFrameSize: 65_536)
        for _ in 0..<10_000 {
            let fromClient = client.takeOutbound()
            let fromServer = server.takeOutbound()
            if fromClient.isEmpty && fromServer.isEmpty { return }
            try deliver(fromClient, to: &server, decoder: &serverDecoder)
            handleServerEvents()
            try deliver(fromServer, to: &client, decoder: &clientDecoder)
            clientEvents += client.takeEvents()
        }
        Issue.record("the engines never went quiet")
    }

    private func deliver(_ items: [AMQPInbound], to engine: inout ConnectionEngine, decoder: inout AMQPFrameDecoder) throws {
        guard !items.isEmpty else { return }
        var bytes = ByteBuffer()
        for item in items { AMQPFrameEncoder().encode(data: item, out: &bytes) }
        while let item = try decoder.decodeItem(from: &bytes) { engine.received(item) }
        #expect(bytes.readableBytes == 0)
        engine.flush()
    }

    private mutating func handleServerEvents() {
        let events = server.takeEvents()
        serverEvents += events
        for event in events {
            switch event {
            case .linkRequested(let channel, let attach):
                _ = server.acceptLink(channel: channel, attach, prefetch: serverPrefetch)
            case .deliveries(let link, let deliveries):
                for delivery in deliveries {
                    received.append(delivery)
                    server.consumed(1, on: link)
                    if settleOnServer && !delivery.settled { server.settle(delivery.deliveryID, on: link, state: .accepted(Accepted())) }
                }
            default:
                break
            }
        }
        server.flush()
    }

    /// Opens, begins a session and attaches a sender to "queue".
    mutating func openSender() throws -> LinkID {
        client.start()
        server.start()
        try run()
        let channel = client.beginSession()
        try run()
        let link = client.attachLink(channel: try #require(channel), name: "sender", role: .sender, source: Source(address: "here"),
                                     target: Target(address: "queue"))
        try run()
        return try #require(link)
    }
}

@Suite struct ConnectionEngineTests {
    @Test func openBeginAttachSendSettleAndCloseThroughRealFrames() throws {
        var pair = EnginePair()
        let link = try pair.openSender()
        #expect(pair.clientEvents.contains { if case .opened = $0 { true } else { false } })
        #expect(pair.clientEvents.contains(.sessionBegun(channel: 0)))
        #expect(pair.clientEvents.contains { if case .linkAttached(link, _) = $0 { true } else { false } })
        #expect(pair.clientEvents.contains(.creditAvailable(link, 10)))

        for index in 0..<25 {
            let message = AMQPMessage(data: ByteBuffer(repeating: UInt8(index), count: 100)).encoded()
            pair.client.send(message, tag: ByteBuffer(integer: UInt32(index)), on: link)
        }
        try pair.run()
        #expect(pair.received.count == 25)
        #expect(pair.received.map(\.deliveryID) == Array(0..<25))
        for (index, delivery) in pair.received.enumerated() {
            let view = try AMQPMessageView(decoding: delivery.payload)
            #expect(view.data == ByteBuffer(repeating: UInt8(index), count: 100))
        }
        // Outcomes come as runs of the link's deliveries in order, covering each once.
        var covered: [UInt64] = []
        for event in pair.clientEvents {
            guard case .outcomes(link, let first, let firstTag, let count, .accepted?, true) = event else { continue }
            #expect(firstTag == ByteBuffer(integer: UInt32(first)))
            covered += (first..<first + UInt64(count))
        }
        #expect(covered == Array(0..<25))
        #expect(pair.clientEvents.count { if case .outcomes = $0 { true } else { false } } < 25)

        pair.client.detachLink(link)
        try pair.run()
        #expect(pair.clientEvents.contains(.linkDetached(link, nil)))
        pair.client.endSession(0)
        try pair.run()
        #expect(pair.clientEvents.contains(.sessionEnded(channel: 0, nil)))
        pair.client.close()
        try pair.run()
        #expect(pair.clientEvents.last == .closeTransport(nil))
        #expect(pair.serverEvents.last == .closeTransport(AMQPConnectionError(code: .closedByPeer)))
    }

    @Test func messagesLargerThanAFrameAreSplitAndReassembled() throws {
        var pair = EnginePair(serverMaxFrameSize: 512)
        let link = try pair.openSender()
        let big = AMQPMessage(data: ByteBuffer(repeating: 7, count: 20_000)).encoded()
        pair.client.send(big, tag: ByteBuffer(integer: UInt32(1)), on: link)
        try pair.run()
        #expect(pair.received.count == 1)
        #expect(pair.received.first?.payload == big)
    }

    @Test func creditAndWindowHoldSendsBack() throws {
        var pair = EnginePair()
        pair.serverPrefetch = 2
        pair.settleOnServer = false
        let link = try pair.openSender()
        for index in 0..<5 {
            pair.client.send(ByteBuffer(string: "m\(index)"), tag: ByteBuffer(integer: UInt32(index)), on: link, settled: true)
        }
        // The server consumes as it receives, so credit keeps being replenished: all arrive.
        try pair.run()
        #expect(pair.received.count == 5)
        #expect(pair.received.allSatisfy { $0.settled })
        // The sender hears of them as runs in queue order (no outcome per delivery).
        let runs = pair.clientEvents.compactMap { event -> (UInt64, ByteBuffer, Int)? in
            if case .outcomes(link, let first, let firstTag, let count, nil, true) = event { return (first, firstTag, count) }
            return nil
        }
        #expect(runs.map(\.2).reduce(0, +) == 5)
        var next: UInt64 = 0
        for (first, firstTag, count) in runs {
            #expect(first == next)
            #expect(firstTag == ByteBuffer(integer: UInt32(next)))
            next += UInt64(count)
        }
    }

    /// With encoded output, sending stops after a chunk of transfers so that the transport can
    /// write it, and goes on with `resumePumping()` until credit or messages run out.
    @Test func sendingGoesOutInChunks() throws {
        var pair = EnginePair(serverMaxFrameSize: 65_536, serverIncomingWindow: 10_000)
        pair.serverPrefetch = 1000
        let link = try pair.openSender()
        pair.client.encodeOutbound()
        let total = ConnectionEngine.pumpChunk * 2 + 44
        pair.client.send((0..<total).map { (message: ByteBuffer(string: "m\($0)"), tag: ByteBuffer(integer: UInt32($0))) },
                         on: link, settled: true)
        var chunks: [Int] = []
        var chunk: [ByteBuffer] = []
        var decoder = AMQPFrameDecoder()
        repeat {
            pair.client.takeEncoded(into: &chunk)
            var bytes = ByteBuffer()
            for part in chunk { bytes.writeImmutableBuffer(part) }
            var transfers = 0
            while case .transfer? = try decoder.decodeNext(from: &bytes) { transfers += 1 }
            chunks.append(transfers)
        } while pair.client.resumePumping()
        #expect(chunks == [ConnectionEngine.pumpChunk, ConnectionEngine.pumpChunk, 44])
    }

    @Test func framesBeforeOpenCloseTheConnection() {
        var server = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "s"))
        server.start()
        server.received(.header(.amqp))
        server.received(.frame(AMQPFrame(channel: 0, performative: .begin(Begin(nextOutgoingID: 0, incomingWindow: 1, outgoingWindow: 1)))))
        let sent = server.takeOutbound()
        #expect(sent.contains { if case .frame(let frame) = $0, case .amqp(.close(let close), _) = frame.body { close.error?.condition == .illegalState } else { false } })
    }
}
