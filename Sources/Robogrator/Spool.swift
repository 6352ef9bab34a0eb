import Foundation
import OBSEvents
import ProcessStore

/// The spool folder (`/srv/BOSS/spool`): event files dropped by OBS-side
/// scripts. A file is handled once, then moved out of the way: into
/// `rejected/` with a `.why` file beside it when it cannot be read as an event.
public struct Spool: Sendable {
  public let directory: String
  public var decoder: EventDecoder

  public init(directory: String, decoder: EventDecoder = EventDecoder()) {
    self.directory = directory
    self.decoder = decoder
  }

  public var rejectedDirectory: String { directory + "/rejected" }

  /// What reading one spool file gave.
  public enum Entry: Sendable {
    case event(OBSEvent)
    /// Not an event at all (bus metrics); drop it.
    case ignored(reason: String)
    case rejected(reason: String)
  }

  /// The routing key carried in a file name `KEY@ANYTHING.json`, for bare bus bodies.
  public static func routingKey(fromFileName name: String) -> String? {
    guard let at = name.firstIndex(of: "@"), at != name.startIndex else { return nil }
    return String(name[..<at])
  }

  /// Event files waiting in the spool, oldest name first (temporary and hidden files are skipped).
  public func pendingFiles() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
    return names.filter { $0.hasSuffix(".json") && !$0.hasPrefix(".") }.sorted()
  }

  /// Reads and decodes one spool file.
  public func read(_ name: String) -> Entry {
    let path = directory + "/" + name
    guard let data = FileManager.default.contents(atPath: path) else {
      return .rejected(reason: "cannot read \(path)")
    }
    do {
      return .event(try decoder.decode(bytes: Array(data), routingKey: Spool.routingKey(fromFileName: name)))
    } catch .notAnEvent(let what) {
      return .ignored(reason: "\(what)")
    } catch {
      return .rejected(reason: error.description)
    }
  }

  /// Moves a file that cannot be used to `rejected/`, with the reason in `NAME.why`.
  public func reject(_ name: String, reason: String) throws {
    try FileManager.default.createDirectory(atPath: rejectedDirectory, withIntermediateDirectories: true)
    let target = rejectedDirectory + "/" + name
    if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
    try FileManager.default.moveItem(atPath: directory + "/" + name, toPath: target)
    try Data((reason + "\n").utf8).write(to: URL(fileURLWithPath: target + ".why"), options: .atomic)
  }

  /// Moves a handled file to `folder/` inside the spool (kept, never deleted, until the engine commits events).
  public func archive(_ name: String, into folder: String) throws {
    let archive = directory + "/" + folder
    try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
    let target = archive + "/" + name
    if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
    try FileManager.default.moveItem(atPath: directory + "/" + name, toPath: target)
  }
}
