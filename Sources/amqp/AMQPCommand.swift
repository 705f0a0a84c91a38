import ArgumentParser

@main
struct AMQPCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "AMQP 1.0 tools.",
        subcommands: [SendCommand.self, ReceiveCommand.self, BenchCommand.self, ListenCommand.self, DecodeCommand.self,
                      FaultProxyCommand.self]
    )
}
