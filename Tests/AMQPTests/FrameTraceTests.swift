import AMQPCore
import Logging
import NIOCore
import Synchronization
import Testing
@testable import AMQP

/// Every frame is logged at trace level by name, and no credential reaches the log.
@Suite struct FrameTraceTests {
    final class Capture: Sendable {
        let lines = Mutex<[String]>([])
    }

    struct CaptureHandler: LogHandler {
        let capture: Capture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(level: Logger.Level, message: Logger.Message, metadata: Logger.Metadata?, source: String,
                 file: String, function: String, line: UInt) {
            capture.lines.withLock { $0.append("\(message) \(self.metadata) \(metadata ?? [:])") }
        }
    }

    @Test func saslInitShowsItsSizeNotItsBytes() {
        let initiate = SASLInit(mechanism: "PLAIN", initialResponse: SASLCredentials.plain(username: "u", password: "hunter2").initialResponse)
        let line = "\(FrameTrace(.frame(AMQPFrame(channel: 0, body: .sasl(.initiate(initiate))))))"
        #expect(line.contains("sasl-init mechanism=PLAIN"))
        #expect(!line.contains("hunter2"))
    }

    @Test func aClientSessionTracedWithoutThePassword() async throws {
        let capture = Capture()
        var options = AMQPConnectionOptions()
        options.logger = Logger(label: "test", factory: { _ in CaptureHandler(capture: capture) })
        let listener = try await AMQPListener.start(.queues(capacity: 10))
        let connection = try await AMQPConnection.connect(to: "amqp://user:hunter2@127.0.0.1:\(listener.port)", options: options)
        let sender = try await connection.openSession().openSender(to: "q")
        #expect(try await sender.send(AMQPMessage(data: ByteBuffer(string: "x"))) == .accepted(Accepted()))
        await connection.close()
        await listener.close()
        let lines = capture.lines.withLock { $0 }
        for name in ["sasl-init", "open", "begin", "attach", "transfer", "disposition", "close"] {
            #expect(lines.contains { $0.contains("] \(name) ") }, "no \(name) traced")
        }
        #expect(!lines.contains { $0.contains("hunter2") })
    }
}
