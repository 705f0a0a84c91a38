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
        let run = ClientRun(arguments: client, sourceMessageSize: size)
        try await run.execute(expected: count) { session, result throws(AMQPClientError) in
            var options = AMQPReceiverOptions(prefetch: credit)
            options.presettled = presettled
            let receiver = try await session.openReceiver(from: address, options: options)
            while result.count < count {
                let batch = try await receiver.receive(max: min(Int(credit), count - result.count))
                guard !batch.isEmpty else { throw AMQPClientError(code: .linkDetached, detail: "the sender detached") }
                try await receiver.settle(batch)
                result.size = batch[0].message.data?.readableBytes ?? batch[0].message.bytes.readableBytes
                result.count += batch.count
            }
            try await receiver.close()
        }
    }
}
