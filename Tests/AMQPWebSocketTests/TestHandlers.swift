import AMQPWebSocket
import NIOCore
import NIOPosix
import NIOWebSocket

struct TimedOut: Error {}

/// Fails `promise` if nothing completes it in time, so a broken exchange fails, never hangs.
func deadline<T>(_ promise: EventLoopPromise<T>, seconds: Int64 = 90) {
    promise.futureResult.eventLoop.scheduleTask(in: .seconds(seconds)) { promise.fail(TimedOut()) }
}

/// Writes back every byte it reads.
final class EchoHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        context.write(data, promise: nil)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        context.flush()
    }
}

/// What a `Collector` reports, made before it exists (promises cross threads; handlers do not).
struct Taps: Sendable {
    let done: EventLoopPromise<ByteBuffer>
    let errors: EventLoopPromise<WebSocketTransportError>
    let closeReceived: EventLoopPromise<UInt16>
    let pong: EventLoopPromise<ByteBuffer>

    /// The promises live on the shared group, which outlives every test's own group, so a
    /// deadline always fires (no leaked promise) whatever the test did.
    init(_ unused: EventLoop? = nil) {
        let eventLoop = MultiThreadedEventLoopGroup.singleton.next()
        done = eventLoop.makePromise()
        errors = eventLoop.makePromise()
        closeReceived = eventLoop.makePromise()
        pong = eventLoop.makePromise()
        deadline(done)
        deadline(errors)
        deadline(closeReceived)
        deadline(pong)
    }
}

/// Gathers bytes until `expected` arrived; records the first error and close fired at it.
final class Collector: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer

    let expected: Int
    let taps: Taps
    private var received = ByteBuffer()
    var done: EventLoopPromise<ByteBuffer> { taps.done }
    var errors: EventLoopPromise<WebSocketTransportError> { taps.errors }
    var closeReceived: EventLoopPromise<UInt16> { taps.closeReceived }

    init(expected: Int, taps: Taps) {
        self.expected = expected
        self.taps = taps
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var buffer = unwrapInboundIn(data)
        received.writeBuffer(&buffer)
        if received.readableBytes >= expected { done.succeed(received) }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if let error = error as? WebSocketTransportError { errors.succeed(error) }
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let event = event as? WebSocketCloseReceived { closeReceived.succeed(event.code) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        closeReceived.fail(ChannelError.ioOnClosedChannel)
        errors.fail(ChannelError.ioOnClosedChannel)
        done.fail(ChannelError.ioOnClosedChannel)
    }
}

/// Sits before the bridge and reports the first pong that arrives.
final class FrameSpy: ChannelInboundHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = WebSocketFrame

    let pong: EventLoopPromise<ByteBuffer>

    init(pong: EventLoopPromise<ByteBuffer>) {
        self.pong = pong
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if frame.opcode == .pong { pong.succeed(frame.unmaskedData) }
        context.fireChannelRead(data)
    }
}
