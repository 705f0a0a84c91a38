@_spi(RoundTripChecks) import AMQPCore
import FuzzSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer entry point: `AMQPValue` (see `AMQPRoundTripCheck.checkValue`).
///
/// With `FUZZ_SELFTEST=1` in the environment every input first makes a deliberate heap
/// out-of-bounds read, which AddressSanitizer must report: `run.sh --selftest` uses this to
/// prove the binary really is instrumented.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValueDecoder(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if selfTestRequested { readOutOfBounds(size) }
    return fuzzOne(data, size, AMQPRoundTripCheck.checkValue)
}

private let selfTestRequested = getenv("FUZZ_SELFTEST").map { String(cString: $0) == "1" } ?? false
nonisolated(unsafe) private var sink: UInt8 = 0

/// Reads past the end of an 8-byte allocation (the index depends on the input so that the
/// optimizer cannot drop or fold the read).
@inline(never)
private func readOutOfBounds(_ size: Int) {
    let bytes = UnsafeMutablePointer<UInt8>.allocate(capacity: 8)
    bytes.initialize(repeating: 0, count: 8)
    sink &+= bytes[8 + size % 8]
    bytes.deallocate()
}
