import Foundation
import OrderedJSON
import Testing

@testable import Participants

/// A temporary directory for one test's participant scripts and the files they write.
final class Scratch: Sendable {
  let path: String

  init() throws {
    let base = FileManager.default.temporaryDirectory.path
    path = "\(base)/runner-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit {
    try? FileManager.default.removeItem(atPath: path)
  }

  /// Writes a `#!/bin/sh` script and makes it executable; returns its path.
  func script(_ name: String, _ body: String, executable: Bool = true) throws -> String {
    let file = "\(path)/\(name)"
    try ("#!/bin/sh\n" + body).write(toFile: file, atomically: true, encoding: .utf8)
    try FileManager.default.setAttributes([.posixPermissions: executable ? 0o755 : 0o644], ofItemAtPath: file)
    return file
  }

  func read(_ name: String) -> String? {
    try? String(contentsOfFile: "\(path)/\(name)", encoding: .utf8)
  }

  /// Waits (up to `limit`) until a script has written a pid to `name`.
  func waitForPID(_ name: String, limit: Duration = .seconds(10)) async throws -> Int32 {
    let deadline = ContinuousClock.now + limit
    while ContinuousClock.now < deadline {
      if let text = read(name), text.hasSuffix("\n"),
        let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines))
      {
        return pid
      }
      try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("the participant did not write \(name) within \(limit)")
    throw CancellationError()
  }
}

/// Whether `pid` is a live process: it exists and is not a zombie (a zombie is dead, merely not
/// reaped yet; in a container without an init that reaps orphans it may stay one).
func isAlive(_ pid: Int32) -> Bool {
  guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
    let close = stat.lastIndex(of: ")")
  else { return false }
  let state = stat[stat.index(close, offsetBy: 2)]
  return state != "Z" && state != "X"
}

/// Waits up to `limit` for `pid` to die (signals are delivered asynchronously).
func isGone(_ pid: Int32, within limit: Duration = .seconds(3)) async -> Bool {
  let deadline = ContinuousClock.now + limit
  while isAlive(pid) {
    guard ContinuousClock.now < deadline else { return false }
    try? await Task.sleep(for: .milliseconds(10))
  }
  return true
}

let identity = ParticipantIdentity(
  wfid: "20261123-0346-hijajuju-kaboda", expid: "0_0_1", participant: "notify_irc", attempt: 2)

/// A workitem of the §6.3 shape, with `padding` extra bytes in a field to make it large.
func workitemBytes(padding: Int = 0) -> [UInt8] {
  let filler = String(repeating: "x", count: padding)
  let json = """
    {"fields":{"ev":{"id":"12"},"params":{"msg":"hi 12","ref":"notify_irc"},"filler":"\(filler)"},\
    "fei":{"engine_id":"engine","wfid":"20261123-0346-hijajuju-kaboda","subid":"88f0","expid":"0_0_1"},\
    "participant_name":"notify_irc","wf_name":"BOSS_handle_SR","re_dispatch_count":0}
    """
  return Array(json.utf8)
}

/// Parses `bytes` (a participant's stdout, say) as JSON that must be an object.
func object(_ bytes: [UInt8]) throws -> JSONObject {
  try #require(JSONValue.parse(bytes: bytes).objectValue)
}

func request(
  _ path: String, workitem: [UInt8] = workitemBytes(), scratch: Scratch? = nil, timeout: Duration? = nil,
  cancellation: ParticipantCancellation = ParticipantCancellation()
) -> ParticipantRun {
  ParticipantRun(
    executablePath: path, workitem: workitem, identity: identity,
    environment: scratch.map { ["TEST_DIR": $0.path] } ?? [:], timeout: timeout, cancellation: cancellation)
}

extension Duration {
  var seconds: Double {
    let (whole, atto) = components
    return Double(whole) + Double(atto) / 1e18
  }
}
