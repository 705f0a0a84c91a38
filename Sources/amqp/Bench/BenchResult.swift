import Foundation

/// One scenario's measurements.
struct BenchResult: Sendable, Codable {
    var mode: String
    var size: String
    var settlement: String
    var connections: Int
    var links: Int
    var messages: Int
    var seconds: Double
    var bytes: Double
    var cpuSeconds: Double
    /// Send → settle, in microseconds (nil for a receiver alone).
    var p50: Double?
    var p99: Double?
    var p999: Double?
    var error: String?

    var messagesPerSecond: Double { seconds > 0 ? Double(messages) / seconds : 0 }
    var megabytesPerSecond: Double { seconds > 0 ? bytes / seconds / 1e6 : 0 }
    var cpuMicrosecondsPerMessage: Double { messages > 0 ? cpuSeconds * 1e6 / Double(messages) : 0 }

    enum CodingKeys: String, CodingKey {
        case mode, size, settlement, connections, links, messages, seconds, bytes
        case cpuSeconds = "cpu_seconds", p50 = "latency_p50_us", p99 = "latency_p99_us", p999 = "latency_p999_us", error
    }

    /// Percentiles of latencies (nanoseconds), in microseconds.
    mutating func setLatencies(_ nanoseconds: [UInt64]) {
        guard !nanoseconds.isEmpty else { return }
        let sorted = nanoseconds.sorted()
        func at(_ fraction: Double) -> Double {
            Double(sorted[min(Int((Double(sorted.count) * fraction).rounded(.up)) - 1, sorted.count - 1)]) / 1000
        }
        p50 = at(0.5)
        p99 = at(0.99)
        p999 = at(0.999)
    }

    static let header = "| mode | size | settlement | conn×links | msgs/s | MB/s | CPU µs/msg | p50 ms | p99 ms | p99.9 ms |\n"
        + "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |"

    var row: String {
        func milliseconds(_ micros: Double?) -> String { micros.map { String(format: "%.2f", $0 / 1000) } ?? "–" }
        let tail = error.map { " error: \($0)" } ?? ""
        return "| \(mode) | \(size) | \(settlement) | \(connections)×\(links) | \(Int(messagesPerSecond)) | "
            + String(format: "%.1f", megabytesPerSecond) + " | " + String(format: "%.2f", cpuMicrosecondsPerMessage)
            + " | \(milliseconds(p50)) | \(milliseconds(p99)) | \(milliseconds(p999)) |\(tail)"
    }
}
