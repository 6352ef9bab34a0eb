/// Collects stdout up to a limit, counting (and discarding) what comes beyond it, so a runaway
/// participant cannot exhaust memory while it is still drained and never blocks on a full pipe.
struct ReplyCapture: Sendable {
  let limit: Int
  private(set) var bytes: [UInt8] = []
  private(set) var totalBytes = 0

  init(limit: Int) {
    self.limit = limit
  }

  mutating func append(_ chunk: UnsafeRawBufferPointer) {
    totalBytes += chunk.count
    let room = limit - bytes.count
    if room > 0 { bytes.append(contentsOf: chunk.prefix(room)) }
  }
}

/// Keeps the last `limit` bytes written to stderr and the total count.
struct TailCapture: Sendable {
  let limit: Int
  private var buffer: [UInt8] = []
  private(set) var totalBytes = 0

  init(limit: Int) {
    self.limit = limit
  }

  mutating func append(_ chunk: UnsafeRawBufferPointer) {
    totalBytes += chunk.count
    if chunk.count >= limit {
      buffer = Array(chunk.suffix(limit))
      return
    }
    buffer.append(contentsOf: chunk)
    // Trim only when twice the limit is reached, so trimming is amortised O(1) per byte.
    if buffer.count >= 2 * limit { buffer.removeFirst(buffer.count - limit) }
  }

  /// The last `limit` bytes.
  var tail: [UInt8] { Array(buffer.suffix(limit)) }
}
