import Foundation
import NIOCore
import Testing

@_spi(RoundTripChecks) @testable import AMQPCore

/// Replays the fuzzers' inputs in-process: every file in `Fuzz/FailCases/<Target>/` (inputs
/// that once crashed a fuzz target or broke its invariant) and in `Fuzz/Seeds/<Target>/`.
///
/// The checks are the fuzz targets' own (`AMQPRoundTripCheck`). A decoding error is fine; what
/// decodes must re-encode, and the re-encoding must decode to an equal value.
@Suite struct FailCaseReplayTests {
    struct Input: CustomTestStringConvertible, Sendable {
        var target: String
        var path: String
        var testDescription: String { path }
    }

    static let targets = ["FuzzFrameDecoder", "FuzzValueDecoder", "FuzzMessageDecoder"]
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(in folder: String) -> [Input] {
        targets.flatMap { target in
            let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
            return names.filter { !$0.hasPrefix(".") }.sorted().map {
                Input(target: target, path: "\(folder)/\(target)/\($0)")
            }
        }
    }

    @Test func failCaseFoldersExist() {
        for target in Self.targets {
            let keep = Self.fuzzDirectory.appendingPathComponent("FailCases/\(target)/.keep")
            #expect(FileManager.default.fileExists(atPath: keep.path), "missing \(keep.path)")
        }
    }

    @Test(arguments: inputs(in: "FailCases"))
    func failCaseRoundTrips(_ input: Input) throws {
        try replay(input)
    }

    @Test(arguments: inputs(in: "Seeds"))
    func seedRoundTrips(_ input: Input) throws {
        try replay(input)
    }

    func replay(_ input: Input) throws {
        let bytes = try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(input.path))
        let buffer = ByteBuffer(bytes: bytes)
        let failure: String?
        switch input.target {
        case "FuzzValueDecoder": failure = AMQPRoundTripCheck.checkValue(buffer)
        case "FuzzFrameDecoder": failure = AMQPRoundTripCheck.checkFrames(buffer)
        default: failure = AMQPRoundTripCheck.checkMessage(buffer)
        }
        #expect(failure == nil, "\(input.path): \(failure ?? "")")
    }
}
