import AMQPCore
import Benchmark
import NIOCore
import OctopusEnvelope

// OctopusEnvelope benchmarks: the envelope codec on the receive and send paths, at a 1 KiB
// payload (a typical event) and a 64 KiB one (the Good Event Test's limit). Inputs are built
// in `setup:`, so only the codec is measured; `scalingFactor` operations per sample.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 3,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 1_000
    )

    for (label, size) in [("1KiB", 1024), ("64KiB", 65536)] {
        // Receive: validate the envelope, record where its fields lie, slice the payload.
        Benchmark("envelope decode view \(label)") { benchmark, json in
            for _ in benchmark.scaledIterations {
                let view = try! OctopusEnvelopeView(decoding: json)
                blackHole(view.hasType(EnvelopeFixtures.eventType))
                blackHole(view.payload.readableBytes)
            }
        } setup: {
            EnvelopeFixtures.envelope(payloadSize: size).encoded()
        }

        // Receive from a transfer's payload: message sections, then the envelope, with the
        // properties checked against it (message-id, subject, content-type).
        Benchmark("envelope from message \(label)") { benchmark, message in
            for _ in benchmark.scaledIterations {
                let view = try! OctopusEnvelopeView(message: AMQPMessageView(decoding: message))
                blackHole(view.payload.readableBytes)
            }
        } setup: {
            EnvelopeFixtures.envelope(payloadSize: size).encodedMessage()
        }

        // Send: the whole AMQP message into a reused buffer (the payload copied once).
        Benchmark("envelope encode message \(label)") { benchmark, envelope in
            var out = ByteBuffer()
            out.reserveCapacity(size + 1024)
            benchmark.startMeasurement()
            for _ in benchmark.scaledIterations {
                out.clear()
                envelope.encodeMessage(into: &out)
                blackHole(out.readableBytes)
            }
        } setup: {
            EnvelopeFixtures.envelope(payloadSize: size)
        }

        // Build: every field checked, the payload validated.
        Benchmark("envelope build \(label)") { benchmark, payload in
            for _ in benchmark.scaledIterations {
                blackHole(try! EnvelopeFixtures.build(payload: payload))
            }
        } setup: {
            EnvelopeFixtures.payload(size: size)
        }
    }

    // Owned envelope: the six fields become strings.
    Benchmark("envelope decode owned 1KiB") { benchmark, json in
        for _ in benchmark.scaledIterations {
            blackHole(try! OctopusEnvelope(decoding: json))
        }
    } setup: {
        EnvelopeFixtures.envelope(payloadSize: 1024).encoded()
    }

    // Typed payloads through Codable (a small event, as most are).
    Benchmark("payload decode Codable") { benchmark, payload in
        for _ in benchmark.scaledIterations {
            blackHole(try! OctopusPayloadDecoder().decode(SubscriptionCreatedV1Event.self, from: payload))
        }
    } setup: {
        try! OctopusPayloadEncoder().encode(EnvelopeFixtures.event)
    }

    Benchmark("payload encode Codable") { benchmark, event in
        var out = ByteBuffer()
        out.reserveCapacity(1024)
        benchmark.startMeasurement()
        for _ in benchmark.scaledIterations {
            out.clear()
            try! OctopusPayloadEncoder().encode(event, into: &out)
            blackHole(out.readableBytes)
        }
    } setup: {
        EnvelopeFixtures.event
    }
}

struct SubscriptionCreatedV1Event: OctopusEvent, Codable {
    static let eventType = "SubscriptionCreatedV1"
    var licenseKey: String
    var subscriptionID: String
    var seats: Int
    var plan: String
    var startsOnUtc: String
    var trial: Bool
}

enum EnvelopeFixtures {
    static let eventType = "SubscriptionCreatedV1"

    static let event = SubscriptionCreatedV1Event(
        licenseKey: "LK-8a52c8af-2408-486f-ba4a-d277079de2b0", subscriptionID: "sub-000123456", seats: 25,
        plan: "professional", startsOnUtc: "2021-11-08T00:00:00Z", trial: false)

    /// A JSON object of `size` bytes: an array of small records, like a carried-state event.
    static func payload(size: Int) -> ByteBuffer {
        let record = #"{"sku":"ABC-123","qty":2,"price":12.5,"note":"lorem ipsum dolor","active":true}"#
        var text = #"{"licenseKey":"LK-8a52c8af","items":["#
        while text.utf8.count + record.utf8.count + 3 < size {
            if !text.hasSuffix("[") { text += "," }
            text += record
        }
        text += "]"
        text += "," + #""pad":""# + String(repeating: "x", count: max(0, size - text.utf8.count - 10)) + #""}"#
        return ByteBuffer(string: text)
    }

    static func build(payload: ByteBuffer) throws -> OctopusEnvelope {
        try OctopusEnvelope(
            id: "SubscriptionCreated-licensekey-8a52c8af-2408-486f-ba4a-d277079de2b0", source: "Octofront",
            type: eventType, occurredTimeUTC: "2021-11-08T12:33:00Z",
            activityID: "00-15c3886877ecbd4a95b8b031cd7fbb46-c5fe780fb33bb443-00", payload: payload)
    }

    static func envelope(payloadSize: Int) -> OctopusEnvelope { try! build(payload: payload(size: payloadSize)) }
}
