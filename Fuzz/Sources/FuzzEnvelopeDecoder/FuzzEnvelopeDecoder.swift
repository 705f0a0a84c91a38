@_spi(RoundTripChecks) import OctopusEnvelope
import FuzzSupport

/// libFuzzer entry point: the input as an envelope, as a payload, and as the sections before
/// an envelope body (see `OctopusRoundTripCheck.checkEnvelope`, `checkPayload`, `checkProperties`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelopeDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size) { input in
        OctopusRoundTripCheck.checkEnvelope(input) ?? OctopusRoundTripCheck.checkPayload(input)
            ?? OctopusRoundTripCheck.checkProperties(input)
    }
}
