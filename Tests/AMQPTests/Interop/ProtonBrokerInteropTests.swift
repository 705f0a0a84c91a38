import AMQP
import AMQPCore
import NIOCore
import Testing

/// Against Qpid Proton's example brokers (`Scripts/peers/proton-brokers.sh`): the C broker
/// at `AMQP_INTEROP_PROTON_C` and the Python broker at `AMQP_INTEROP_PROTON_PYTHON`
/// (host:port). Both offer SASL ANONYMOUS only and treat every address as a queue.
@Suite(.timeLimit(.minutes(3)))
struct ProtonBrokerInteropTests {
    static let run = UInt32.random(in: 0...UInt32.max)

    static func session(_ hostPort: String) async throws -> (AMQPConnection, AMQPSession) {
        let connection = try await AMQPConnection.connect(to: "amqp://\(hostPort)")
        return (connection, try await connection.openSession())
    }

    @Test(.enabled(if: Interop.environment["AMQP_INTEROP_PROTON_C"] != nil))
    func cBroker() async throws {
        let peer = "Qpid Proton 0.37 C broker"
        let hostPort = Interop.environment["AMQP_INTEROP_PROTON_C"] ?? ""
        try await Interop.check(peer, "SASL ANONYMOUS, send and receive") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "c-\(Self.run)", count: 1000)
            await connection.close()
        }
        try await Interop.check(peer, "10,000 each way, none lost or duplicated") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "c-bulk-\(Self.run)", count: 10_000)
            await connection.close()
        }
        try await Interop.check(peer, "pre-settled sending") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "c-presettled-\(Self.run)", count: 1000, presettled: true)
            await connection.close()
        }
        try await Interop.check(peer, "64 KiB messages") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "c-large-\(Self.run)", count: 200, size: 65_536)
            await connection.close()
        }
    }

    @Test(.enabled(if: Interop.environment["AMQP_INTEROP_PROTON_PYTHON"] != nil))
    func pythonBroker() async throws {
        let peer = "Qpid Proton 0.37 Python broker"
        let hostPort = Interop.environment["AMQP_INTEROP_PROTON_PYTHON"] ?? ""
        try await Interop.check(peer, "SASL ANONYMOUS, send and receive") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "py-\(Self.run)", count: 500)
            await connection.close()
        }
        try await Interop.check(peer, "pre-settled sending") {
            let (connection, session) = try await Self.session(hostPort)
            try await Interop.roundTrip(session, to: "py-presettled-\(Self.run)", count: 500, presettled: true)
            await connection.close()
        }
        try await Interop.check(peer, "dynamic receiver") {
            let (connection, session) = try await Self.session(hostPort)
            var options = AMQPReceiverOptions()
            options.dynamic = true
            let receiver = try await session.openReceiver(from: nil, options: options)
            guard let address = receiver.address, !address.isEmpty else { throw InteropFailure("no dynamic address") }
            let sender = try await session.openSender(to: address)
            let outcome = try await sender.send(contentsOf: (0..<50).map { Interop.numbered($0, size: 100) })
            guard outcome.accepted == 50 else { throw InteropFailure("\(outcome)") }
            try await Interop.receiveNumbered(receiver, count: 50, size: 100)
            await connection.close()
        }
    }
}
