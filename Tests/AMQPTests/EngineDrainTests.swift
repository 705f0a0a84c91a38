import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// A receiver's drain (spec 2.6.7) against a sending engine: the sender sends what it has
/// queued, then gives the rest of the credit back, and the receiver hears `drained`.
@Suite struct EngineDrainTests {
    /// The server's receiving link, found from its attach.
    static func serverLink(_ pair: EnginePair) throws -> LinkID {
        try #require(pair.serverEvents.lazy.compactMap { event -> LinkID? in
            if case .linkAttached(let id, _) = event { return id }
            return nil
        }.first)
    }

    @Test func drainWithNothingQueuedGivesAllCreditBack() throws {
        var pair = EnginePair()
        pair.serverPrefetch = 0
        let link = try pair.openSender()
        let serverLink = try Self.serverLink(pair)
        pair.server.grantCredit(5, on: serverLink, drain: true)
        try pair.run()
        #expect(pair.serverEvents.contains(.drained(serverLink)))
        #expect(pair.server.linkCredit(on: serverLink) == 0)
        #expect(pair.client.sendableCredit(on: link) == 0)
        #expect(pair.received.isEmpty)
    }

    @Test func drainSendsWhatIsQueuedFirst() throws {
        var pair = EnginePair()
        pair.serverPrefetch = 0
        let link = try pair.openSender()
        for index in 0..<2 {
            pair.client.send(ByteBuffer(string: "m\(index)"), tag: ByteBuffer(integer: UInt32(index)), on: link)
        }
        let serverLink = try Self.serverLink(pair)
        pair.server.grantCredit(5, on: serverLink, drain: true)
        try pair.run()
        #expect(pair.received.count == 2)
        #expect(pair.serverEvents.contains(.drained(serverLink)))
        #expect(pair.server.linkCredit(on: serverLink) == 0)
        // After the drain, a send waits for new credit.
        pair.client.send(ByteBuffer(string: "late"), tag: ByteBuffer(integer: UInt32(9)), on: link)
        try pair.run()
        #expect(pair.received.count == 2)
        pair.server.grantCredit(1, on: serverLink)
        try pair.run()
        #expect(pair.received.count == 3)
    }
}

/// rcv-settle-mode `second` (spec 3.2.16): the receiver's outcome goes out unsettled, the
/// sender settles, then the receiver forgets the delivery.
@Suite struct EngineSecondSettleModeTests {
    @Test func theSenderSettlesFirstThenTheReceiverForgets() throws {
        var pair = EnginePair()
        pair.client.start()
        pair.server.start()
        try pair.run()
        let begun = pair.client.beginSession()
        let channel = try #require(begun)
        try pair.run()
        let attached = pair.client.attachLink(channel: channel, name: "second", role: .sender, source: Source(),
                                              target: Target(address: "q"), receiverSettleMode: .second)
        let link = try #require(attached)
        try pair.run()
        pair.client.send(ByteBuffer(string: "m"), tag: ByteBuffer(integer: UInt32(1)), on: link)
        try pair.run()
        #expect(pair.received.count == 1)
        // The server (receiver) settled it with accepted: its disposition was unsettled, the
        // client settled in answer, and the client's application heard a settled outcome.
        #expect(pair.clientEvents.contains { event in
            if case .outcomes(link, 0, _, 1, .accepted?, true) = event { return true }
            return false
        })
        let serverChannel = try #require(pair.server.sessions.keys.first)
        #expect(pair.server.sessions[serverChannel]?.awaitingSenderSettlement.isEmpty == true)
        #expect(pair.client.sessions[channel]?.unsettledSent.isEmpty == true)
        // Settled once: a second settlement does nothing.
        let serverLink = LinkID(channel: serverChannel, handle: try #require(pair.server.sessions[serverChannel]?.links.keys.first))
        let again = pair.server.settle(0, on: serverLink, state: .accepted(Accepted()))
        #expect(!again)
    }
}
