import ArgumentParser

@main
struct AMQPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "AMQP 1.0 tools.",
        subcommands: [DecodeCommand.self]
    )
}
