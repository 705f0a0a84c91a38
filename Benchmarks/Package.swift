// swift-tools-version: 6.1
import PackageDescription

// Benchmarks live in their own package so that users of swift-amqp never resolve or build
// package-benchmark. Run from this folder: `swift package benchmark --no-progress`.
//
// The benchmark plugin runs every executable target whose folder sits directly in this
// package's `Benchmarks`-named folder (`CodecBenchmarks/`, `EnvelopeBenchmarks/`). `CodecTimer` lives under
// `Sources/`, so the plugin leaves it alone; `Scripts/bench-codec-vs-proton.sh` builds it.
let package = Package(
    name: "swift-amqp-benchmarks",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "swift-amqp", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "CodecBenchmarks",
            dependencies: [
                .product(name: "AMQPCore", package: "swift-amqp"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "CodecBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        .executableTarget(
            name: "EnvelopeBenchmarks",
            dependencies: [
                .product(name: "AMQPCore", package: "swift-amqp"),
                .product(name: "OctopusEnvelope", package: "swift-amqp"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "EnvelopeBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
        // A plain timing program with codec_bench's command line, for the side-by-side run
        // against Proton C (Scripts/bench-codec-vs-proton.sh). Not a package-benchmark target.
        .executableTarget(
            name: "CodecTimer",
            dependencies: [
                .product(name: "AMQPCore", package: "swift-amqp"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Sources/CodecTimer"
        ),
    ],
    swiftLanguageModes: [.v6]
)
