import AMQP
import AMQPCore
import NIOCore
import Logging
import Testing

/// Against RabbitMQ 3.10 with its AMQP 1.0 plugin (`Scripts/peers/rabbitmq.sh`), when
/// `AMQP_INTEROP_RABBITMQ` is its host:port. Its users: guest/guest; ANONYMOUS maps to guest.
@Suite(.enabled(if: Interop.environment["AMQP_INTEROP_RABBITMQ"] != nil), .timeLimit(.minutes(3)))
struct RabbitMQInteropTests {
    static let peer = "RabbitMQ 3.10 (amqp1_0 plugin)"
    static let hostPort = Interop.environment["AMQP_INTEROP_RABBITMQ"] ?? "127.0.0.1:5672"
    /// A fresh name per run, so a queue left from an earlier run cannot mix in.
    static let run = UInt32.random(in: 0...UInt32.max)

    static func connect(user: String? = "guest:guest", maxFrameSize: UInt32 = 1 << 20) async throws -> AMQPConnection {
        var options = AMQPConnectionOptions()
        options.maxFrameSize = maxFrameSize
        if Interop.environment["AMQP_TRACE"] != nil {
            options.logger = Logger(label: "interop", factory: { StreamLogHandler.standardError(label: $0) })
            options.logger.logLevel = .trace
        }
        return try await AMQPConnection.connect(to: "amqp://\(user.map { "\($0)@" } ?? "")\(hostPort)", options: options)
    }

    @Test func plainAndAnonymous() async throws {
        try await Interop.check(Self.peer, "SASL PLAIN, send and receive") {
            let connection = try await Self.connect()
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/plain-\(Self.run)", count: 10)
            await connection.close()
        }
        try await Interop.check(Self.peer, "SASL ANONYMOUS, send and receive") {
            let connection = try await Self.connect(user: nil)
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/anonymous-\(Self.run)", count: 10)
            await connection.close()
        }
        try await Interop.check(Self.peer, "wrong password → amqp:unauthorized-access") {
            let error = await Interop.failure { () async throws(AMQPClientError) in
                try await AMQPConnection.connect(to: "amqp://guest:wrong@\(Self.hostPort)")
            }
            guard let error else { throw InteropFailure("a wrong password connected") }
            guard error.condition == .unauthorizedAccess, !"\(error)".contains("wrong") else {
                throw InteropFailure("unexpected: \(error)")
            }
        }
    }

    @Test func tenThousandEachWayThroughAQueue() async throws {
        try await Interop.check(Self.peer, "10,000 each way, none lost or duplicated") {
            let connection = try await Self.connect()
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/bulk-\(Self.run)", count: 10_000)
            await connection.close()
        }
    }

    @Test func exchangeAndTopicAddresses() async throws {
        try await Interop.check(Self.peer, "/exchange/amq.direct/key") {
            let connection = try await Self.connect()
            let address = "/exchange/amq.direct/key-\(Self.run)"
            try await Interop.roundTrip(try await connection.openSession(), to: address, count: 100, receiverFirst: true)
            await connection.close()
        }
        try await Interop.check(Self.peer, "/topic/key") {
            let connection = try await Self.connect()
            let address = "/topic/events.\(Self.run)"
            try await Interop.roundTrip(try await connection.openSession(), to: address, count: 100, receiverFirst: true)
            await connection.close()
        }
    }

    @Test func presettledBothWays() async throws {
        try await Interop.check(Self.peer, "pre-settled sending") {
            let connection = try await Self.connect()
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/presettled-\(Self.run)", count: 500,
                                        presettled: true)
            await connection.close()
        }
    }

    @Test func oneMebibyteOver512ByteFrames() async throws {
        try await Interop.check(Self.peer, "1 MiB message over 512-byte frames") {
            let connection = try await Self.connect(maxFrameSize: 512)
            guard await connection.negotiatedTerms?.incomingMaxFrameSize == 512 else { throw InteropFailure("frame size not 512") }
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/big-\(Self.run)", count: 2, size: 1 << 20)
            await connection.close()
        }
    }

    @Test func missingQueueIsNotFoundAndTheConnectionGoesOn() async throws {
        try await Interop.check(Self.peer, "missing queue → amqp:not-found, connection usable") {
            let connection = try await Self.connect()
            let session = try await connection.openSession()
            let error = await Interop.failure { () async throws(AMQPClientError) in
                try await session.openReceiver(from: "/amq/queue/missing-\(Self.run)")
            }
            guard error?.condition == .notFound else {
                throw InteropFailure("expected amqp:not-found, got \(error.map { "\($0)" } ?? "an attached link")")
            }
            // RabbitMQ ends the session for it; the connection stays.
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/after-\(Self.run)", count: 10)
            await connection.close()
        }
    }
}
