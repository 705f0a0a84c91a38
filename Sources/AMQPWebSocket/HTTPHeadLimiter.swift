import NIOCore

/// Counts the bytes of one HTTP head (up to and including the blank line) as they arrive and
/// fails the channel with `headTooLarge` when the head grows past the limit. After the head
/// it passes everything through untouched; it is removed with the other HTTP handlers.
final class HTTPHeadLimiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    private let limit: Int
    private var count = 0
    /// How much of "\r\n\r\n" the last bytes matched.
    private var matched = 0
    private var headEnded = false
    private var failed = false

    init(limit: Int) {
        self.limit = limit
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        if !headEnded {
            let buffer = unwrapInboundIn(data)
            for byte in buffer.readableBytesView {
                count += 1
                let expected: UInt8 = matched % 2 == 0 ? 13 : 10
                if byte == expected {
                    matched += 1
                } else {
                    matched = byte == 13 ? 1 : 0
                }
                if matched == 4 {
                    headEnded = true
                    break
                }
                if count > limit {
                    failed = true
                    context.fireErrorCaught(WebSocketTransportError(code: .headTooLarge, detail: "more than \(limit) bytes"))
                    context.close(promise: nil)
                    return
                }
            }
        }
        context.fireChannelRead(data)
    }
}

@available(*, unavailable) extension HTTPHeadLimiter: Sendable {}
