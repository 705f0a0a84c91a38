// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "swift-amqp",
    products: [
        .library(name: "AMQPCore", targets: ["AMQPCore"]),
        .library(name: "AMQPTLS", targets: ["AMQPTLS"]),
        .library(name: "AMQP", targets: ["AMQP"]),
        .library(name: "AMQPServiceBus", targets: ["AMQPServiceBus"]),
        .library(name: "AMQPWebSocket", targets: ["AMQPWebSocket"]),
        .library(name: "OctopusEnvelope", targets: ["OctopusEnvelope"]),
        .executable(name: "amqp", targets: ["amqp"]),
        .library(name: "AMQPBroker", targets: ["AMQPBroker"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
    ],
    targets: [
        .target(
            name: "AMQPCore",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "COpenSSL",
            linkerSettings: [.linkedLibrary("ssl"), .linkedLibrary("crypto")]
        ),
        .target(
            name: "AMQPTLS",
            dependencies: ["COpenSSL", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "AMQP",
            dependencies: [
                "AMQPCore",
                "AMQPTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        // Test support: a TCP proxy that injects faults (cuts, stalls, delays, one-way drops,
        // refused connects) between a client and a real peer. Used by the tests and `amqp
        // fault-proxy`; not a product.
        .target(
            name: "AMQPFaultProxy",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        .target(
            name: "AMQPServiceBus",
            dependencies: ["AMQP", "AMQPCore", "AMQPTLS", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .target(
            name: "AMQPWebSocket",
            dependencies: [
                "AMQPTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ]
        ),
        .target(
            name: "OctopusEnvelope",
            dependencies: ["AMQPCore", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .executableTarget(
            name: "amqp",
            dependencies: [
                "AMQPCore",
                "AMQP",
                "AMQPFaultProxy",
                "AMQPTLS",
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(
            name: "AMQPBroker",
            dependencies: [
                "AMQPCore",
                "AMQPTLS",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HeapModule", package: "swift-collections"),
            ]
        ),
        .testTarget(
            name: "AMQPBrokerTests",
            dependencies: ["AMQPBroker", "AMQPCore", "AMQPTLS", .product(name: "NIOCore", package: "swift-nio")]
        ),
        .testTarget(
            name: "AMQPCoreTests",
            dependencies: [
                "AMQPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOTestUtils", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "OctopusEnvelopeTests",
            dependencies: [
                "OctopusEnvelope", "AMQPCore",
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "AMQPTLSTests",
            dependencies: ["AMQPTLS"]
        ),
        .testTarget(
            name: "AMQPTests",
            dependencies: [
                "AMQP", "AMQPCore", "AMQPTLS", "AMQPFaultProxy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ]
        ),
        .testTarget(
            name: "AMQPServiceBusTests",
            dependencies: ["AMQPServiceBus", "AMQPCore", "AMQP", .product(name: "NIOCore", package: "swift-nio")],
            exclude: ["Fixtures"]
        ),
        .testTarget(
            name: "AMQPWebSocketTests",
            dependencies: [
                "AMQPWebSocket", "AMQP", "AMQPCore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
