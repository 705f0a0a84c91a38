import COpenSSL
import NIOCore

/// TLS on a NIO channel with the system OpenSSL, in either role: ciphertext below,
/// plaintext above. Writes made during the handshake wait for it; encrypted output is
/// gathered into one buffer and written once per flush. The handshake is bounded in time,
/// and every failure reaches the pipeline as a `TLSError` that says why (then the channel
/// closes).
public final class OpenSSLHandler: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = ByteBuffer

    private enum State {
        case idle
        case handshaking
        case active
        case closed
    }

    private let tls: TLSContext
    private let serverHostname: String?
    private var ssl: OpaquePointer?
    private var buffers: TLSBuffers?
    private var state = State.idle
    private var timeout: Scheduled<Void>?
    /// Plaintext written before the handshake finished.
    private var waiting: [(ByteBuffer, EventLoopPromise<Void>?)] = []
    /// Promises of plaintext encrypted since the last flush, completed by its write.
    private var encrypted: [EventLoopPromise<Void>] = []

    /// - Parameter serverHostname: client: the name to verify the server's certificate
    ///   against and send as SNI (an IP address is verified, not sent).
    public init(context: TLSContext, serverHostname: String? = nil) {
        self.tls = context
        self.serverHostname = serverHostname
    }

    deinit {
        if let ssl { SSL_free(ssl) }
    }

    // MARK: Lifecycle

    public func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    public func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        timeout?.cancel()
        if let ssl { SSL_free(ssl) }
        ssl = nil
    }

    private func start(_ context: ChannelHandlerContext) {
        guard state == .idle else { return }
        let buffers = TLSBuffers(allocator: context.channel.allocator)
        guard let ssl = SSL_new(tls.context) else {
            return fail(context, TLSError(code: .invalidConfiguration, detail: TLSContext.errorQueue()))
        }
        let bio = ByteBufferBIO.make(buffers)
        SSL_set_bio(ssl, bio, bio)
        self.ssl = ssl
        self.buffers = buffers
        if tls.configuration.role == .client {
            SSL_set_connect_state(ssl)
            if let host = serverHostname {
                if Self.isIPAddress(host) {
                    if tls.configuration.verifyPeer { X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) }
                } else {
                    _ = camqp_SSL_set_tlsext_host_name(ssl, host)
                    if tls.configuration.verifyPeer { SSL_set1_host(ssl, host) }
                }
            }
        } else {
            SSL_set_accept_state(ssl)
        }
        state = .handshaking
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        timeout = context.eventLoop.scheduleTask(in: TimeAmount(tls.configuration.handshakeTimeout)) {
            let (handler, context) = bound.value
            guard handler.state == .handshaking else { return }
            handler.fail(context, TLSError(code: .handshakeTimeout))
        }
        handshake(context)
    }

    // MARK: Inbound

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard let buffers, state == .handshaking || state == .active else { return }
        var bytes = unwrapInboundIn(data)
        if buffers.inbound.readableBytes == 0 {
            buffers.inbound = bytes
        } else {
            buffers.inbound.writeBuffer(&bytes)
        }
        if state == .handshaking { handshake(context) }
        if state == .active { decrypt(context) }
        writeCiphertext(context, flush: true)
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A transport error during the handshake (a reset, say) is the handshake's failure.
        guard state == .handshaking else { return context.fireErrorCaught(error) }
        fail(context, TLSError(code: .closedDuringHandshake, detail: "\(error)"))
    }

    public func channelInactive(context: ChannelHandlerContext) {
        if state == .handshaking {
            fail(context, TLSError(code: .closedDuringHandshake))
        }
        state = .closed
        timeout?.cancel()
        failWaiting(ChannelError.ioOnClosedChannel)
        context.fireChannelInactive()
    }

    private func handshake(_ context: ChannelHandlerContext) {
        guard let ssl else { return }
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = .active
            timeout?.cancel()
            context.fireUserInboundEventTriggered(TLSEstablished(
                peerSubject: peerSubject(ssl), protocolVersion: String(cString: SSL_get_version(ssl))))
            for (plaintext, promise) in waiting { encrypt(context, plaintext, promise: promise) }
            waiting = []
            writeCiphertext(context, flush: true)
            return
        }
        let error = SSL_get_error(ssl, result)
        if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE {
            writeCiphertext(context, flush: true)
            return
        }
        // Send the alert that says why, then fail.
        writeCiphertext(context, flush: true)
        fail(context, classify(ssl))
    }

    private func decrypt(_ context: ChannelHandlerContext) {
        guard let ssl, let buffers else { return }
        // Plaintext is never longer than the ciphertext it came in.
        var plaintext = context.channel.allocator.buffer(capacity: max(buffers.inbound.readableBytes, 16 * 1024))
        while true {
            if plaintext.writableBytes == 0 { plaintext.reserveCapacity(minimumWritableBytes: 16 * 1024) }
            var read = 0
            let result = plaintext.writeWithUnsafeMutableBytes(minimumWritableBytes: 1) { bytes in
                let result = SSL_read_ex(ssl, bytes.baseAddress, bytes.count, &read)
                return result == 1 ? read : 0
            }
            if result > 0 { continue }
            let error = SSL_get_error(ssl, 0)
            if error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE { break }
            if plaintext.readableBytes > 0 { context.fireChannelRead(wrapInboundOut(plaintext)) }
            if error == SSL_ERROR_ZERO_RETURN {
                // The peer's close_notify: answer it and close.
                SSL_shutdown(ssl)
                writeCiphertext(context, flush: true)
                state = .closed
                context.close(promise: nil)
            } else {
                fail(context, TLSError(code: .protocolError, detail: TLSContext.errorQueue()))
            }
            return
        }
        if plaintext.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(plaintext))
            context.fireChannelReadComplete()
        }
    }

    public func channelReadComplete(context: ChannelHandlerContext) {
        // Passed on with the plaintext it belongs to (in `decrypt`).
    }

    // MARK: Outbound

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let plaintext = unwrapOutboundIn(data)
        switch state {
        case .idle, .handshaking: waiting.append((plaintext, promise))
        case .active: encrypt(context, plaintext, promise: promise)
        case .closed: promise?.fail(ChannelError.ioOnClosedChannel)
        }
    }

    public func flush(context: ChannelHandlerContext) {
        writeCiphertext(context, flush: true)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        if state == .active, mode == .all, let ssl {
            // close_notify, then the transport.
            SSL_shutdown(ssl)
            writeCiphertext(context, flush: true)
        }
        state = .closed
        context.close(mode: mode, promise: promise)
    }

    private func encrypt(_ context: ChannelHandlerContext, _ plaintext: ByteBuffer, promise: EventLoopPromise<Void>?) {
        guard let ssl else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        var remaining = plaintext
        while remaining.readableBytes > 0 {
            var written = 0
            let result = remaining.withUnsafeReadableBytes { bytes in
                SSL_write_ex(ssl, bytes.baseAddress, bytes.count, &written)
            }
            guard result == 1 else {
                promise?.fail(TLSError(code: .protocolError, detail: TLSContext.errorQueue()))
                return fail(context, TLSError(code: .protocolError, detail: "write"))
            }
            remaining.moveReaderIndex(forwardBy: written)
        }
        if let promise { encrypted.append(promise) }
    }

    private func writeCiphertext(_ context: ChannelHandlerContext, flush: Bool) {
        guard let buffers, buffers.outbound.readableBytes > 0 else {
            if flush { context.flush() }
            return
        }
        let ciphertext = buffers.outbound
        buffers.outbound = context.channel.allocator.buffer(capacity: max(16 * 1024, ciphertext.readableBytes))
        var promise: EventLoopPromise<Void>?
        if !encrypted.isEmpty {
            let combined = context.eventLoop.makePromise(of: Void.self)
            for waiter in encrypted { combined.futureResult.cascade(to: waiter) }
            encrypted = []
            promise = combined
        }
        context.write(wrapOutboundOut(ciphertext), promise: promise)
        if flush { context.flush() }
    }

    // MARK: Failure

    private func fail(_ context: ChannelHandlerContext, _ error: TLSError) {
        guard state != .closed else { return }
        state = .closed
        timeout?.cancel()
        failWaiting(error)
        context.fireErrorCaught(error)
        context.close(promise: nil)
    }

    private func failWaiting(_ error: any Error) {
        for (_, promise) in waiting { promise?.fail(error) }
        waiting = []
        for promise in encrypted { promise.fail(error) }
        encrypted = []
    }

    /// Why the handshake failed: the certificate verification result when there is one,
    /// else OpenSSL's error queue (e.g. the peer's alert).
    private func classify(_ ssl: OpaquePointer) -> TLSError {
        let queue = TLSContext.errorQueue()
        let result = Int32(SSL_get_verify_result(ssl))
        guard result != X509_V_OK else {
            return TLSError(code: .handshakeFailed, detail: queue)
        }
        let reason = String(cString: X509_verify_cert_error_string(Int(result)))
        let code: TLSError.Code
        switch result {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH: code = .hostnameMismatch
        case X509_V_ERR_CERT_HAS_EXPIRED: code = .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID: code = .certificateNotYetValid
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN,
             X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            code = .untrustedIssuer
        default: code = .certificateRejected
        }
        return TLSError(code: code, detail: reason)
    }

    private func peerSubject(_ ssl: OpaquePointer) -> String? {
        guard let certificate = SSL_get1_peer_certificate(ssl) else { return nil }
        defer { X509_free(certificate) }
        guard let line = X509_NAME_oneline(X509_get_subject_name(certificate), nil, 0) else { return nil }
        defer { camqp_OPENSSL_free(line) }
        return String(cString: line)
    }

    static func isIPAddress(_ host: String) -> Bool {
        host.contains(":") || (!host.isEmpty && host.allSatisfy { $0 == "." || $0.isNumber })
    }
}

@available(*, unavailable)
extension OpenSSLHandler: Sendable {}
