import NIOCore

/// One client connection and its upstream connection, relaying bytes under the plan.
final class ProxiedPair {
    enum Side {
        case client
        case server
    }

    let client: any Channel
    private var server: (any Channel)?
    private unowned let state: ProxyState
    private var crossed = 0
    private var done = false
    /// Chunks held while stalled or before the upstream connection is up, by direction.
    private var heldToServer: [ByteBuffer] = []
    private var heldToClient: [ByteBuffer] = []

    var heldCount: Int { heldToServer.count + heldToClient.count }

    init(client: any Channel, state: ProxyState) {
        self.client = client
        self.state = state
    }

    func connected(_ server: any Channel) {
        guard !done else {
            server.close(promise: nil)
            return
        }
        self.server = server
        client.read()
        server.read()
        resume()
    }

    /// Bytes read on `side`, to go to the other side.
    func received(_ bytes: ByteBuffer, on side: Side) {
        guard !done else { return }
        let toServer = side == .client
        if toServer ? state.plan.dropClientToServer : state.plan.dropServerToClient {
            read(side)
            return
        }
        if server == nil || state.stalledUntil != nil {
            if toServer { heldToServer.append(bytes) } else { heldToClient.append(bytes) }
            return
        }
        forward(bytes, toServer: toServer)
    }

    /// Forwards what was held (after a stall).
    func resume() {
        guard !done, server != nil, state.stalledUntil == nil else { return }
        let (up, down) = (heldToServer, heldToClient)
        heldToServer = []
        heldToClient = []
        for chunk in up { forward(chunk, toServer: true) }
        for chunk in down { forward(chunk, toServer: false) }
    }

    private func forward(_ bytes: ByteBuffer, toServer: Bool) {
        guard !done, let server else { return }
        let allowed = state.admit(bytes.readableBytes, toServer: toServer, crossed: &crossed)
        let target = toServer ? server : client
        let source: Side = toServer ? .client : .server
        if allowed < bytes.readableBytes {
            // The byte budget ends inside this chunk: what fits goes, then the cut.
            if allowed > 0, let part = bytes.getSlice(at: bytes.readerIndex, length: allowed) {
                target.writeAndFlush(part).whenComplete { _ in self.cut() }
            } else {
                cut()
            }
            return
        }
        if let delay = state.plan.delay {
            target.eventLoop.scheduleTask(in: .nanoseconds(delay.nanoseconds)) {
                guard !self.done else { return }
                target.writeAndFlush(bytes).whenComplete { _ in self.read(source) }
            }
        } else {
            // Read on only once the other side took it: no unbounded buffering here.
            target.writeAndFlush(bytes).whenComplete { _ in self.read(source) }
        }
    }

    private func read(_ side: Side) {
        guard !done else { return }
        (side == .client ? client : server)?.read()
    }

    /// Drops both connections now, without a word to either end.
    func cut() {
        guard !done else { return }
        done = true
        state.removed(self, wasCut: true)
        client.close(promise: nil)
        server?.close(promise: nil)
    }

    /// One end closed: close the other.
    func closed(_ side: Side) {
        guard !done else { return }
        done = true
        state.removed(self, wasCut: false)
        (side == .client ? server : client)?.close(promise: nil)
    }
}

/// Hands what one side reads to its pair.
final class RelayHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    let pair: NIOLoopBound<ProxiedPair>
    let side: ProxiedPair.Side

    init(pair: NIOLoopBound<ProxiedPair>, side: ProxiedPair.Side) {
        self.pair = pair
        self.side = side
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        pair.value.received(unwrapInboundIn(data), on: side)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pair.value.closed(side)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

@available(*, unavailable)
extension RelayHandler: Sendable {}
