import AMQP
import AMQPCore
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

struct ReceiveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive",
        abstract: "Receive messages and accept each one.",
        discussion: """
            Without --url, receives from an in-process listener on 127.0.0.1 that sends \
            messages of --size bytes as fast as credit allows (the embedded default). Prints one \
            summary line; exits non-zero unless --count messages were received and accepted.
            """
    )

    @Option(help: "Source address.")
    var address = "queue"

    @Option(help: "How many messages.")
    var count = 10_000

    @Option(help: "Credit kept granted to the sender (prefetch).")
    var credit: UInt32 = 1000

    @Option(help: "Body size the in-process listener sends (ignored with --url).")
    var size = 1024

    @Flag(help: "Ask the sender to send pre-settled (at most once): nothing to accept.")
    var presettled = false

    @OptionGroup
    var client: ClientArguments

    func run() async throws {
        let (count, credit, address, presettled) = (count, max(credit, 1), address, presettled)
        let (prefix, perMessageJSON) = (client.messageIdPrefix, client.json)
        let run = ClientRun(arguments: client, sourceMessageSize: size)
        try await run.execute(expected: count) { session, result throws(AMQPClientError) in
            var options = AMQPReceiverOptions(prefetch: credit)
            options.presettled = presettled
            let receiver = try await session.openReceiver(from: address, options: options)
            var tally = ReceiveTally(prefix: prefix, count: count)
            while result.count < count {
                let batch = try await receiver.receive(max: min(Int(credit), count - result.count))
                guard !batch.isEmpty else { throw AMQPClientError(code: .linkDetached, detail: "the sender detached") }
                do throws(AMQPClientError) {
                    try await receiver.settle(batch)
                } catch {
                    // They came before a reconnect: the peer sends them again.
                    guard error.code == .staleDelivery else { throw error }
                    tally.stale += batch.count
                    continue
                }
                if prefix == nil, !perMessageJSON {
                    tally.received(count: batch.count)
                } else {
                    for delivery in batch {
                        let id = try? delivery.message.properties()?.messageID
                        if perMessageJSON { print(Self.json(delivery, id: id)) }
                        tally.received(id)
                    }
                }
                result.size = batch[0].message.data?.readableBytes ?? batch[0].message.bytes.readableBytes
                result.count = tally.completed
            }
            result.failure = tally.problem
            try await receiver.close()
        }
    }

    /// One message as a JSON object: its message-id, size, and delivery count.
    static func json(_ delivery: AMQPDelivery, id: AMQPMessageID??) -> String {
        let messageID = (id ?? nil).map { JSONText.quoted($0.description) } ?? "null"
        let size = delivery.message.data?.readableBytes ?? delivery.message.bytes.readableBytes
        let deliveryCount = (try? delivery.message.header()?.deliveryCount).flatMap { $0 }.map(String.init) ?? "0"
        return "{\"messageId\": \(messageID), \"size\": \(size), \"deliveryCount\": \(deliveryCount)}"
    }
}

/// What `amqp receive` counts: every message, or, with `--message-id-prefix P`, each id
/// `P-0` … `P-(N-1)` once (repeats counted as duplicates, others as strays).
struct ReceiveTally {
    let prefix: String?
    let count: Int
    private var seen: [Bool]
    private(set) var completed = 0
    var duplicates = 0
    var strays = 0
    /// Deliveries that could not be settled after a reconnect (sent again by the peer).
    var stale = 0

    init(prefix: String?, count: Int) {
        self.prefix = prefix
        self.count = count
        self.seen = prefix == nil ? [] : Array(repeating: false, count: max(count, 0))
    }

    /// Messages whose ids are not looked at (no prefix).
    mutating func received(count: Int) {
        completed += count
    }

    mutating func received(_ id: AMQPMessageID??) {
        guard let prefix else {
            completed += 1
            return
        }
        guard case .string(let text)?? = id, text.hasPrefix(prefix + "-"),
              let index = Int(text.dropFirst(prefix.count + 1)), seen.indices.contains(index)
        else {
            strays += 1
            return
        }
        if seen[index] {
            duplicates += 1
        } else {
            seen[index] = true
            completed += 1
        }
    }

    /// Strays are a failure (not this run's messages); duplicates are reported, not failed.
    var problem: String? {
        strays > 0 ? "\(strays) messages without an id P-0 … P-\(count - 1)" : nil
    }
}

/// JSON string quoting for the CLI's output.
enum JSONText {
    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
