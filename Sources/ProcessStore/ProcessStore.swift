import CInotifyTools
import OBSEvents
import Synchronization

/// The BOSS process store (`/srv/BOSS/processes`): an in-memory index of its
/// definitions, kept current by inotify, answering "what launches for this
/// label in this project?" without touching the disk.
public final class ProcessStore: Sendable {
  /// Absolute path of the store's root directory.
  public let root: String
  private let state: Mutex<State>
  private let watchID = Mutex<Int?>(nil)

  private struct State {
    var index = StoreIndex()
    /// While a full scan runs outside the lock, events are kept here and
    /// replayed on the fresh index, so no change made during the scan is lost.
    var pending: [WatchEvent]?
  }

  /// Opens and scans the store at `root`. With `watch`, inotify keeps the index current.
  public init(root: String, watch: Bool = false) throws(StoreError) {
    let absolute = FileSystem.absolute(root)
    guard FileSystem.kindFollowing(absolute) == .directory else {
      throw FileSystem.kindFollowing(absolute) == .missing ? .missingRoot(absolute) : .rootNotADirectory(absolute)
    }
    self.root = absolute
    state = Mutex(State())
    if watch {
      try startWatching()
    } else {
      rescan()
    }
  }

  deinit { stopWatching() }

  /// Starts keeping the index current with inotify. Changes are visible to
  /// lookups as soon as the watcher thread has handled their event.
  public func startWatching() throws(StoreError) {
    guard watchID.withLock({ $0 }) == nil else { return }
    let id = try InotifyWatcher.shared.watch(root: root) { [weak self] event in self?.handle(event) }
    watchID.withLock { $0 = id }
    // The scan follows the watch, so every change is either scanned or evented.
    rescan()
  }

  public func stopWatching() {
    guard
      let id = watchID.withLock({ state -> Int? in
        defer { state = nil }
        return state
      })
    else { return }
    let directories = state.withLock { $0.index.directories.keys.map { $0.isEmpty ? root : root + "/" + $0 } }
    InotifyWatcher.shared.unwatch(id: id, directories: directories)
  }

  /// Re-reads the whole store (after an inotify overflow, or on request).
  public func rescan() {
    state.withLock { if $0.pending == nil { $0.pending = [] } }
    var fresh = StoreIndex()
    StoreScanner.scan(root: root, relative: "", into: &fresh)
    state.withLock { current in
      fresh.generation = current.index.generation &+ 1
      current.index = fresh
      let pending = current.pending ?? []
      current.pending = nil
      for event in pending { apply(event, to: &current.index) }
    }
  }

  /// The definitions that launch for `label` in `project`, in launch order.
  public func lookup(label: EventLabel, project: ProjectName) -> [DefinitionMatch] {
    state.withLock { $0.index.lookup(label: label, project: project) }
  }

  /// Runs `body` on the current index under its lock (keep it short: the watcher waits).
  public func withIndex<T: Sendable>(_ body: (borrowing StoreIndex) -> T) -> T {
    state.withLock { body($0.index) }
  }

  /// A copy of the current index (for listings, lint and explanations).
  public var snapshot: StoreIndex { state.withLock { $0.index } }

  /// Bumped on every change the index takes in.
  public var generation: UInt64 { state.withLock { $0.index.generation } }

  /// The absolute path of a store-relative path.
  public func path(_ relative: String) -> String { relative.isEmpty ? root : root + "/" + relative }

  private func handle(_ event: WatchEvent) {
    if event.isOverflow {
      rescan()
      return
    }
    state.withLock { current in
      if current.pending != nil {
        current.pending?.append(event)
      } else {
        apply(event, to: &current.index)
      }
    }
  }

  private func apply(_ event: WatchEvent, to index: inout StoreIndex) {
    let directory: String
    if event.directory == root {
      directory = ""
    } else if event.directory.hasPrefix(root + "/") {
      directory = String(event.directory.dropFirst(root.count + 1))
    } else {
      return
    }
    guard !event.name.isEmpty else {
      if event.mask & UInt32(IN_DELETE_SELF) != 0 { index.removeSubtree(directory) }
      return
    }
    StoreScanner.refresh(root: root, directory: directory, name: event.name, into: &index)
  }
}

/// Why the store cannot be used.
public enum StoreError: Error, Sendable, Equatable, CustomStringConvertible {
  case missingRoot(String)
  case rootNotADirectory(String)
  case watchFailed(root: String, reason: String)

  public var description: String {
    switch self {
    case .missingRoot(let path):
      "the process store \(path) does not exist (set it with --store, or --root for the BOSS root that holds processes/)"
    case .rootNotADirectory(let path):
      "the process store \(path) is not a directory"
    case .watchFailed(let root, let reason):
      "cannot watch the process store \(root) with inotify: \(reason)"
    }
  }
}
