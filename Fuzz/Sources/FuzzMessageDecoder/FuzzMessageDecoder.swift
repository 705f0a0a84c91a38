@_spi(RoundTripChecks) import AMQPCore
import FuzzSupport

/// libFuzzer entry point: `AMQPMessageView` and `AMQPMessage` (see `AMQPRoundTripCheck.checkMessage`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessageDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzOne(data, size, AMQPRoundTripCheck.checkMessage)
}
