import AMQPCore
import NIOCore

/// What stands behind an `AMQPListener`'s links, on its event loop: in-memory queues, or a
/// sink and source for measurements.
final class ListenerApplication {
    /// A peer's receiving link we deliver to.
    final class Consumer {
        let connection: UInt64
        let link: LinkID
        let presettled: Bool
        var nextTag: UInt64 = 0
        /// Sent and not yet settled by the peer, by tag (queued again if the link goes).
        var unsettled: [UInt64: ByteBuffer] = [:]

        init(connection: UInt64, link: LinkID, presettled: Bool) {
            self.connection = connection
            self.link = link
            self.presettled = presettled
        }
    }

    final class Queue {
        var messages = CircularBuffer<ByteBuffer>()
        var consumers: [Consumer] = []
        var next = 0
    }

    struct Connection {
        let handler: AMQPConnectionHandler
        let channel: any Channel
    }

    let behaviour: AMQPListener.Behaviour
    let options: AMQPListener.Options
    var connections: [UInt64: Connection] = [:]
    var queues: [String: Queue] = [:]
    /// Consumers by connection and link, with their queue's address.
    var consumers: [UInt64: [LinkID: (address: String, consumer: Consumer)]] = [:]
    /// Sending peers' links (messages in), by connection: the address they send to.
    var producers: [UInt64: [LinkID: String]] = [:]
    var nextConnection: UInt64 = 0
    var nextDynamic = 0
    /// What the source sends, cycling (empty: not a source).
    let sourceMessages: [ByteBuffer]
    var nextSource = 0

    private init(behaviour: AMQPListener.Behaviour, options: AMQPListener.Options) {
        self.behaviour = behaviour
        self.options = options
        switch behaviour {
        case .sinkAndSource(let size):
            sourceMessages = [AMQPMessage(data: ByteBuffer(repeating: 0x62, count: size)).encoded()]
        case .sinkAndSourceCycling(let sizes):
            sourceMessages = sizes.map { AMQPMessage(data: ByteBuffer(repeating: 0x62, count: $0)).encoded() }
        case .queues:
            sourceMessages = []
        }
    }

    static func make(_ behaviour: AMQPListener.Behaviour, options: AMQPListener.Options) -> ListenerApplication {
        ListenerApplication(behaviour: behaviour, options: options)
    }

    func connect(_ handler: AMQPConnectionHandler, channel: any Channel) -> UInt64 {
        nextConnection += 1
        connections[nextConnection] = Connection(handler: handler, channel: channel)
        return nextConnection
    }

    func closeAll() {
        for connection in connections.values {
            connection.handler.perform { $0.close() }
            connection.channel.close(promise: nil)
        }
    }

    func handle(_ event: ConnectionEngine.Event, connection id: UInt64, handler: AMQPConnectionHandler) {
        switch event {
        case .linkRequested(let channel, let attach):
            linkRequested(attach, channel: channel, connection: id, handler: handler)
        case .deliveries(let link, let deliveries):
            messagesArrived(deliveries, link: link, connection: id, handler: handler)
        case .creditAvailable(let link, _):
            guard let (address, _) = consumers[id]?[link] else { return }
            dispatch(address)
        case .outcomes(let link, _, let firstTag, let count, let state, true):
            // Our tags count up in the order deliveries are queued, as the run does.
            guard let (address, consumer) = consumers[id]?[link],
                  let first = firstTag.getInteger(at: firstTag.readerIndex, as: UInt64.self)
            else { return }
            var requeued: [ByteBuffer] = []
            for offset in 0..<UInt64(count) {
                guard let message = consumer.unsettled.removeValue(forKey: first &+ offset) else { continue }
                switch state {
                case .released, .modified: requeued.append(message)
                default: break
                }
            }
            guard !requeued.isEmpty else { return }
            queue(address).messages.insert(contentsOf: requeued, at: queue(address).messages.startIndex)
            dispatch(address)
        case .linkDetached(let link, _):
            producers[id]?[link] = nil
            if let (address, consumer) = consumers[id]?.removeValue(forKey: link) { retire(consumer, from: address) }
        case .closeTransport:
            connections[id] = nil
            producers[id] = nil
            for (address, consumer) in consumers.removeValue(forKey: id)?.values ?? [:].values {
                retire(consumer, from: address)
            }
        default:
            break
        }
    }

    private func linkRequested(_ attach: Attach, channel: UInt16, connection id: UInt64, handler: AMQPConnectionHandler) {
        let prefetch = options.prefetch
        if attach.role == .sender {
            // The peer sends to us.
            guard case .target(let target)? = attach.target, let address = target.address else {
                handler.perform { $0.refuseLink(channel: channel, attach, error: AMQPError(
                    condition: .notImplemented, errorDescription: "a sender needs a target address")) }
                return
            }
            guard let link = handler.perform({ $0.acceptLink(channel: channel, attach, prefetch: prefetch) }) else { return }
            producers[id, default: [:]][link] = address
            return
        }
        // The peer receives from us.
        var address = attach.source?.address
        var source: Source?
        if attach.source?.dynamic == true {
            nextDynamic += 1
            address = "dynamic-\(nextDynamic)"
            source = attach.source
            source?.address = address
        }
        guard let address else {
            handler.perform { $0.refuseLink(channel: channel, attach, error: AMQPError(
                condition: .notImplemented, errorDescription: "a receiver needs a source address or dynamic")) }
            return
        }
        guard let link = handler.perform({ $0.acceptLink(channel: channel, attach, prefetch: 0, source: source) }) else { return }
        let consumer = Consumer(connection: id, link: link, presettled: attach.sndSettleMode == .settled)
        consumers[id, default: [:]][link] = (address, consumer)
        if case .queues = behaviour { queue(address).consumers.append(consumer) }
    }

    /// Queues (or, past capacity, rejects) a run of messages from a producer and settles them
    /// in one step; the sink and source accept them all.
    private func messagesArrived(_ deliveries: [IncomingDelivery], link: LinkID, connection id: UInt64,
                                 handler: AMQPConnectionHandler) {
        var accepted: [UInt32] = []
        var rejected: [UInt32] = []
        var rejection = ""
        let target: (address: String, queue: Queue)?
        if case .queues = behaviour, let address = producers[id]?[link] { target = (address, queue(address)) } else { target = nil }
        for delivery in deliveries {
            if let target, case .queues(let capacity) = behaviour, target.queue.messages.count >= capacity {
                rejection = "queue \(target.address) holds \(capacity) messages"
                if !delivery.settled { rejected.append(delivery.deliveryID) }
                continue
            }
            target?.queue.messages.append(delivery.payload)
            if !delivery.settled { accepted.append(delivery.deliveryID) }
        }
        handler.perform { engine in
            engine.consumed(deliveries.count, on: link)
            if !accepted.isEmpty { _ = engine.settle(accepted, on: link, state: .accepted(Accepted())) }
            if !rejected.isEmpty {
                _ = engine.settle(rejected, on: link, state: .rejected(Rejected(error: AMQPError(
                    condition: .resourceLimitExceeded, errorDescription: rejection))))
            }
        }
        if let target { dispatch(target.address) }
    }

    func queue(_ address: String) -> Queue {
        if let queue = queues[address] { return queue }
        let queue = Queue()
        queues[address] = queue
        return queue
    }

    /// Hands queued messages to consumers with credit, round-robin; for the source, as many
    /// messages as each consumer's credit covers.
    private func dispatch(_ address: String) {
        if !sourceMessages.isEmpty {
            for (_, consumer) in consumers.values.flatMap(\.values) {
                let credit = available(consumer)
                guard credit > 0 else { continue }
                var batch: [ByteBuffer] = []
                batch.reserveCapacity(credit)
                for _ in 0..<credit {
                    batch.append(sourceMessages[nextSource])
                    nextSource = nextSource + 1 == sourceMessages.count ? 0 : nextSource + 1
                }
                send(batch, to: consumer, remember: false)
            }
            return
        }
        guard let queue = queues[address] else { return }
        while !queue.messages.isEmpty {
            let ready = queue.consumers.map { ($0, available($0)) }.filter { $0.1 > 0 }
            guard !ready.isEmpty else { return }
            for (consumer, credit) in ready where !queue.messages.isEmpty {
                let count = min(credit, max(queue.messages.count / ready.count, 1))
                var batch: [ByteBuffer] = []
                for _ in 0..<count { batch.append(queue.messages.removeFirst()) }
                send(batch, to: consumer, remember: true)
            }
        }
    }

    /// What the consumer's credit covers beyond what is queued for it already.
    private func available(_ consumer: Consumer) -> Int {
        connections[consumer.connection]?.handler.inspect { $0.sendableCredit(on: consumer.link) } ?? 0
    }

    private func send(_ messages: [ByteBuffer], to consumer: Consumer, remember: Bool) {
        guard let handler = connections[consumer.connection]?.handler else { return }
        var deliveries: [(message: ByteBuffer, tag: ByteBuffer)] = []
        deliveries.reserveCapacity(messages.count)
        for message in messages {
            let tag = consumer.nextTag
            consumer.nextTag &+= 1
            if remember, !consumer.presettled { consumer.unsettled[tag] = message }
            deliveries.append((message, ByteBuffer(integer: tag)))
        }
        handler.perform { $0.send(deliveries, on: consumer.link, settled: consumer.presettled) }
    }

    /// A consumer is gone: what it had unsettled goes back to the front of its queue.
    private func retire(_ consumer: Consumer, from address: String) {
        guard let queue = queues[address] else { return }
        queue.consumers.removeAll { $0 === consumer }
        let pending = consumer.unsettled.sorted { $0.key < $1.key }.map(\.value)
        guard !pending.isEmpty else { return }
        for message in pending.reversed() { queue.messages.prepend(message) }
        dispatch(address)
    }
}
