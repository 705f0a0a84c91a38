import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// A server engine fed hand-made frames: each protocol violation must produce the right
/// error condition at the right scope (detach, end or close).
@Suite struct ConnectionEngineViolationTests {
    /// A server engine with an open connection and a session begun by the peer on channel 0.
    static func openServer(channelMax: UInt16 = 7) -> ConnectionEngine {
        var server = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "s", channelMax: channelMax))
        server.start()
        server.received(.header(.amqp))
        server.received(.frame(AMQPFrame(channel: 0, performative: .open(Open(containerID: "peer")))))
        server.received(.frame(AMQPFrame(channel: 0, performative: .begin(Begin(nextOutgoingID: 0, incomingWindow: 100, outgoingWindow: 100)))))
        _ = server.takeOutbound()
        _ = server.takeEvents()
        return server
    }

    /// The peer attaches a sending link (handle 0) and the server accepts it with manual credit.
    static func withPeerSender(_ server: inout ConnectionEngine) -> LinkID? {
        let attach = Attach(name: "in", handle: 0, role: .sender, source: Source(address: "peer"), target: .target(Target(address: "q")),
                            initialDeliveryCount: 0)
        server.received(.frame(AMQPFrame(channel: 0, performative: .attach(attach))))
        guard case .linkRequested(_, let requested)? = server.takeEvents().last else { return nil }
        let id = server.acceptLink(channel: 0, requested, prefetch: 0)
        _ = server.takeOutbound()
        _ = server.takeEvents()
        return id
    }

    static func sent(_ server: inout ConnectionEngine) -> [Performative] {
        server.takeOutbound().compactMap { item in
            if case .frame(let frame) = item, case .amqp(let performative, _) = frame.body { return performative }
            return nil
        }
    }

    static let transfer = Transfer(handle: 0, deliveryID: 0, deliveryTag: ByteBuffer(integer: UInt32(0)), messageFormat: 0)

    @Test func transferWithoutCreditDetachesWithTransferLimitExceeded() throws {
        var server = Self.openServer()
        _ = try #require(Self.withPeerSender(&server))
        server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(Self.transfer), payload: ByteBuffer(string: "m"))))
        let frames = Self.sent(&server)
        #expect(frames.contains { if case .detach(let detach) = $0 { detach.error?.condition == .transferLimitExceeded } else { false } })
    }

    @Test func transferOnAnUnattachedHandleEndsTheSession() {
        var server = Self.openServer()
        server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(Self.transfer))))
        #expect(Self.sent(&server).contains { if case .end(let end) = $0 { end.error?.condition == .unattachedHandle } else { false } })
    }

    @Test func frameOnAChannelWithoutASessionClosesTheConnection() {
        var server = Self.openServer()
        server.received(.frame(AMQPFrame(channel: 5, performative: .flow(Flow(incomingWindow: 1, nextOutgoingID: 0, outgoingWindow: 1)))))
        #expect(Self.sent(&server).contains { if case .close(let close) = $0 { close.error != nil } else { false } })
    }

    @Test func beginAboveChannelMaxIsAFramingError() {
        var server = Self.openServer(channelMax: 1)
        server.received(.frame(AMQPFrame(channel: 2, performative: .begin(Begin(nextOutgoingID: 0, incomingWindow: 1, outgoingWindow: 1)))))
        #expect(Self.sent(&server).contains { if case .close(let close) = $0 { close.error?.condition == .framingError } else { false } })
    }

    @Test func saslAfterTheAMQPHeaderIsNotAllowed() {
        var server = Self.openServer()
        server.received(.frame(AMQPFrame(channel: 0, body: .sasl(.outcome(SASLOutcome(code: .ok))))))
        #expect(Self.sent(&server).contains { if case .close(let close) = $0 { close.error?.condition == .notAllowed } else { false } })
    }

    @Test func multiFrameAbortIsDroppedAndTheLinkGoesOn() throws {
        var server = Self.openServer()
        let link = try #require(Self.withPeerSender(&server))
        server.grantCredit(2, on: link)
        _ = server.takeOutbound()
        var first = Self.transfer
        first.more = true
        server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(first), payload: ByteBuffer(string: "part"))))
        server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(Transfer(handle: 0, aborted: true)))))
        var second = Self.transfer
        second.deliveryID = 1
        second.deliveryTag = ByteBuffer(integer: UInt32(1))
        server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(second), payload: ByteBuffer(string: "whole"))))
        let deliveries = server.takeEvents().flatMap { event -> [IncomingDelivery] in
            if case .deliveries(_, let deliveries) = event { return deliveries }
            return []
        }
        #expect(deliveries.map { $0.deliveryID } == [1])
        #expect(deliveries.first?.payload == ByteBuffer(string: "whole"))
    }

    @Test func windowViolationEndsTheSession() throws {
        var server = ConnectionEngine(role: .server, configuration: ConnectionConfiguration(containerID: "s"),
                                      sessionConfiguration: SessionConfiguration(incomingWindow: 2))
        server.start()
        server.received(.header(.amqp))
        server.received(.frame(AMQPFrame(channel: 0, performative: .open(Open(containerID: "peer")))))
        server.received(.frame(AMQPFrame(channel: 0, performative: .begin(Begin(nextOutgoingID: 0, incomingWindow: 100, outgoingWindow: 100)))))
        let link = try #require(Self.withPeerSender(&server))
        server.grantCredit(10, on: link)
        _ = server.takeOutbound()
        for id: UInt32 in 0..<3 {
            var transfer = Self.transfer
            transfer.deliveryID = id
            transfer.deliveryTag = ByteBuffer(integer: id)
            server.received(.frame(AMQPFrame(channel: 0, performative: .transfer(transfer), payload: ByteBuffer(string: "m"))))
        }
        #expect(Self.sent(&server).contains { if case .end(let end) = $0 { end.error?.condition == .windowViolation } else { false } })
    }
}
