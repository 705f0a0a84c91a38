import AMQP
import AMQPTLS
import ArgumentParser

/// The TLS options `amqp send` and `amqp receive` share.
struct TLSArguments: ParsableArguments {
    @Option(help: "Trust the CA certificates in this PEM file (instead of the system store).")
    var ca: String?

    @Option(help: "Client certificate (PEM) for mutual TLS; with --key. Without a user in the URL, SASL EXTERNAL.")
    var cert: String?

    @Option(help: "The client certificate's private key (PEM).")
    var key: String?

    @Flag(help: "Do not verify the peer's certificate or name (a warning is printed on every connection).")
    var insecure = false

    @Option(help: "Without --url: the in-process listener serves TLS with this certificate (PEM); with --listener-key.")
    var listenerCert: String?

    @Option(help: "The in-process listener's private key (PEM).")
    var listenerKey: String?

    func validate() throws {
        guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
        guard (listenerCert == nil) == (listenerKey == nil) else {
            throw ValidationError("--listener-cert and --listener-key go together")
        }
    }

    /// The client's TLS configuration, when any TLS option is given.
    var client: TLSConfiguration? {
        guard ca != nil || cert != nil || insecure || listenerCert != nil else { return nil }
        let identity = cert.map { TLSConfiguration.Identity.files(certificateChain: $0, privateKey: key ?? "") }
        return .client(trustRoots: ca.map { .file($0) } ?? .system, identity: identity, verifyPeer: !insecure)
    }

    /// The in-process listener's TLS configuration.
    var listener: TLSConfiguration? {
        guard let listenerCert, let listenerKey else { return nil }
        return .server(identity: .files(certificateChain: listenerCert, privateKey: listenerKey))
    }
}

extension TLSArguments {
    /// The peer to talk to: `url`, or (without one) an in-process listener with `behaviour`,
    /// serving TLS when `--listener-cert` says so, which the caller closes.
    func resolve(url: String?, _ behaviour: AMQPListener.Behaviour, prefetch: UInt32? = nil)
        async throws(AMQPClientError) -> (AMQPURL, AMQPListener?)
    {
        if let url { return (try AMQPURL(url), nil) }
        var options = AMQPListener.Options()
        options.tls = listener
        if let prefetch { options.prefetch = prefetch }
        let started: AMQPListener
        do {
            started = try await AMQPListener.start(behaviour, options: options)
        } catch {
            throw AMQPClientError(code: .connectFailed, detail: "the in-process listener did not start: \(error)")
        }
        // With TLS the certificate names localhost.
        let target = AMQPURL(host: listener == nil ? "127.0.0.1" : "localhost", port: started.port, usesTLS: listener != nil)
        return (target, started)
    }
}
