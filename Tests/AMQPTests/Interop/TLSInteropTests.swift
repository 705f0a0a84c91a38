import AMQP
import AMQPCore
import AMQPTLS
import Foundation
import NIOCore
import Testing

/// TLS against independent peers, with the test CA from `Scripts/peers/make-certs.sh` in
/// `AMQP_INTEROP_TLS_DIR`: RabbitMQ's amqps listener (`AMQP_INTEROP_RABBITMQ_TLS`, host:port),
/// Qpid Proton's C broker serving TLS (`AMQP_INTEROP_PROTON_C_TLS`), and python-qpid-proton
/// verifying our TLS listener (`AMQP_INTEROP_PROTON_CLIENT`).
@Suite(.enabled(if: Interop.environment["AMQP_INTEROP_TLS_DIR"] != nil), .timeLimit(.minutes(3)))
struct TLSInteropTests {
    static let directory = Interop.environment["AMQP_INTEROP_TLS_DIR"] ?? ""
    static func file(_ name: String) -> String { directory + "/" + name }
    static let run = UInt32.random(in: 0...UInt32.max)

    static func options(trust: String? = "ca.pem", identity: String? = nil, serverName: String? = nil) -> AMQPConnectionOptions {
        var options = AMQPConnectionOptions()
        options.tls = .client(trustRoots: trust.map { .file(file($0)) } ?? .system,
                              identity: identity.map { .files(certificateChain: file("\($0).pem"), privateKey: file("\($0)-key.pem")) })
        options.tlsServerName = serverName
        return options
    }

    static func expectTLSFailure(_ url: String, _ options: AMQPConnectionOptions, _ code: TLSError.Code?) async throws {
        let error = await Interop.failure { () async throws(AMQPClientError) in
            try await AMQPConnection.connect(to: url, options: options)
        }
        guard let error else { throw InteropFailure("connected") }
        guard error.code == .tlsFailed else { throw InteropFailure("not a TLS failure: \(error)") }
        if let code, error.tlsError?.code != code { throw InteropFailure("expected \(code), got \(error)") }
    }

    @Test(.enabled(if: Interop.environment["AMQP_INTEROP_RABBITMQ_TLS"] != nil))
    func rabbitMQ() async throws {
        let peer = RabbitMQInteropTests.peer
        let hostPort = Interop.environment["AMQP_INTEROP_RABBITMQ_TLS"] ?? ""
        try await Interop.check(peer, "TLS: amqps with the test CA, SASL PLAIN") {
            let connection = try await AMQPConnection.connect(to: "amqps://guest:guest@\(hostPort)", options: Self.options())
            try await Interop.roundTrip(try await connection.openSession(), to: "/queue/tls-\(Self.run)", count: 1000)
            await connection.close()
        }
        try await Interop.check(peer, "TLS: untrusted issuer refused") {
            try await Self.expectTLSFailure("amqps://\(hostPort)", Self.options(trust: nil), .untrustedIssuer)
        }
        try await Interop.check(peer, "TLS: hostname mismatch refused") {
            try await Self.expectTLSFailure("amqps://\(hostPort)", Self.options(serverName: "broker.example"), .hostnameMismatch)
        }
        try await Interop.check(peer, "TLS: expired client certificate refused by the peer") {
            try await Self.expectTLSFailure("amqps://guest:guest@\(hostPort)", Self.options(identity: "expired"), nil)
        }
    }

    @Test(.enabled(if: Interop.environment["AMQP_INTEROP_PROTON_C_TLS"] != nil))
    func protonCBroker() async throws {
        let peer = "Qpid Proton 0.37 C broker"
        let hostPort = Interop.environment["AMQP_INTEROP_PROTON_C_TLS"] ?? ""
        try await Interop.check(peer, "TLS: amqps with the test CA, SASL ANONYMOUS") {
            let connection = try await AMQPConnection.connect(to: "amqps://\(hostPort)", options: Self.options())
            try await Interop.roundTrip(try await connection.openSession(), to: "tls-\(Self.run)", count: 1000, size: 1024)
            await connection.close()
        }
        try await Interop.check(peer, "TLS: untrusted issuer refused") {
            try await Self.expectTLSFailure("amqps://\(hostPort)", Self.options(trust: "other-ca.pem"), .untrustedIssuer)
        }
    }

    @Test(.enabled(if: Interop.environment["AMQP_INTEROP_PROTON_CLIENT"] != nil))
    func protonClientVerifiesOurListener() async throws {
        let peer = "python-qpid-proton 0.37 client"
        try await Interop.check(peer, "TLS: verifies our listener's certificate") {
            var options = AMQPListener.Options()
            options.tls = .server(identity: .files(certificateChain: Self.file("server.pem"), privateKey: Self.file("server-key.pem")))
            let listener = try await AMQPListener.start(.queues(capacity: 10_000), options: options)
            defer { Task { await listener.close() } }
            let client = PythonClientInteropTests.Client(peer: peer, interpreter: Interop.environment["AMQP_INTEROP_PROTON_CLIENT"]!,
                                                         script: "proton_client.py")
            try await PythonClientInteropTests.run(client, url: "amqps://localhost:\(listener.port)",
                                                   arguments: ["tls-q", "-n", "500", "--size", "1024", "--ca", Self.file("ca.pem")])
            // And refuses it when it does not trust the issuer.
            let refused = await Interop.failure { () async throws(AMQPClientError) in
                do {
                    try await PythonClientInteropTests.run(client, url: "amqps://localhost:\(listener.port)",
                                                           arguments: ["tls-q", "-n", "1", "--ca", Self.file("other-ca.pem"), "--timeout", "10"])
                } catch {
                    throw AMQPClientError(code: .tlsFailed, detail: "\(error)")
                }
            }
            guard refused != nil else { throw InteropFailure("the client accepted a certificate from an untrusted CA") }
        }
    }
}
