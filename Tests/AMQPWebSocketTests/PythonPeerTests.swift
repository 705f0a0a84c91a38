import Foundation
@testable import AMQPWebSocket
import NIOCore
import Testing

/// An independent WebSocket client (Python `websockets`) against our server: subprotocol
/// negotiated, binary echo. Runs where `python3 -c "import websockets"` works, and always under Scripts/test.sh.
@Suite struct PythonPeerTests {
    /// `Scripts/test.sh` installs it and sets AMQP_REQUIRE_ALL_PEERS: there a missing module
    /// fails the test instead of skipping it.
    static let available: Bool = run(["-c", "import websockets"]).status == 0
        || ProcessInfo.processInfo.environment["AMQP_REQUIRE_ALL_PEERS"] != nil

    static func run(_ arguments: [String]) -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        do { try process.run() } catch { return (-1, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    @Test(.enabled(if: available)) func pythonClientNegotiatesAndEchoes() async throws {
        let loopback = try await Loopback.start()
        let script = """
        import asyncio, websockets
        async def main():
            async with websockets.connect("ws://127.0.0.1:\(loopback.port)/$servicebus/websocket",
                                          subprotocols=["AMQPWSB10"]) as ws:
                await ws.send(b"\\x00\\x01AMQP")
                reply = await asyncio.wait_for(ws.recv(), 5)
                print(ws.subprotocol, reply.hex())
        asyncio.run(main())
        """
        let result = await Task.detached { Self.run(["-c", script]) }.value
        #expect(result.status == 0, "\(result.output)")
        #expect(result.output.trimmingCharacters(in: .whitespacesAndNewlines) == "AMQPWSB10 0001414d5150")
        let server = try await loopback.serverOutcome.futureResult.get().get()
        #expect(server.subprotocol == "AMQPWSB10")
        try await loopback.stop()
    }
}
