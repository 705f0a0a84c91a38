import AMQP
import AMQPCore
import Foundation
import NIOCore
import Testing

/// Interop checks against independent peers that `.ci/run` starts (Scripts/peers/). Each
/// suite runs when its environment variable names the peer, and every check is recorded
/// (peer, feature, pass or fail) in the JSON-lines file `AMQP_INTEROP_REPORT`, from which
/// `Scripts/interop/render-matrix.py` makes the matrix in docs/interop.md.
enum Interop {
    static let environment = ProcessInfo.processInfo.environment

    /// The repository's root (for the scripts).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `body` as one cell of the matrix: records it, and fails the test if it throws.
    static func check(_ peer: String, _ feature: String, _ body: () async throws -> Void) async throws {
        do {
            try await body()
            record(peer, feature, passed: true, detail: nil)
        } catch {
            record(peer, feature, passed: false, detail: "\(error)")
            throw error
        }
    }

    static func record(_ peer: String, _ feature: String, passed: Bool, detail: String?) {
        guard let path = environment["AMQP_INTEROP_REPORT"] else { return }
        let entry: [String: Any] = ["peer": peer, "feature": feature, "passed": passed, "detail": detail ?? NSNull()]
        guard var line = try? JSONSerialization.data(withJSONObject: entry, options: [.sortedKeys]) else { return }
        line.append(0x0A)
        // Suites record concurrently: one append-mode write per line (creating the file
        // separately raced, and a first line was lost).
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        _ = line.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
    }

    /// The error `body` throws, or nil when it succeeds.
    static func failure<T>(_ body: () async throws(AMQPClientError) -> T) async -> AMQPClientError? {
        do {
            _ = try await body()
            return nil
        } catch {
            return error
        }
    }

    /// Message `index` of a numbered run: a data body of `size` bytes and the index as an
    /// application property.
    static func numbered(_ index: Int, size: Int) -> AMQPMessage {
        var body = ByteBuffer(string: String(format: "%08d", index))
        body.writeRepeatingByte(0x78, count: max(size - 8, 0))
        var message = AMQPMessage(data: body)
        message.applicationProperties = ["index": .long(Int64(index))]
        return message
    }

    static func index(of delivery: AMQPDelivery) throws -> Int {
        switch try delivery.message.applicationProperty("index") {
        case .long(let value)?: return Int(value)
        case .int(let value)?: return Int(value)
        default: throw InteropFailure("a delivery without its index")
        }
    }

    /// Sends `count` numbered messages to `address` and receives them back from `source`,
    /// checking that each arrives exactly once with its body intact.
    static func roundTrip(
        _ session: AMQPSession, to address: String, from source: String? = nil, count: Int, size: Int = 256,
        presettled: Bool = false, receiverFirst: Bool = false
    ) async throws {
        var receiver: AMQPReceiver?
        if receiverFirst { receiver = try await session.openReceiver(from: source ?? address, options: AMQPReceiverOptions(prefetch: 500)) }
        let sender = try await session.openSender(to: address, options: AMQPSenderOptions(presettled: presettled))
        let outcome = try await sender.send(contentsOf: (0..<count).map { numbered($0, size: size) }, window: 500)
        guard outcome.accepted == count else { throw InteropFailure("\(count - outcome.accepted) not accepted: \(outcome.failures.prefix(3))") }
        if receiver == nil { receiver = try await session.openReceiver(from: source ?? address, options: AMQPReceiverOptions(prefetch: 500)) }
        try await receiveNumbered(receiver!, count: count, size: size)
        try await sender.close()
        try await receiver!.close()
    }

    static func receiveNumbered(_ receiver: AMQPReceiver, count: Int, size: Int) async throws {
        var seen = Set<Int>()
        while seen.count < count {
            let batch = try await receiver.receive(max: 500, timeout: .seconds(20))
            guard !batch.isEmpty else { throw InteropFailure("received \(seen.count) of \(count), then nothing for 20 s") }
            for delivery in batch {
                let index = try index(of: delivery)
                guard seen.insert(index).inserted else { throw InteropFailure("message \(index) arrived twice") }
                guard delivery.message.data?.readableBytes == size else { throw InteropFailure("message \(index) has the wrong size") }
            }
            try await receiver.settle(batch)
        }
        let extra = try await receiver.receive(max: 1, timeout: .milliseconds(300))
        guard extra.isEmpty else { throw InteropFailure("more than \(count) messages arrived") }
    }
}

struct InteropFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
