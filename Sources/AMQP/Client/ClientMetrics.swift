import Metrics

/// The client's counters and gauges (swift-metrics; the application bootstraps the backend).
struct ClientMetrics: Sendable {
    let messagesOut: Counter
    let bytesOut: Counter
    let messagesIn: Counter
    let bytesIn: Counter
    /// The last credit a peer granted one of our senders.
    let credit: Recorder
    /// Deliveries we sent that the peer has not settled.
    let unsettledOut: Meter
    /// Deliveries we received and have not settled.
    let unsettledIn: Meter
    /// Attempts to reconnect, and those that succeeded.
    let reconnectAttempts: Counter
    let reconnects: Counter

    init(prefix: String) {
        messagesOut = Counter(label: "\(prefix).messages.out")
        bytesOut = Counter(label: "\(prefix).bytes.out")
        messagesIn = Counter(label: "\(prefix).messages.in")
        bytesIn = Counter(label: "\(prefix).bytes.in")
        credit = Recorder(label: "\(prefix).link.credit")
        unsettledOut = Meter(label: "\(prefix).unsettled.out")
        unsettledIn = Meter(label: "\(prefix).unsettled.in")
        reconnectAttempts = Counter(label: "\(prefix).reconnect.attempts")
        reconnects = Counter(label: "\(prefix).reconnects")
    }
}

/// Counts gathered over one batch of events and reported once (swift-metrics calls cost more
/// than the counting).
struct PendingMetrics {
    var messagesIn = 0
    var bytesIn = 0
    var unsettledIn = 0
    var unsettledOutSettled = 0

    mutating func report(to metrics: ClientMetrics) {
        if messagesIn > 0 {
            metrics.messagesIn.increment(by: Int64(messagesIn))
            metrics.bytesIn.increment(by: Int64(bytesIn))
        }
        if unsettledIn > 0 { metrics.unsettledIn.increment(by: Double(unsettledIn)) }
        if unsettledOutSettled > 0 { metrics.unsettledOut.decrement(by: Double(unsettledOutSettled)) }
        self = PendingMetrics()
    }
}
