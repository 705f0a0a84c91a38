@testable import AMQPWebSocket
import NIOCore
import NIOPosix
import NIOWebSocket
import Testing

/// Our client against our server over loopback, an echo handler after the server's bridge.
@Suite struct WebSocketRoundTripTests {
    static func pattern(_ count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        for index in 0..<count { buffer.writeInteger(UInt8(truncatingIfNeeded: index &* 31 &+ index >> 8)) }
        return buffer
    }

    static func addCollector(_ channel: Channel, expected: Int, taps: Taps) throws {
        try channel.pipeline.syncOperations.addHandler(Collector(expected: expected, taps: taps))
    }

    @Test func smallBytesEchoAndSubprotocolIsNegotiated() async throws {
        let loopback = try await Loopback.start()
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try Self.addCollector($0, expected: 5, taps: taps)
        }
        let upgrade = try await outcome.get().get()
        #expect(upgrade.subprotocol == "AMQPWSB10")
        let server = try await loopback.serverOutcome.futureResult.get().get()
        #expect(server.subprotocol == "AMQPWSB10")
        #expect(server.path == "/$servicebus/websocket")
        try await channel.writeAndFlush(ByteBuffer(string: "hello"))
        let echoed = try await taps.done.futureResult.get()
        #expect(String(buffer: echoed) == "hello")
        try await channel.close()
        try await loopback.stop()
    }

    @Test func oneMebibyteInManyFramesRoundTrips() async throws {
        let loopback = try await Loopback.start()
        let total = 1 << 20
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try Self.addCollector($0, expected: total, taps: taps)
        }
        _ = try await outcome.get().get()
        var data = Self.pattern(total)
        let expected = data
        while data.readableBytes > 0 {
            let chunk = data.readSlice(length: min(60_000, data.readableBytes))!
            channel.write(chunk, promise: nil)
        }
        channel.flush()
        let echoed = try await taps.done.futureResult.get()
        #expect(echoed == expected)
        try await channel.close()
        try await loopback.stop()
    }

    @Test func aWholeMebibyteFrameFitsTheDefaultLimit() async throws {
        let loopback = try await Loopback.start()
        let total = 1 << 20
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try Self.addCollector($0, expected: total, taps: taps)
        }
        _ = try await outcome.get().get()
        let data = Self.pattern(total)
        try await channel.writeAndFlush(data)
        #expect(try await taps.done.futureResult.get() == data)
        try await channel.close()
        try await loopback.stop()
    }

    @Test func fragmentedMessageIsReassembledAsBytes() async throws {
        let loopback = try await Loopback.start()
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try Self.addCollector($0, expected: 9, taps: taps)
        }
        _ = try await outcome.get().get()
        try await channel.writeRawFrame(WebSocketFrame(fin: false, opcode: .binary, maskKey: .random(),
                                                       data: ByteBuffer(string: "abc")))
        try await channel.writeRawFrame(WebSocketFrame(fin: false, opcode: .continuation, maskKey: .random(),
                                                       data: ByteBuffer(string: "def")))
        // A control frame may come between fragments (RFC 6455 §5.4).
        try await channel.writeRawFrame(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(),
                                                       data: ByteBuffer(string: "p")))
        try await channel.writeRawFrame(WebSocketFrame(fin: true, opcode: .continuation, maskKey: .random(),
                                                       data: ByteBuffer(string: "ghi")))
        #expect(String(buffer: try await taps.done.futureResult.get()) == "abcdefghi")
        try await channel.close()
        try await loopback.stop()
    }

    @Test func pingIsAnsweredWithPong() async throws {
        let loopback = try await Loopback.start()
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: { channel in
            let bridge = try channel.pipeline.syncOperations.handler(type: WebSocketBridge.self)
            try channel.pipeline.syncOperations.addHandler(FrameSpy(pong: taps.pong), position: .before(bridge))
        }
        _ = try await outcome.get().get()
        try await channel.writeRawFrame(WebSocketFrame(fin: true, opcode: .ping, maskKey: .random(),
                                                       data: ByteBuffer(string: "are you there")))
        #expect(String(buffer: try await taps.pong.futureResult.get()) == "are you there")
        try await channel.close()
        try await loopback.stop()
    }

    @Test func closeHandshakeFromTheClient() async throws {
        let serverTaps = Taps(MultiThreadedEventLoopGroup.singleton.next())
        let loopback = try await Loopback.start { channel in
            try channel.pipeline.syncOperations.addHandler(Collector(expected: .max, taps: serverTaps))
        }
        let taps = Taps(loopback.group.next())
        let (channel, outcome) = try await loopback.connect { _ in } afterUpgrade: {
            try Self.addCollector($0, expected: .max, taps: taps)
        }
        _ = try await outcome.get().get()
        try await channel.close()
        #expect(try await serverTaps.closeReceived.futureResult.get() == 1000)
        #expect(try await taps.closeReceived.futureResult.get() == 1000)
        try await loopback.serverChild.futureResult.get().closeFuture.get()
        try await loopback.stop()
    }
}
