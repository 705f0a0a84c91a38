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
        let message = AMQPMessage(data: ByteBuffer(repeating: 0x61, count: size)).encoded()
        let (count, presettled, address, window) = (count, presettled, address, window)
        try await ClientRun(arguments: client).execute(expected: count) { session, result throws(AMQPClientError) in
            result.size = size
            let sender = try await session.openSender(to: address, options: AMQPSenderOptions(presettled: presettled))
            let outcome = try await sender.send(encodedContentsOf: repeatElement(message, count: count), window: window)
            result.count = outcome.accepted
            if let failure = outcome.failures.first {
                result.failure = "\(outcome.failures.count) not accepted; the first, message \(failure.index): "
                    + (failure.state.map { "\($0)" } ?? "no outcome")
            }
            try await sender.close()
        }
    }
}
