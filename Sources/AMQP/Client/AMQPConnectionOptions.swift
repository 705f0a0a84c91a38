import AMQPCore
import AMQPTLS
import Logging

/// How `AMQPConnection.connect` connects: what this side advertises in its open, how it
/// authenticates, how long it waits, and where it logs.
public struct AMQPConnectionOptions: Sendable {
    /// The container-id in our open; a fresh one per connection by default.
    public var containerID: String?
    /// The hostname in our open and SASL init (the URL's host by default).
    public var hostname: String?
    /// SASL credentials in order of preference; by default PLAIN with the URL's user, else
    /// ANONYMOUS.
    public var credentials: [SASLCredentials]?
    /// The largest frame we accept (at least 512).
    public var maxFrameSize: UInt32 = 1024 * 1024
    public var channelMax: UInt16 = 1023
    /// Milliseconds of silence from the peer before we close; nil: no limit.
    public var idleTimeout: UInt32? = 60_000
    public var properties: AMQPMap?
    public var offeredCapabilities: [AMQPSymbol] = []
    public var desiredCapabilities: [AMQPSymbol] = []
    /// What our sessions advertise in their begin (windows, handle-max).
    public var session = SessionConfiguration()
    /// TLS for `amqps://` URLs (and for `amqp://` ones with `tlsNegotiation: .amqpHeader`):
    /// verification against the system trust store by default. A client certificate here
    /// makes SASL EXTERNAL the default mechanism when the URL has no user.
    public var tls: TLSConfiguration?
    /// How TLS starts: at once (`amqps`), or after the AMQP TLS header exchange
    /// (`AMQP 2 1.0.0`, spec 5.2.1) for peers that negotiate it.
    public var tlsNegotiation = TLSNegotiation.direct
    /// The name the server's certificate must carry and the SNI sent (the URL's host by default).
    public var tlsServerName: String?
    /// TCP connect, TLS, SASL and open together must finish within this.
    public var connectTimeout: Duration = .seconds(15)
    /// `close()` waits this long for the peer's close before dropping the transport.
    public var closeTimeout: Duration = .seconds(10)
    /// Attach, detach, begin, end and drain each wait this long for the peer's answer.
    public var operationTimeout: Duration = .seconds(30)
    /// A send waits this long for its outcome, and a batch send this long for each next
    /// outcome (waiting for credit included); what was not sent by then never is. nil: no
    /// limit (the peer, the connection's end or cancelling the task still end the wait).
    public var sendTimeout: Duration? = .seconds(60)
    /// Whether to come back after losing the transport (`never` by default).
    public var reconnect = AMQPReconnectPolicy.never
    /// Connection events at debug level, every frame at trace level (never a password).
    public var logger = Logger(label: "amqp", factory: { _ in SwiftLogNoOpLogHandler() })
    /// The prefix of every metric's label (`amqp.messages.out`, …); swift-metrics' global
    /// factory receives them.
    public var metricsPrefix = "amqp"

    public init() {}
}

/// How a sender attaches (spec 2.7.3, 3.5.4).
public struct AMQPSenderOptions: Sendable {
    /// The link name; unique per connection by default.
    public var name: String?
    /// Send every delivery pre-settled (at-most-once): `send` completes when it is written.
    public var presettled = false
    public var targetCapabilities: [AMQPSymbol] = []
    public var durable: TerminusDurability?
    /// The largest message we will send; the peer's limit applies as well.
    public var maxMessageSize: UInt64?
    public var properties: AMQPMap?

    public init(presettled: Bool = false) {
        self.presettled = presettled
    }
}

/// How a receiver attaches and takes credit.
public struct AMQPReceiverOptions: Sendable {
    public var name: String?
    /// Credit kept up as the consumer takes deliveries; 0: manual (`addCredit`, `drain`).
    public var prefetch: UInt32 = 100
    /// Ask the sender to send pre-settled (at-most-once): snd-settle-mode `settled`.
    public var presettled = false
    /// `second`: our outcome goes out unsettled and the delivery settles once the sender has
    /// seen it and settled (spec 3.2.16); not every broker supports it (RabbitMQ 3.10 does not).
    public var settleMode: ReceiverSettleMode = .first
    /// Ask the peer to create a node for us and tell us its address (spec 3.5.3).
    public var dynamic = false
    /// Source filters (e.g. a selector), as the peer expects them.
    public var filter: AMQPMap?
    public var sourceCapabilities: [AMQPSymbol] = []
    /// The largest message we accept; larger ones detach the link with
    /// `amqp:link:message-size-exceeded`.
    public var maxMessageSize: UInt64?
    public var properties: AMQPMap?

    public init(prefetch: UInt32 = 100) {
        self.prefetch = prefetch
    }
}

/// How a client starts TLS.
public enum TLSNegotiation: Sendable, Hashable {
    /// TLS from the first byte (`amqps`, port 5671).
    case direct
    /// The AMQP TLS protocol header first (spec 5.2.1), then the handshake.
    case amqpHeader
}
