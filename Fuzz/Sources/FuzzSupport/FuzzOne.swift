import NIOCore

/// Runs `check` on one libFuzzer input. A violated invariant stops the process: libFuzzer
/// reports the input as a crash, which is the finding.
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int, _ check: (ByteBuffer) -> String?) -> CInt {
    let input = ByteBuffer(bytes: UnsafeBufferPointer(start: data, count: size))
    if let failure = check(input) { fatalError(failure) }
    return 0
}
