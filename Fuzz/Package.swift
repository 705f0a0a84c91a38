// swift-tools-version: 6.1
// libFuzzer targets for AMQPCore's and OctopusEnvelope's decoders. Kept out of the root package so
// that users never build them. Build and run with `Fuzz/run.sh` (see the toolchain notes for the exact flags).
import PackageDescription

let amqpCore = Target.Dependency.product(name: "AMQPCore", package: "swift-amqp")
let octopusEnvelope = Target.Dependency.product(name: "OctopusEnvelope", package: "swift-amqp")

let package = Package(
    name: "swift-amqp-fuzz",
    dependencies: [
        // `name:` is required: SwiftPM names a path dependency after its folder otherwise.
        .package(name: "swift-amqp", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .target(
            name: "FuzzSupport",
            dependencies: [
                .product(name: "AMQPCore", package: "swift-amqp"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .executableTarget(name: "FuzzFrameDecoder", dependencies: ["FuzzSupport", amqpCore]),
        .executableTarget(name: "FuzzValueDecoder", dependencies: ["FuzzSupport", amqpCore]),
        .executableTarget(name: "FuzzMessageDecoder", dependencies: ["FuzzSupport", amqpCore]),
        .executableTarget(name: "FuzzEnvelopeDecoder", dependencies: ["FuzzSupport", octopusEnvelope]),
    ],
    swiftLanguageModes: [.v6]
)
