import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// Links the peer attaches, as the listener sees them: a flow that comes before our answer,
/// and handles that are not reused at once.
@Suite struct EngineLinkRequestTests {
    /// A server engine with an open connection and a session the client began on channel 0.
    static func serverWithSession() throws -> (ConnectionEngine, UInt16) {
        var pair = EnginePair()
        pair.client.start()
        pair.server.start()
        try pair.run()
        _ = pair.client.beginSession()
        try pair.run()
        _ = pair.server.takeEvents()
        _ = pair.server.takeOutbound()
        let channel = try #require(pair.serverEvents.lazy.compactMap { event -> UInt16? in
            if case .sessionBegun(let channel) = event { return channel }
            return nil
        }.first)
        return (pair.server, channel)
    }

    static func frame(_ performative: Performative) -> AMQPInbound {
        .frame(AMQPFrame(channel: 0, performative: performative, payload: ByteBuffer()))
    }

    @Test func aFlowBeforeOurAttachGrantsCreditOnceWeAccept() throws {
        var (server, channel) = try Self.serverWithSession()
        // The peer attaches a receiver and grants credit at once, before our attach.
        let attach = Attach(name: "early", handle: 5, role: .receiver, source: Source(address: "q"), target: .target(Target()))
        server.received(Self.frame(.attach(attach)))
        server.received(Self.frame(.flow(Flow(nextIncomingID: 0, incomingWindow: 100, nextOutgoingID: 0, outgoingWindow: 100,
                                              handle: 5, deliveryCount: 0, linkCredit: 7))))
        let requested = server.takeEvents()
        #expect(requested == [.linkRequested(channel: channel, attach)])
        let accepted = server.acceptLink(channel: channel, attach, prefetch: 0)
        let link = try #require(accepted)
        #expect(server.takeEvents().contains(.creditAvailable(link, 7)))
        #expect(server.sendableCredit(on: link) == 7)
    }

    @Test func aDetachBeforeOurAnswerForgetsTheRequest() throws {
        var (server, channel) = try Self.serverWithSession()
        let attach = Attach(name: "gone", handle: 2, role: .receiver, source: Source(address: "q"), target: .target(Target()))
        server.received(Self.frame(.attach(attach)))
        server.received(Self.frame(.flow(Flow(nextIncomingID: 0, incomingWindow: 100, nextOutgoingID: 0, outgoingWindow: 100,
                                              handle: 2, deliveryCount: 0, linkCredit: 3))))
        server.received(Self.frame(.detach(Detach(handle: 2, closed: true))))
        _ = server.takeEvents()
        #expect(server.sessions[channel]?.requested.isEmpty == true)
    }

    @Test func aReleasedHandleIsNotReusedAtOnce() {
        var session = SessionStateMachine(configuration: SessionConfiguration())
        _ = session.beginRequested()
        _ = session.beginReceived(Begin(remoteChannel: 0, nextOutgoingID: 0, incomingWindow: 10, outgoingWindow: 10, handleMax: 2))
        let first = session.freeHandle()
        #expect(first == 0)
        session.linkAttachRequested(handle: 0)
        session.linkDetachSent(handle: 0)
        #expect(session.freeHandle() == 1)
        session.linkAttachRequested(handle: 1)
        session.linkAttachRequested(handle: 2)
        // All but 0 in use: wraps around to it; none free: nil.
        #expect(session.freeHandle() == 0)
        session.linkAttachRequested(handle: 0)
        #expect(session.freeHandle() == nil)
    }
}
