import AMQP
import AMQPCore
import AMQPTLS
import Foundation
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// TLS between our client and our listener over loopback, with certificates made at test
/// time by `Scripts/peers/make-certs.sh`: verification, hostname and IP checks, expiry,
/// mutual TLS with SASL EXTERNAL, and peers that misbehave during the handshake.
@Suite(.timeLimit(.minutes(2))) struct TLSConnectionTests {
    /// The certificate folder, made once per test run.
    static let certificates: String = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swift-amqp-tls-\(getpid())").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Scripts/peers/make-certs.sh").path
        process.arguments = [script, directory]
        process.standardOutput = FileHandle.nullDevice
        // Without the certificates every case below would fail for the wrong reason.
        do {
            try process.run()
        } catch {
            fatalError("cannot run make-certs.sh: \(error)")
        }
        process.waitUntilExit()
        precondition(process.terminationStatus == 0, "make-certs.sh failed (exit \(process.terminationStatus))")
        return directory
    }()

    static func file(_ name: String) -> String { certificates + "/" + name }

    static func identity(_ name: String) -> TLSConfiguration.Identity {
        .files(certificateChain: file("\(name).pem"), privateKey: file("\(name)-key.pem"))
    }

    static func listener(certificate: String = "server", requireClient: Bool = false) async throws -> AMQPListener {
        var options = AMQPListener.Options()
        options.tls = .server(identity: identity(certificate), trustRoots: .file(file("ca.pem")),
                              requireClientCertificate: requireClient)
        return try await AMQPListener.start(.queues(capacity: 100), options: options)
    }

    static func clientOptions(trust: TLSConfiguration.TrustRoots? = nil, identity: TLSConfiguration.Identity? = nil,
                              verify: Bool = true) -> AMQPConnectionOptions {
        var options = AMQPConnectionOptions()
        options.tls = .client(trustRoots: trust ?? .file(file("ca.pem")), identity: identity, verifyPeer: verify)
        options.connectTimeout = .seconds(10)
        return options
    }

    /// Connects, sends one message and receives it back.
    static func roundTrip(_ url: String, _ options: AMQPConnectionOptions) async throws(AMQPClientError) {
        let connection = try await AMQPConnection.connect(to: url, options: options)
        let session = try await connection.openSession()
        let sender = try await session.openSender(to: "tls")
        guard try await sender.send(AMQPMessage(data: ByteBuffer(string: "over TLS"))) == .accepted(Accepted()) else {
            throw AMQPClientError(code: .linkDetached, detail: "not accepted")
        }
        let receiver = try await session.openReceiver(from: "tls")
        let delivery = try await receiver.receive()
        guard delivery?.message.data == ByteBuffer(string: "over TLS") else {
            throw AMQPClientError(code: .linkDetached, detail: "wrong message")
        }
        try await delivery?.accept()
        await connection.close()
    }

    static func tlsFailure(_ url: String, _ options: AMQPConnectionOptions) async -> TLSError.Code? {
        do {
            try await roundTrip(url, options)
            return nil
        } catch {
            return error.tlsError?.code
        }
    }

    @Test func verifiedByNameAndByAddress() async throws {
        let listener = try await Self.listener()
        defer { Task { await listener.close() } }
        try await Self.roundTrip("amqps://localhost:\(listener.port)", Self.clientOptions())
        try await Self.roundTrip("amqps://user:pass@127.0.0.1:\(listener.port)", Self.clientOptions())
    }

    @Test func refusedWithoutTheCAWithTheWrongNameOrWhenExpired() async throws {
        let listener = try await Self.listener()
        defer { Task { await listener.close() } }
        // The system store does not know the test CA.
        #expect(await Self.tlsFailure("amqps://localhost:\(listener.port)", Self.clientOptions(trust: .system)) == .untrustedIssuer)
        #expect(await Self.tlsFailure("amqps://localhost:\(listener.port)",
                                      Self.clientOptions(trust: .file(Self.file("other-ca.pem")))) == .untrustedIssuer)
        var wrongName = Self.clientOptions()
        wrongName.tlsServerName = "broker.example"
        #expect(await Self.tlsFailure("amqps://localhost:\(listener.port)", wrongName) == .hostnameMismatch)

        let expired = try await Self.listener(certificate: "expired")
        defer { Task { await expired.close() } }
        #expect(await Self.tlsFailure("amqps://localhost:\(expired.port)", Self.clientOptions()) == .certificateExpired)

        // Verification off: connects (and would log a warning).
        try await Self.roundTrip("amqps://localhost:\(expired.port)", Self.clientOptions(trust: .system, verify: false))
    }

    @Test func mutualTLSWithSASLExternal() async throws {
        // The identity EXTERNAL stands for is the client certificate's subject.
        let seen = Mutex<[SASLPresented]>([])
        var options = AMQPListener.Options()
        options.tls = .server(identity: Self.identity("server"), trustRoots: .file(Self.file("ca.pem")),
                              requireClientCertificate: true)
        options.verify = { presented in
            seen.withLock { $0.append(presented) }
            return true
        }
        let listener = try await AMQPListener.start(.queues(capacity: 100), options: options)
        defer { Task { await listener.close() } }
        // With a client certificate the client presents EXTERNAL.
        try await Self.roundTrip("amqps://localhost:\(listener.port)", Self.clientOptions(identity: Self.identity("client")))
        #expect(seen.withLock { $0 } == [.external(authorizationID: "/CN=amqp-client")])
        // Without one the server ends the handshake.
        let failure = await Self.tlsFailure("amqps://localhost:\(listener.port)", Self.clientOptions())
        #expect(failure != nil)
        // A certificate from a CA the server does not trust: refused too.
        #expect(await Self.tlsFailure("amqps://localhost:\(listener.port)",
                                      Self.clientOptions(identity: Self.identity("untrusted"))) != nil)
    }

    @Test func pemInMemoryWorksLikeFiles() async throws {
        let listener = try await Self.listener()
        defer { Task { await listener.close() } }
        let ca = try String(contentsOfFile: Self.file("ca.pem"), encoding: .utf8)
        try await Self.roundTrip("amqps://localhost:\(listener.port)", Self.clientOptions(trust: .pem(ca)))
    }

    /// A TCP peer that answers with `reply` (or closes at once when nil) and reads nothing.
    static func misbehaving(_ reply: ByteBuffer?) async throws -> any Channel {
        try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let reply {
                        channel.writeAndFlush(reply, promise: nil)
                    } else {
                        channel.close(promise: nil)
                    }
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
    }

    @Test func peersThatCloseOrAnswerGarbageFailClearly() async throws {
        let closing = try await Self.misbehaving(nil)
        let closed = await Self.tlsFailure("amqps://localhost:\(closing.localAddress!.port!)", Self.clientOptions())
        #expect(closed == .closedDuringHandshake)
        try await closing.close()

        let garbage = try await Self.misbehaving(ByteBuffer(string: "HTTP/1.1 400 Bad Request\r\n\r\nnot TLS at all"))
        let failed = await Self.tlsFailure("amqps://localhost:\(garbage.localAddress!.port!)", Self.clientOptions())
        #expect(failed == .handshakeFailed)
        try await garbage.close()

        // Silent: the handshake time limit ends it.
        let silent = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton).bind(host: "127.0.0.1", port: 0).get()
        var options = Self.clientOptions()
        options.tls?.handshakeTimeout = .milliseconds(300)
        #expect(await Self.tlsFailure("amqps://localhost:\(silent.localAddress!.port!)", options) == .handshakeTimeout)
        try await silent.close()
    }
}

/// The AMQP TLS header (spec 5.2.1): a listener serving plain and TLS on one port, TLS for
/// the client that asks with the header.
@Suite(.timeLimit(.minutes(1))) struct TLSHeaderTests {
    @Test func tlsByHeaderAndPlainOnOnePort() async throws {
        var listenerOptions = AMQPListener.Options()
        listenerOptions.tls = .server(identity: TLSConnectionTests.identity("server"))
        listenerOptions.tlsByHeader = true
        let listener = try await AMQPListener.start(.queues(capacity: 100), options: listenerOptions)
        defer { Task { await listener.close() } }
        var tlsOptions = TLSConnectionTests.clientOptions()
        tlsOptions.tlsNegotiation = .amqpHeader
        try await TLSConnectionTests.roundTrip("amqp://localhost:\(listener.port)", tlsOptions)
        // The same port without TLS.
        try await TLSConnectionTests.roundTrip("amqp://localhost:\(listener.port)", AMQPConnectionOptions())
        // Asking for TLS, but not trusting the certificate: refused, as with amqps.
        var untrusting = TLSConnectionTests.clientOptions(trust: .system)
        untrusting.tlsNegotiation = .amqpHeader
        #expect(await TLSConnectionTests.tlsFailure("amqp://localhost:\(listener.port)", untrusting) == .untrustedIssuer)
    }
}
