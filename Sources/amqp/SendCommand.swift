import AMQP
import AMQPCore
import ArgumentParser
import Foundation
import NIOCore
import NIOPosix

struct SendCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "send",
        abstract: "Send messages and wait until each is settled.",
        discussion: """
            Without --url, sends to an in-process listener on 127.0.0.1 that accepts every \
            message (the embedded default). Prints one summary line; exits non-zero unless \
            every message was accepted (or, with --presettled, sent).
            """
    )

    @Option(help: "Target address.")
    var address = "queue"

    @Option(help: "How many messages.")
    var count = 10_000

    @Option(help: "Body size in bytes (a data section).")
    var size = 1024

    @Flag(help: "Send pre-settled (at most once): no outcomes to wait for.")
    var presettled = false

    @Option(help: "Unsettled deliveries kept in flight.")
    var window = 1000

    @OptionGroup
    var client: ClientArguments

    func run() async throws {
        let body = ByteBuffer(repeating: 0x61, count: size)
        let message = AMQPMessage(data: body).encoded()
        let (count, presettled, address, window, prefix) = (count, presettled, address, window, client.messageIdPrefix)
        try await ClientRun(arguments: client).execute(expected: count) { session, result throws(AMQPClientError) in
            result.size = size
            let sender = try await session.openSender(to: address, options: AMQPSenderOptions(presettled: presettled))
            let outcome: AMQPBatchOutcome
            if let prefix {
                outcome = try await sender.send(
                    encodedContentsOf: IdentifiedMessages(prefix: prefix, count: count, body: body), window: window)
            } else {
                outcome = try await sender.send(encodedContentsOf: repeatElement(message, count: count), window: window)
            }
            result.count = outcome.accepted
            if let failure = outcome.failures.first {
                result.failure = "\(outcome.failures.count) not accepted; the first, message \(failure.index): "
                    + (failure.state.map { "\($0)" } ?? "no outcome")
            }
            try await sender.close()
        }
    }
}

/// Messages whose ids are `prefix-0` … `prefix-(count-1)`, encoded one at a time as the send
/// window opens (not all at once).
struct IdentifiedMessages: Sequence, Sendable {
    let prefix: String
    let count: Int
    let body: ByteBuffer

    struct Iterator: IteratorProtocol {
        let messages: IdentifiedMessages
        var index = 0

        mutating func next() -> ByteBuffer? {
            guard index < messages.count else { return nil }
            defer { index += 1 }
            var properties = MessageProperties()
            properties.messageID = .string("\(messages.prefix)-\(index)")
            return AMQPMessage(data: messages.body, properties: properties).encoded()
        }
    }

    func makeIterator() -> Iterator { Iterator(messages: self) }
}
