import AMQPCore
import NIOCore
import Testing
@testable import AMQP

/// A peer that settles what it received and closes at once: every wait ends, with the batch's
/// outcome when everything was settled, else with the peer's reason.
@Suite(.timeLimit(.minutes(1))) struct PeerClosesTests {
    static let body = AMQPMessage(data: ByteBuffer(repeating: 0x61, count: 1024)).encoded()

    /// Sends `count` messages in one batch to a peer that closes after `limit`.
    func sendBatch(count: Int, closingAfter limit: Int, window: Int = 1000)
        async throws -> Result<AMQPBatchOutcome, AMQPClientError>
    {
        let peer = try await ScriptedPeer.start(.closeAfter(limit, error: nil))
        defer { Task { await peer.stop() } }
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)")
        let session = try await connection.openSession()
        let sender = try await session.openSender(to: "q")
        let result: Result<AMQPBatchOutcome, AMQPClientError>
        do {
            result = .success(try await sender.send(encodedContentsOf: repeatElement(Self.body, count: count), window: window))
        } catch {
            result = .failure(error)
        }
        await connection.close()
        return result
    }

    @Test("every message accepted, then the close in the same read: the batch completes",
          arguments: [1, 100, 1000])
    func closeAfterLastAccepted(count: Int) async throws {
        let result = try await sendBatch(count: count, closingAfter: count)
        let outcome = try result.get()
        #expect(outcome.accepted == count)
        #expect(outcome.failures.isEmpty)
    }

    @Test("the peer closes with messages unsettled or unsent: the batch fails with the peer's close",
          arguments: [(1, 1000), (100, 1000), (999, 1000), (5000, 20_000)])
    func closeBeforeTheEnd(limit: Int, count: Int) async throws {
        let result = try await sendBatch(count: count, closingAfter: limit)
        guard case .failure(let error) = result else {
            Issue.record("the batch completed although the peer closed after \(limit) of \(count)")
            return
        }
        #expect(error.code == .connectionClosed)
    }

    @Test("a single send waiting for its outcome fails when the peer closes")
    func singleSendFails() async throws {
        let peer = try await ScriptedPeer.start(.closeAfter(2, error: nil))
        defer { Task { await peer.stop() } }
        let connection = try await AMQPConnection.connect(to: "amqp://127.0.0.1:\(peer.port)")
        let sender = try await connection.openSession().openSender(to: "q")
        #expect(try await sender.send(encoded: Self.body) == .accepted(Accepted()))
        #expect(try await sender.send(encoded: Self.body) == .accepted(Accepted()))
        await #expect(throws: AMQPClientError.self) { try await sender.send(encoded: Self.body) }
        await connection.close()
    }
}
