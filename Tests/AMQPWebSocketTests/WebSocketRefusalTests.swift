@testable import AMQPWebSocket
import NIOCore
import NIOPosix
import NIOWebSocket
import Testing

/// What each side refuses: bad upgrades and frames that break the rules.
@Suite struct WebSocketRefusalTests {
    @Test func unknownSubprotocolIsRefusedWith400() async throws {
        let loopback = try await Loopback.start()
        let (channel, outcome) = try await loopback.connect { $0.subprotocols = ["mqtt"] }
        let result = try await outcome.get()
        guard case .failure(let error) = result else { Issue.record("upgraded"); return }
        #expect(error.code == .upgradeRefused)
        #expect(error.status == 400)
        try await channel.closeFuture.get()
        guard case .failure(let serverError) = try await loopback.serverOutcome.futureResult.get() else {
            Issue.record("server upgraded"); return
        }
        #expect(serverError.status == 400, "\(serverError)")
        try await loopback.stop()
    }

    @Test func amqpSubprotocolIsAcceptedAsTheClientSpelledIt() async throws {
        let loopback = try await Loopback.start()
        let (channel, outcome) = try await loopback.connect { $0.subprotocols = ["amqp"] }
        #expect(try await outcome.get().get().subprotocol == "amqp")
        try await channel.close()
        try await loopback.stop()
    }

    @Test func wrongPathIsRefusedWith404() async throws {
        let loopback = try await Loopback.start()
        let (channel, outcome) = try await loopback.connect { $0.path = "/elsewhere" }
        guard case .failure(let error) = try await outcome.get() else { Issue.record("upgraded"); return }
        #expect(error.code == .upgradeRefused)
        #expect(error.status == 404)
        try await channel.closeFuture.get()
        try await loopback.stop()
    }

    /// Sends `frame` raw from our client and expects the server to close with `code`.
    static func serverCloses(with code: UInt16, after frame: WebSocketFrame, expecting: WebSocketTransportError.Code,
                             limits: WebSocketLimits = .default) async throws {
        let serverTaps = Taps()
        let loopback = try await Loopback.start(WebSocketServerConfiguration(limits: limits)) { channel in
            try channel.pipeline.syncOperations.addHandler(Collector(expected: .max, taps: serverTaps))
        }
        let taps = Taps()
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try $0.pipeline.syncOperations.addHandler(Collector(expected: .max, taps: taps))
        }
        _ = try await outcome.get().get()
        try await channel.writeRawFrame(frame)
        let serverError: WebSocketTransportError
        do { serverError = try await serverTaps.errors.futureResult.get() } catch {
            Issue.record("server errors: \(error)"); throw error
        }
        #expect(serverError.code == expecting)
        #expect(serverError.closeCode == code)
        #expect(try await taps.closeReceived.futureResult.get() == code)
        let clientError = try await taps.errors.futureResult.get()
        #expect(clientError.code == .closedByPeer)
        try await channel.closeFuture.get()
        try await loopback.stop()
    }

    @Test func textFrameClosesWith1003() async throws {
        try await Self.serverCloses(
            with: 1003, after: WebSocketFrame(fin: true, opcode: .text, maskKey: .random(), data: ByteBuffer(string: "hi")),
            expecting: .protocolViolation)
    }

    @Test func unmaskedClientFrameClosesWith1002() async throws {
        try await Self.serverCloses(
            with: 1002, after: WebSocketFrame(fin: true, opcode: .binary, maskKey: nil, data: ByteBuffer(string: "hi")),
            expecting: .protocolViolation)
    }

    @Test func oversizeFrameClosesWith1009() async throws {
        let limits = WebSocketLimits(maxFrameSize: 1024, maxMessageSize: 4096, maxHeadSize: 16_384, upgradeTimeout: .seconds(5))
        try await Self.serverCloses(
            with: 1009, after: WebSocketFrame(fin: true, opcode: .binary, maskKey: .random(),
                                              data: ByteBuffer(repeating: 7, count: 2000)),
            expecting: .messageTooLarge, limits: limits)
    }

    @Test func continuationOutsideAMessageClosesWith1002() async throws {
        try await Self.serverCloses(
            with: 1002, after: WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(),
                                              data: ByteBuffer(string: "x")),
            expecting: .protocolViolation)
    }
}
