import ArgumentParser

/// What `amqp send` and `amqp receive` share: the peer, the frame size, the output, TLS.
struct ClientArguments: ParsableArguments {
    @Option(help: "amqp[s]://[user:password@]host[:port] (default: the in-process listener).")
    var url: String?

    @Option(help: "The largest frame we accept (the peer splits larger transfers).")
    var maxFrameSize: UInt32 = 1024 * 1024

    @Flag(help: "Print the result as one JSON line (count, size, seconds, msgs_per_s, mb_per_s, cpu_us_per_msg, error).")
    var json = false

    @Flag(help: "Reconnect after a lost connection (exponential back-off with jitter); unsettled sends go out again.")
    var reconnect = false

    @Option(help: "Message ids P-0 … P-(N-1): sent with these ids, or received until each has come (checked id by id).")
    var messageIdPrefix: String?

    @OptionGroup(title: "TLS")
    var tls: TLSArguments
}
