import NIOCore
import NIOPosix

/// The proxy's connections and plan, on its event loop.
final class ProxyState {
    private(set) var plan: FaultProxy.Plan
    private var counted = FaultProxy.Statistics()
    var statistics: FaultProxy.Statistics {
        var statistics = counted
        statistics.held = pairs.values.reduce(0) { $0 + $1.heldCount }
        return statistics
    }
    let upstreamHost: String
    let upstreamPort: Int
    private var pairs: [ObjectIdentifier: ProxiedPair] = [:]
    /// Until then, nothing is forwarded.
    private(set) var stalledUntil: NIODeadline?
    private var stallEnd: Scheduled<Void>?

    init(plan: FaultProxy.Plan, upstreamHost: String, upstreamPort: Int) {
        self.plan = plan
        self.upstreamHost = upstreamHost
        self.upstreamPort = upstreamPort
    }

    func update(_ change: (inout FaultProxy.Plan) -> Void) {
        change(&plan)
    }

    /// A client connected: refuse it, or connect upstream and pair the two.
    func accepted(_ client: any Channel) {
        guard plan.refuseConnects == 0 else {
            plan.refuseConnects -= 1
            counted.refused += 1
            client.close(promise: nil)
            return
        }
        counted.connections += 1
        let pair = ProxiedPair(client: client, state: self)
        pairs[ObjectIdentifier(pair)] = pair
        let loop = client.eventLoop
        let bound = NIOLoopBound(pair, eventLoop: loop)
        _ = try? client.pipeline.syncOperations.addHandler(RelayHandler(pair: bound, side: .client))
        ClientBootstrap(group: loop)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelOption(.autoRead, value: false)
            .channelInitializer { server in
                server.eventLoop.makeCompletedFuture {
                    try server.pipeline.syncOperations.addHandler(RelayHandler(pair: bound, side: .server))
                }
            }
            .connect(host: upstreamHost, port: upstreamPort)
            .whenComplete { result in
                switch result {
                case .success(let server): bound.value.connected(server)
                case .failure: bound.value.cut()
                }
            }
        if let range = plan.cutAfter {
            let low = range.lowerBound.nanoseconds, high = range.upperBound.nanoseconds
            let after = TimeAmount.nanoseconds(low >= high ? low : Int64.random(in: low...high))
            loop.scheduleTask(in: after) { bound.value.cut() }
        }
    }

    func removed(_ pair: ProxiedPair, wasCut: Bool) {
        guard pairs.removeValue(forKey: ObjectIdentifier(pair)) != nil else { return }
        if wasCut { counted.cuts += 1 }
    }

    func cutAll() {
        for pair in Array(pairs.values) { pair.cut() }
    }

    func stall(for duration: Duration) {
        let until = NIODeadline.now() + .nanoseconds(duration.nanoseconds)
        stalledUntil = max(stalledUntil ?? until, until)
        stallEnd?.cancel()
        guard let loop = pairs.values.first?.client.eventLoop else { return }
        let bound = NIOLoopBound(self, eventLoop: loop)
        stallEnd = loop.scheduleTask(deadline: until) { bound.value.endStall() }
    }

    func endStall() {
        stallEnd?.cancel()
        stallEnd = nil
        stalledUntil = nil
        for pair in Array(pairs.values) { pair.resume() }
    }

    /// Counts `bytes` toward the cut-after-bytes budget; returns how many may still pass.
    func admit(_ bytes: Int, toServer: Bool, crossed: inout Int) -> Int {
        var allowed = bytes
        if let limit = plan.cutAfterBytes { allowed = max(0, min(bytes, limit - crossed)) }
        crossed += allowed
        if toServer { counted.bytesToServer += allowed } else { counted.bytesToClient += allowed }
        return allowed
    }
}

extension Duration {
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}
