import Foundation
import OBSEvents
import OrderedJSON

/// The sample events of spec obs-events §3, kept in examples/events/.
enum Samples {
  static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../examples/events").standardized

  static func bytes(_ name: String) throws -> [UInt8] {
    let url = try require(
      (try FileManager.default.contentsOfDirectory(atPath: directory.path)).first { $0.hasPrefix(name) }
        .map { directory.appendingPathComponent($0) })
    return Array(try Data(contentsOf: url))
  }

  /// Decodes a sample with a fixed bus clock, so adapted events are reproducible.
  static func event(_ name: String) throws -> OBSEvent {
    try EventDecoder(bus: MessageBusAdapter(clock: { 1_700_000_000 })).decode(bytes: bytes(name))
  }
}

func require<T>(_ value: T?, _ message: String = "value was nil") throws -> T {
  guard let value else { throw TestFailure(message) }
  return value
}

struct TestFailure: Error, CustomStringConvertible {
  let description: String
  init(_ description: String) { self.description = description }
}
