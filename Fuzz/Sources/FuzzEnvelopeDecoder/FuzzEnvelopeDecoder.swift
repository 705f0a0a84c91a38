@_spi(RoundTripChecks) import OctopusEnvelope
import FuzzSupport

/// libFuzzer entry point: the input as an envelope and as a payload
/// (see `OctopusRoundTripCheck.checkEnvelope` and `checkPayload`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelopeDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size) { OctopusRoundTripCheck.checkEnvelope($0) ?? OctopusRoundTripCheck.checkPayload($0) }
}
