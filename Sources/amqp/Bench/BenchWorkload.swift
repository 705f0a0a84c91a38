import AMQP
import AMQPCore
import NIOCore

/// What `amqp bench` sends: one body size, or the integration-event mix.
enum BenchSize: Hashable, Sendable, CustomStringConvertible, ExpressibleByArgument {
    case fixed(Int)
    /// Events as they come: 60% 256 B, 25% 1 KiB, 10% 8 KiB, 4% 32 KiB, 1% 64 KiB (the
    /// event limit), in a fixed interleaving (mean 3.2 KiB).
    case mix

    init?(argument: String) {
        if argument == "mix" {
            self = .mix
        } else if let bytes = Int(argument), bytes >= 0, bytes <= 1 << 20 {
            self = .fixed(bytes)
        } else {
            return nil
        }
    }

    var description: String {
        switch self {
        case .mix: return "mix"
        case .fixed(let bytes) where bytes >= 1024 && bytes % 1024 == 0: return "\(bytes / 1024) KiB"
        case .fixed(let bytes): return "\(bytes) B"
        }
    }

    /// The body sizes of one cycle of the workload.
    var cycle: [Int] {
        switch self {
        case .fixed(let bytes): return [bytes]
        case .mix:
            let weighted = [(256, 60), (1024, 25), (8192, 10), (32_768, 4), (65_536, 1)]
            var sizes: [Int] = []
            for (size, weight) in weighted { sizes += Array(repeating: size, count: weight) }
            // Spread the sizes out (a fixed stride through the cycle), so large ones do not bunch.
            return (0..<sizes.count).map { sizes[($0 * 37) % sizes.count] }
        }
    }

    /// The messages of one cycle, each encoded once.
    var messages: [ByteBuffer] {
        cycle.map { AMQPMessage(data: ByteBuffer(repeating: 0x65, count: $0)).encoded() }
    }

    var meanBodyBytes: Double {
        let sizes = cycle
        return Double(sizes.reduce(0, +)) / Double(sizes.count)
    }
}

import ArgumentParser

/// Encoded messages, cycling through a workload, until `count` are out or the deadline
/// passes (checked as the event loop asks for the next one).
struct BenchMessages: Sequence, Sendable {
    let cycle: [ByteBuffer]
    let count: Int
    let deadline: ContinuousClock.Instant

    struct Iterator: IteratorProtocol {
        let messages: BenchMessages
        var index = 0

        mutating func next() -> ByteBuffer? {
            guard index < messages.count else { return nil }
            if index % 64 == 0, ContinuousClock.now >= messages.deadline { return nil }
            defer { index += 1 }
            return messages.cycle[index % messages.cycle.count]
        }
    }

    func makeIterator() -> Iterator { Iterator(messages: self) }
}
