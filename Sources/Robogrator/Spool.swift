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
    /// The decoded event, with the file's bytes and the routing key from its name (the inbox keeps both).
    case event(OBSEvent, raw: [UInt8], routingKey: String?)
    /// Not an event at all (bus metrics); drop it.
    case ignored(reason: String)
    case rejected(reason: String)
    /// Not valid JSON yet and written moments ago: its writer may still be at it; try again later.
    case notReady
  }

  /// How long a file that does not parse is given to be finished by its writer.
  public static let writeGracePeriod: TimeInterval = 2

  /// The routing key carried in a file name `KEY@ANYTHING.json`, for bare bus
  /// bodies. KEY must look like one (`opensuse.obs.repo.published`: dotted
  /// lower-case words), so names like `alice@example.json` are just names.
  public static func routingKey(fromFileName name: String) -> String? {
    guard let at = name.firstIndex(of: "@"), at != name.startIndex else { return nil }
    let key = name[..<at]
    let words = key.split(separator: ".", omittingEmptySubsequences: false)
    guard words.count >= 3,
      words.allSatisfy({ word in
        !word.isEmpty
          && word.utf8.allSatisfy {
            ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F || $0 == 0x2D
          }
      })
    else { return nil }
    return String(key)
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
    let bytes = Array(data)
    let routingKey = Spool.routingKey(fromFileName: name)
    do {
      return .event(try decoder.decode(bytes: bytes, routingKey: routingKey), raw: bytes, routingKey: routingKey)
    } catch .notAnEvent(let what) {
      return .ignored(reason: "\(what)")
    } catch .notJSON(let error) where Spool.modifiedRecently(path) {
      _ = error
      return .notReady
    } catch {
      return .rejected(reason: error.description)
    }
  }

  static func modifiedRecently(_ path: String) -> Bool {
    guard let modified = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date else {
      return false
    }
    return Date().timeIntervalSince(modified) < writeGracePeriod
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
