import AMQPCore
import NIOCore
import Testing
@testable import AMQPBroker

/// Random command sequences against a model of what must hold whatever happens.
@Suite("Broker invariants under random commands")
struct BrokerPropertyTests {
    static let configuration = #"""
    "Queues": [
        {"Name": "f", "Properties": {"ForwardTo": "q"}},
        {"Name": "q", "Properties": {"MaxDeliveryCount": 3, "RequiresDuplicateDetection": true, "DuplicateDetectionHistoryTimeWindow": "PT20S",
                                     "DefaultMessageTimeToLive": "PT2M", "DeadLetteringOnMessageExpiration": true, "LockDuration": "PT10S"}},
        {"Name": "s", "Properties": {"RequiresSession": true, "LockDuration": "PT10S", "MaxDeliveryCount": 3, "DeadLetteringOnMessageExpiration": true}}],
    "Topics": [{"Name": "t", "Subscriptions": [
        {"Name": "a", "Properties": {"LockDuration": "PT10S", "MaxDeliveryCount": 2, "DeadLetteringOnMessageExpiration": true, "DefaultMessageTimeToLive": "PT1M"}},
        {"Name": "b", "Properties": {"LockDuration": "PT5S", "DeadLetteringOnMessageExpiration": true},
         "Rules": [{"Name": "red", "Properties": {"FilterType": "Correlation", "CorrelationFilter": {"Properties": {"color": "red"}}}}]}]}]
    """#

    /// Entities that hold messages (each with its dead-letter queue).
    static let entities = ["q", "s", "t/Subscriptions/a", "t/Subscriptions/b"]
    static let addresses = entities + entities.map { "\($0)/$DeadLetterQueue" } + ["f", "f/$DeadLetterQueue"]

    struct Outstanding {
        var entity: String
        var address: String
        var number: Int64
        var receiver: BrokerReceiverID
        var lockedUntil: AMQPTimestamp
        var session: Bool
    }

    struct Model {
        var state: BrokerState
        var rng: SplitMix64
        var now = at(0)
        var nextNumber: Int64 = 1
        /// (entity, message number) pairs that must exist somewhere or be completed.
        var expected: Set<String> = []
        var completed: Set<String> = []
        var lastIDTime: [String: AMQPTimestamp] = [:]
        var lastSequence: [String: Int64] = [:]
        var receivers: [BrokerReceiverID] = []
        var outstanding: [AMQPUUID: Outstanding] = [:]
        var sequenceOf: [String: Int64] = [:]
        /// The stores rebuilt from the journal alone.
        var replica: [String: [Int64: BrokerMessage]] = [:]

        mutating func pick<T>(_ items: [T]) -> T? { items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))] }
        mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

        static func entity(of source: String) -> String {
            source.hasSuffix("/$DeadLetterQueue") ? String(source.dropLast("/$DeadLetterQueue".count)) : source
        }

        static func number(_ message: BrokerMessage) -> Int64? {
            if case .long(let n) = message.applicationProperties[string: "n"] { return n }
            return nil
        }

        mutating func absorb(_ actions: BrokerActions) {
            #expect(actions.droppedMessages == 0)
            for delivery in actions.deliveries { absorb(delivery) }
        }

        mutating func absorb(_ delivery: BrokerDelivery) {
            let entity = Model.entity(of: delivery.source)
            guard let n = Model.number(delivery.message) else { Issue.record("delivery without n"); return }
            let key = "\(entity)#\(n)"
            #expect(expected.contains(key), "delivered \(key) never sent there")
            #expect(!completed.contains(key), "delivered \(key) after completion")
            // A message is never locked twice at once: older tokens for it must be dead.
            for (token, other) in outstanding where other.entity == entity && other.number == n {
                #expect(other.lockedUntil <= now || other.session, "\(key) delivered while locked")
                outstanding[token] = nil
            }
            // Its sequence number in a store never changes.
            let storeKey = "\(delivery.source)#\(n)"
            if let seq = sequenceOf[storeKey] { #expect(seq == delivery.message.sequenceNumber) }
            sequenceOf[storeKey] = delivery.message.sequenceNumber
            if let token = delivery.lockToken, let until = delivery.message.lockedUntil, let receiver = delivery.receiver {
                outstanding[token] = Outstanding(entity: entity, address: delivery.source, number: n, receiver: receiver,
                                                 lockedUntil: until, session: entity == "s")
            } else if delivery.lockToken == nil {
                completed.insert(key)
            }
        }

        mutating func send() {
            let target = pick(["q", "q", "t", "s", "f"]) ?? "q"
            let n = nextNumber
            nextNumber += 1
            var properties: AMQPMap = ["n": .long(n)]
            if chance(50) { properties.entries.append(AMQPMap.Entry(key: "color", value: "red")) }
            let id = target == "q" && chance(40) ? "id\(rng.next() % 6)" : nil
            let session = target == "s" ? pick(["S1", "S2", "S3"]) : nil
            let ttl: UInt32? = chance(20) ? UInt32(1000 + rng.next() % 60_000) : nil
            let scheduled: AMQPTimestamp? = chance(15) ? now.adding(milliseconds: Int64(rng.next() % 30_000)) : nil
            let bytes = payload("m\(n)", id: id, session: session, ttl: ttl, scheduledAt: scheduled, properties: properties)
            do {
                let result = try state.send(bytes, to: target, now: now)
                switch result.outcome {
                case .duplicate:
                    let last = id.flatMap { lastIDTime[$0] }
                    #expect(last != nil && now.millisecondsSince1970 - last!.millisecondsSince1970 < 20_000, "unexpected duplicate")
                case .accepted(let seq):
                    if let id {
                        let last = lastIDTime[id]
                        #expect(last == nil || now.millisecondsSince1970 - last!.millisecondsSince1970 >= 20_000, "missed duplicate")
                        lastIDTime[id] = now
                    }
                    // "f" forwards to "q": numbered by "q".
                    let numbering = target == "f" ? "q" : target
                    #expect(seq > (lastSequence[numbering] ?? 0), "sequence numbers must increase")
                    lastSequence[numbering] = seq
                    if target == "t" {
                        expected.insert("t/Subscriptions/a#\(n)")
                        if properties[string: "color"] != nil { expected.insert("t/Subscriptions/b#\(n)") }
                    } else {
                        expected.insert("\(numbering)#\(n)")
                    }
                }
                absorb(result.actions)
            } catch {
                Issue.record("send failed: \(error)")
            }
        }

        mutating func attach() {
            guard receivers.count < 6, let address = pick(BrokerPropertyTests.addresses) else { return }
            let mode: BrokerReceiveMode = chance(25) ? .receiveAndDelete : .peekLock
            let session: BrokerSessionRequest = address == "s" ? (chance(50) ? .nextAvailable : .id(pick(["S1", "S2", "S3"]) ?? "S1")) : .none
            do {
                let attached = try state.attachReceiver(to: address, mode: mode, session: session, now: now)
                receivers.append(attached.id)
                absorb(try state.addCredit(Int(rng.next() % 5), to: attached.id, now: now))
            } catch {
                #expect(error.code == .noSessionAvailable || error.code == .sessionCannotBeLocked, "\(error)")
            }
        }

        mutating func settle() {
            guard let token = pick(Array(outstanding.keys).sorted { ($0.high, $0.low) < ($1.high, $1.low) }), let lock = outstanding[token] else { return }
            let isDeadLetter = lock.address.hasSuffix("$DeadLetterQueue")
            let disposition: BrokerDisposition
            switch rng.next() % 4 {
            case 0: disposition = .complete
            case 1: disposition = .abandon(propertiesToModify: ["touched": true])
            case 2: disposition = .defer()
            default: disposition = isDeadLetter ? .complete : .deadLetter(reason: "test", description: "random")
            }
            do {
                let actions = chance(50) && receivers.contains(lock.receiver)
                    ? try state.settle(token, receiver: lock.receiver, disposition, now: now)
                    : try state.settle(lockTokens: [token], at: lock.address, disposition, now: now)
                outstanding[token] = nil
                if disposition == .complete { completed.insert("\(lock.entity)#\(lock.number)") }
                absorb(actions)
            } catch {
                // Only a lock that ended may be lost.
                let allowed = lock.lockedUntil <= now || lock.session
                #expect(allowed, "settling a live lock failed: \(error)")
                outstanding[token] = nil
            }
        }

        mutating func receiveDeferred() {
            guard let address = pick(BrokerPropertyTests.addresses),
                  let deferred = try? state.peek(at: address, fromSequenceNumber: 0, count: 1000).filter({ $0.state == .deferred && $0.lockedUntil == nil }),
                  let message = pick(deferred) else { return }
            let mode: BrokerReceiveMode = chance(50) ? .peekLock : .receiveAndDelete
            do {
                let (deliveries, actions) = try state.receiveDeferred([message.sequenceNumber], at: address, mode: mode, now: now)
                // A deferred message past its time to live expires instead of being returned.
                #expect(deliveries.count <= 1)
                for delivery in deliveries {
                    guard let n = Model.number(delivery.message) else { continue }
                    let entity = Model.entity(of: delivery.source)
                    if let token = delivery.lockToken, let until = delivery.message.lockedUntil {
                        // Settled through $management only: no receiver; use a placeholder id for the model.
                        outstanding[token] = Outstanding(entity: entity, address: delivery.source, number: n,
                                                         receiver: BrokerReceiverID(rawValue: 0), lockedUntil: until, session: entity == "s")
                    } else {
                        completed.insert("\(entity)#\(n)")
                    }
                }
                absorb(actions)
            } catch {
                // A session's deferred messages need the session's lock.
                #expect(address == "s" && error.code == .sessionLockLost, "receive deferred failed: \(error)")
            }
        }

        mutating func step() {
            switch rng.next() % 100 {
            case 0..<30: send()
            case 30..<38: attach()
            case 38..<50:
                if let id = pick(receivers) { absorb((try? state.addCredit(Int(rng.next() % 4), to: id, now: now)) ?? BrokerActions()) }
            case 50..<53:
                if let id = pick(receivers) {
                    receivers.removeAll { $0 == id }
                    absorb(state.detachReceiver(id, now: now))
                    // A session receiver's locks die with its session.
                    for (token, lock) in outstanding where lock.receiver == id && lock.session { outstanding[token] = nil }
                }
            case 53..<75: settle()
            case 75..<79: receiveDeferred()
            case 79..<82:
                if let token = pick(Array(outstanding.keys).sorted { ($0.high, $0.low) < ($1.high, $1.low) }), let lock = outstanding[token],
                   let expiries = try? state.renewLocks([token], at: lock.address, now: now) {
                    outstanding[token]?.lockedUntil = expiries.first ?? lock.lockedUntil
                }
            default:
                now = now.adding(milliseconds: Int64(rng.next() % 8000))
                let actions = state.tick(now: now)
                for lost in actions.sessionLocksLost {
                    receivers.removeAll { $0 == lost }
                    absorb(state.detachReceiver(lost, now: now))
                }
                absorb(actions)
            }
        }

        /// Applies the journal; what it rebuilds must equal the broker's stores.
        mutating func checkJournal() {
            for mutation in state.takeMutations() {
                switch mutation {
                case .enqueued(let store, let message), .updated(let store, let message):
                    replica[store, default: [:]][message.sequenceNumber] = message
                case .removed(let store, let seq):
                    #expect(replica[store]?[seq] != nil, "journal removes \(store)#\(seq) it never added")
                    replica[store]?[seq] = nil
                case .duplicateDetectionRecorded, .sessionStateSet:
                    break
                }
            }
            for store in state.stores.values {
                let copy = replica[store.displayName] ?? [:]
                #expect(Set(copy.keys) == Set(store.messages.keys), "journal of \(store.displayName) disagrees")
                for (seq, message) in store.messages {
                    guard let replayed = copy[seq] else { continue }
                    #expect(replayed.state == message.state && replayed.deliveryCount == message.deliveryCount
                            && replayed.lockToken == message.lockToken && replayed.lockedUntil == message.lockedUntil
                            && replayed.expiresAt == message.expiresAt && replayed.enqueuedTime == message.enqueuedTime
                            && replayed.applicationProperties == message.applicationProperties,
                            "journal of \(store.displayName)#\(seq) disagrees")
                }
            }
        }

        /// Every message sent is in exactly one place: a store (active, locked, deferred,
        /// scheduled; its entity's or its dead-letter queue) or completed.
        func checkConservation() {
            var seen: [String: Int] = [:]
            for address in BrokerPropertyTests.addresses {
                guard let messages = try? state.peek(at: address, fromSequenceNumber: 0, count: 1000) else {
                    Issue.record("peek \(address) failed"); continue
                }
                var previous: Int64 = 0
                for message in messages {
                    #expect(message.sequenceNumber > previous)
                    previous = message.sequenceNumber
                    guard let n = Model.number(message) else { Issue.record("message without n"); continue }
                    seen["\(Model.entity(of: address))#\(n)", default: 0] += 1
                }
                if let counts = try? state.messageCounts(at: address) {
                    #expect(counts.active + counts.locked + counts.deferred + counts.scheduled == messages.count)
                }
            }
            // A topic holds its scheduled messages until they fan out.
            for message in state.stores[StoreKey(entity: "t", deadLetter: false)]?.messages.values ?? [:].values {
                guard let n = Model.number(message) else { continue }
                seen["t/Subscriptions/a#\(n)", default: 0] += 1
                if message.applicationProperties[string: "color"] != nil { seen["t/Subscriptions/b#\(n)", default: 0] += 1 }
            }
            for key in expected {
                let count = (seen[key] ?? 0) + (completed.contains(key) ? 1 : 0)
                #expect(count == 1, "\(key) is in \(count) places")
            }
            for key in seen.keys where !expected.contains(key) { Issue.record("\(key) appeared from nowhere") }
            for (_, receiver) in state.receivers {
                #expect(receiver.credit >= 0 && receiver.unsettled.count <= state.limits.maxUnsettledPerReceiver)
            }
        }
    }

    @Test(arguments: 0..<40)
    func randomCommandSequencesKeepInvariants(batch: Int) throws {
        let parsed = try config(Self.configuration)
        for run in 0..<50 {
            let seed = UInt64(batch * 1000 + run)
            let state = try BrokerState(configuration: parsed, lockTokens: RandomLockTokens(SplitMix64(seed: seed)))
            var model = Model(state: state, rng: SplitMix64(seed: seed))
            model.state.isJournaling = true
            for step in 0..<60 {
                model.step()
                if step % 6 == 5 {
                    model.checkConservation()
                    model.checkJournal()
                }
            }
            // Drain: time passes well beyond every lock, schedule and TTL.
            for _ in 0..<3 {
                model.now = model.now.adding(milliseconds: 120_000)
                model.absorb(model.state.tick(now: model.now))
            }
            model.checkConservation()
            model.checkJournal()
        }
    }
}
