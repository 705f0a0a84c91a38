import Foundation
import NIOCore
import Testing
@_spi(RoundTripChecks) import OctopusEnvelope

/// Replays the envelope fuzz target's inputs in-process: every file in
/// `Fuzz/FailCases/FuzzEnvelopeDecoder/` and `Fuzz/Seeds/FuzzEnvelopeDecoder/`, through the
/// target's own checks (`OctopusRoundTripCheck`).
@Suite struct EnvelopeFailCaseReplayTests {
    static let target = "FuzzEnvelopeDecoder"
    static let fuzzDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fuzz")

    static func inputs(in folder: String) -> [String] {
        let directory = fuzzDirectory.appendingPathComponent(folder).appendingPathComponent(target)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return names.filter { !$0.hasPrefix(".") }.sorted().map { "\(folder)/\(target)/\($0)" }
    }

    @Test func theFoldersExist() {
        #expect(FileManager.default.fileExists(atPath: Self.fuzzDirectory.appendingPathComponent("FailCases/\(Self.target)/.keep").path))
        #expect(Self.inputs(in: "Seeds").count >= 10)
    }

    @Test(arguments: inputs(in: "FailCases") + inputs(in: "Seeds"))
    func replay(_ path: String) throws {
        let buffer = ByteBuffer(bytes: try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(path)))
        let failure = OctopusRoundTripCheck.checkEnvelope(buffer) ?? OctopusRoundTripCheck.checkPayload(buffer)
            ?? OctopusRoundTripCheck.checkProperties(buffer)
        #expect(failure == nil, "\(path): \(failure ?? "")")
    }

    @Test func theSeedsCoverAcceptedAndRejectedInput() throws {
        var accepted = 0
        for path in Self.inputs(in: "Seeds") {
            let buffer = ByteBuffer(bytes: try Data(contentsOf: Self.fuzzDirectory.appendingPathComponent(path)))
            if (try? OctopusEnvelopeView(decoding: buffer)) != nil { accepted += 1 }
        }
        #expect(accepted >= 8 && accepted < Self.inputs(in: "Seeds").count)
    }

    @Test func randomEnvelopesHoldTheInvariants() {
        var generator = SeededGenerator(seed: 23)
        for _ in 0..<300 {
            let json = envelopeJSON(["payload": RandomJSON.object(depth: 0, using: &generator),
                                     "id": RandomJSON.quoted(RandomJSON.text(using: &generator, nonEmpty: true), using: &generator)])
            let failure = OctopusRoundTripCheck.checkEnvelope(buffer(json)) ?? OctopusRoundTripCheck.checkPayload(buffer(json))
            #expect(failure == nil, "\(json): \(failure ?? "")")
            // Corrupt a byte: still no invariant may break.
            var bytes = Array(json.utf8)
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
            let corrupted = ByteBuffer(bytes: bytes)
            let second = OctopusRoundTripCheck.checkEnvelope(corrupted) ?? OctopusRoundTripCheck.checkPayload(corrupted)
            #expect(second == nil, "\(bytes): \(second ?? "")")
        }
    }
}
