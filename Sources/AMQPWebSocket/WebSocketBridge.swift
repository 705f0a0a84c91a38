import NIOCore
import NIOWebSocket

/// Turns a WebSocket into the plain byte stream AMQP runs on (the AMQP WebSocket binding:
/// the AMQP bytes travel in binary messages, in any split).
///
/// Inbound binary and continuation frames become `ByteBuffer`s (unmasked); each outbound
/// `ByteBuffer` becomes one binary frame, masked when this side is the client (RFC 6455
/// §5.3). Ping is answered with pong, a close with a close reply and then the channel closes.
/// Closing the channel from above sends a normal close (1000) first and waits a moment for
/// the peer's reply. A text frame closes with 1003, a frame or message over the limit with
/// 1009, any other violation (wrong masking, reserved bits, unknown opcode, a continuation
/// out of place) with 1002; each of these is also fired down the pipeline as a
/// `WebSocketTransportError`.
public final class WebSocketBridge: ChannelDuplexHandler, RemovableChannelHandler {
    public typealias InboundIn = WebSocketFrame
    public typealias InboundOut = ByteBuffer
    public typealias OutboundIn = ByteBuffer
    public typealias OutboundOut = WebSocketFrame

    /// Which end of the WebSocket this is; it decides the masking rules.
    public enum Role: Sendable, Hashable {
        case client
        case server
    }

    private enum State {
        case open
        /// We sent a close and wait for the peer's.
        case closeSent
        case closed
    }

    private let role: Role
    private let maxMessageSize: Int
    private let closeGrace: TimeAmount
    private var state = State.open
    private var inMessage = false
    private var messageSize = 0
    private var closeFrameWritten: EventLoopFuture<Void>?
    private var graceTimer: Scheduled<Void>?
    /// The close code the peer sent, once it sent one.
    public private(set) var peerCloseCode: UInt16?

    /// `closeGrace`: how long to wait for the peer's close reply after sending a close.
    public init(role: Role, maxMessageSize: Int = WebSocketLimits.default.maxMessageSize,
                closeGrace: TimeAmount = .seconds(2)) {
        self.role = role
        self.maxMessageSize = maxMessageSize
        self.closeGrace = closeGrace
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard state != .closed else { return }
        let frame = unwrapInboundIn(data)
        switch role {
        case .server where frame.maskKey == nil:
            return fail(context, .protocolViolation, close: 1002, "the client sent an unmasked frame")
        case .client where frame.maskKey != nil:
            return fail(context, .protocolViolation, close: 1002, "the server sent a masked frame")
        default: break
        }
        if frame.rsv1 || frame.rsv2 || frame.rsv3 {
            return fail(context, .protocolViolation, close: 1002, "reserved bits set (no extension negotiated)")
        }
        switch frame.opcode {
        case .binary:
            guard !inMessage else {
                return fail(context, .protocolViolation, close: 1002, "a new message began before the last one ended")
            }
            messageSize = 0
            received(frame, context)
        case .continuation:
            guard inMessage else {
                return fail(context, .protocolViolation, close: 1002, "a continuation frame outside a message")
            }
            received(frame, context)
        case .text:
            fail(context, .protocolViolation, close: 1003, "a text frame (AMQP travels in binary frames)")
        case .ping:
            guard state == .open else { return }
            let pong = WebSocketFrame(fin: true, opcode: .pong, maskKey: outboundMask(), data: frame.unmaskedData)
            context.writeAndFlush(wrapOutboundOut(pong), promise: nil)
        case .pong:
            break
        case .connectionClose:
            closeReceived(frame, context)
        default:
            fail(context, .protocolViolation, close: 1002, "unknown opcode \(frame.opcode)")
        }
    }

    private func received(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        messageSize += frame.length
        guard messageSize <= maxMessageSize else {
            return fail(context, .messageTooLarge, close: 1009, "a message of more than \(maxMessageSize) bytes")
        }
        inMessage = !frame.fin
        guard state == .open, frame.length > 0 else { return }
        context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
    }

    private func closeReceived(_ frame: WebSocketFrame, _ context: ChannelHandlerContext) {
        var payload = frame.unmaskedData
        let code = payload.readInteger(as: UInt16.self)
        peerCloseCode = code ?? 1005
        context.fireUserInboundEventTriggered(WebSocketCloseReceived(code: code ?? 1005))
        let wasOpen = state == .open
        state = .closed
        graceTimer?.cancel()
        if wasOpen {
            // Echo the code (RFC 6455 §5.5.1), then close the TCP connection.
            var reply = context.channel.allocator.buffer(capacity: 2)
            if let code { reply.writeInteger(code) }
            let written = context.writeAndFlush(wrapOutboundOut(
                WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: outboundMask(), data: reply)))
            closeFrameWritten = written
            if let code, code != 1000 {
                context.fireErrorCaught(WebSocketTransportError(code: .closedByPeer, closeCode: code))
            }
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        } else {
            context.close(promise: nil)
        }
    }

    public func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        guard state == .open else {
            promise?.fail(ChannelError.ioOnClosedChannel)
            return
        }
        let frame = WebSocketFrame(fin: true, opcode: .binary, maskKey: outboundMask(), data: unwrapOutboundIn(data))
        context.write(wrapOutboundOut(frame), promise: promise)
    }

    public func close(context: ChannelHandlerContext, mode: CloseMode, promise: EventLoopPromise<Void>?) {
        guard mode == .all else { return context.close(mode: mode, promise: promise) }
        switch state {
        case .open:
            state = .closeSent
            var code = context.channel.allocator.buffer(capacity: 2)
            code.writeInteger(UInt16(1000))
            let frame = WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: outboundMask(), data: code)
            closeFrameWritten = context.writeAndFlush(wrapOutboundOut(frame))
            promise.map { context.channel.closeFuture.cascade(to: $0) }
            graceTimer = context.eventLoop.assumeIsolated().scheduleTask(in: closeGrace) {
                self.state = .closed
                context.close(promise: nil)
            }
        case .closeSent:
            promise.map { context.channel.closeFuture.cascade(to: $0) }
        case .closed:
            if let written = closeFrameWritten {
                // Let the close frame go out first.
                written.assumeIsolated().whenComplete { _ in context.close(mode: mode, promise: promise) }
            } else {
                context.close(mode: mode, promise: promise)
            }
        }
    }

    public func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard let error = error as? NIOWebSocketError else { return context.fireErrorCaught(error) }
        switch error {
        case .invalidFrameLength:
            fail(context, .messageTooLarge, close: 1009, "a frame larger than allowed")
        default:
            fail(context, .protocolViolation, close: 1002, "\(error)")
        }
    }

    public func channelInactive(context: ChannelHandlerContext) {
        graceTimer?.cancel()
        state = .closed
        context.fireChannelInactive()
    }

    /// Sends a close with `closeCode` (unless a close was sent already), tells the handlers
    /// above why, and closes once the close frame is out.
    private func fail(_ context: ChannelHandlerContext, _ code: WebSocketTransportError.Code, close closeCode: UInt16,
                      _ detail: String) {
        guard state != .closed else { return }
        let wasOpen = state == .open
        state = .closed
        graceTimer?.cancel()
        let error = WebSocketTransportError(code: code, closeCode: closeCode, detail: detail)
        guard wasOpen else {
            context.fireErrorCaught(error)
            return context.close(promise: nil)
        }
        var payload = context.channel.allocator.buffer(capacity: 2)
        payload.writeInteger(closeCode)
        // Known before the handlers above hear the error: a close they ask for waits for it.
        let written = context.eventLoop.makePromise(of: Void.self)
        closeFrameWritten = written.futureResult
        context.fireErrorCaught(error)
        context.writeAndFlush(wrapOutboundOut(
            WebSocketFrame(fin: true, opcode: .connectionClose, maskKey: outboundMask(), data: payload)), promise: written)
        written.futureResult.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }

    private func outboundMask() -> WebSocketMaskingKey? {
        role == .client ? .random() : nil
    }
}

@available(*, unavailable) extension WebSocketBridge: Sendable {}

/// Fired down the pipeline (a user inbound event) when the peer's close frame arrives.
public struct WebSocketCloseReceived: Sendable, Hashable {
    /// The peer's status code (RFC 6455 §7.4); 1005 when it sent none.
    public var code: UInt16
}
