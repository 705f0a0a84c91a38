import AMQP
import ArgumentParser
import Logging

struct ListenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "listen",
        abstract: "Listen for AMQP connections: every address a queue in memory (or a sink and source).",
        discussion: """
            Takes SASL ANONYMOUS and PLAIN (any user). Runs until interrupted. With --trace, \
            prints every frame (never a credential).
            """
    )

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port (0: any free one, printed).")
    var port = 5672

    @Option(help: "Messages each queue holds at most.")
    var capacity = 100_000

    @Option(help: "Instead of queues: accept everything, and send messages of this many bytes to every receiver.")
    var sinkAndSource: Int?

    @Flag(help: "Print every frame in and out.")
    var trace = false

    func run() async throws {
        var options = AMQPListener.Options()
        options.host = host
        options.port = port
        if trace {
            var logger = Logger(label: "amqp.listener")
            logger.logLevel = .trace
            options.logger = logger
        }
        let behaviour: AMQPListener.Behaviour = sinkAndSource.map { .sinkAndSource(messageSize: $0) } ?? .queues(capacity: capacity)
        let listener = try await AMQPListener.start(behaviour, options: options)
        // At once, also into a pipe or file: scripts wait for this line.
        FaultProxyCommand.say("listening on \(host):\(listener.port)")
        while true { try await Task.sleep(for: .seconds(3600)) }
    }
}
