@_spi(RoundTripChecks) import AMQPCore
import FuzzSupport

/// libFuzzer entry point: `AMQPFrameDecoder` over a byte stream (see `AMQPRoundTripCheck.checkFrames`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFrameDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size, AMQPRoundTripCheck.checkFrames)
}
