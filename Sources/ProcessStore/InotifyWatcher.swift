import CInotifyTools
import Dispatch
import Synchronization

#if canImport(Glibc)
  import Glibc
#endif

/// One change seen by inotify, copied out of libinotifytools' static buffer.
struct WatchEvent: Sendable {
  /// Absolute path of the directory the event happened in, without a trailing slash.
  let directory: String
  /// The entry's name in that directory; empty for events on the directory itself.
  let name: String
  let mask: UInt32

  var isDirectory: Bool { mask & UInt32(IN_ISDIR) != 0 }
  var isOverflow: Bool { mask & UInt32(IN_Q_OVERFLOW) != 0 }
  /// A file finished by its writer: closed after writing, or renamed into place.
  var isCompleteFile: Bool { !isDirectory && mask & UInt32(IN_CLOSE_WRITE | IN_MOVED_TO) != 0 }
}

/// The process's single inotify watcher.
///
/// libinotifytools keeps its state in globals and is not thread-safe, so one
/// thread owns it and makes every call; stores register and unregister
/// through a command queue and a wake-up file. Its recursive watch does not
/// cover directories created later, so each new directory is watched (and
/// then rescanned by its store) as soon as its creation is seen.
final class InotifyWatcher: Sendable {
  static let shared = InotifyWatcher()

  typealias Handler = @Sendable (WatchEvent) -> Void

  private struct Registration {
    let root: String
    let handler: Handler
  }

  private enum Command {
    case watch(id: Int, root: String, handler: Handler, done: @Sendable (String?) -> Void)
    case unwatch(id: Int, directories: [String], done: @Sendable () -> Void)
  }

  private struct Shared {
    var commands: [Command] = []
    var nextID = 1
    var started = false
    var startError: String?
  }

  private let shared = Mutex(Shared())
  let wakeDirectory: String

  static let eventMask: Int32 =
    Int32(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_ATTRIB | IN_CLOSE_WRITE | IN_DELETE_SELF)

  private init() {
    wakeDirectory = "/tmp/.robogrator-inotify-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
  }

  /// Starts watching `root` recursively; returns once the watch is in place.
  func watch(root: String, handler: @escaping Handler) throws(StoreError) -> Int {
    startThreadIfNeeded()
    let result = Mutex<(done: Bool, error: String?)>((false, nil))
    let semaphore = DispatchSemaphore(value: 0)
    let id = shared.withLock { state in
      let id = state.nextID
      state.nextID += 1
      state.commands.append(
        .watch(
          id: id, root: root, handler: handler,
          done: { error in
            result.withLock { $0 = (true, error) }
            semaphore.signal()
          }))
      return id
    }
    wake()
    semaphore.wait()
    if let error = result.withLock({ $0.error }) { throw StoreError.watchFailed(root: root, reason: error) }
    return id
  }

  /// Stops delivering events for a registration and removes the watches on `directories`.
  func unwatch(id: Int, directories: [String]) {
    let semaphore = DispatchSemaphore(value: 0)
    shared.withLock { $0.commands.append(.unwatch(id: id, directories: directories, done: { semaphore.signal() })) }
    wake()
    semaphore.wait()
  }

  /// Removes this process's wake-up folder when it exits (it is per process, under /tmp).
  static func removeWakeDirectoryAtExit() {
    atexit {
      let directory = InotifyWatcher.shared.wakeDirectory
      unlink(directory + "/wake")
      rmdir(directory)
    }
  }

  private func wake() {
    let path = wakeDirectory + "/wake"
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
    if fd >= 0 { close(fd) }
  }

  private func startThreadIfNeeded() {
    let start = shared.withLock { state -> Bool in
      if state.started { return false }
      state.started = true
      return true
    }
    guard start else { return }
    mkdir(wakeDirectory, 0o700)
    InotifyWatcher.removeWakeDirectoryAtExit()
    let wake = wakeDirectory
    startThread { [self] in self.run(wakeDirectory: wake) }
  }

  /// The watcher thread: the only caller of libinotifytools.
  private func run(wakeDirectory: String) {
    var registrations: [Int: Registration] = [:]
    let initialised = inotifytools_initialize() != 0
    if initialised { _ = inotifytools_watch_file(wakeDirectory, Int32(IN_CREATE | IN_CLOSE_WRITE)) }
    while true {
      let commands = shared.withLock { state -> [Command] in
        defer { state.commands.removeAll() }
        return state.commands
      }
      for command in commands {
        switch command {
        case .watch(let id, let root, let handler, let done):
          guard initialised else {
            done("libinotifytools could not start inotify: \(String(cString: strerror(inotifytools_error())))")
            continue
          }
          if inotifytools_watch_recursively(root, InotifyWatcher.eventMask) == 0 {
            let code = inotifytools_error()
            var reason = String(cString: strerror(code))
            if code == ENOSPC {
              reason +=
                " (the inotify watch limit is reached: raise fs.inotify.max_user_watches, now "
                + "\(inotifytools_get_max_user_watches()))"
            }
            done(reason)
            continue
          }
          registrations[id] = Registration(root: root, handler: handler)
          done(nil)
        case .unwatch(let id, let directories, let done):
          registrations[id] = nil
          for directory in directories {
            // A deleted directory's watch is already gone (the kernel dropped
            // it); asking again makes libinotifytools complain on stderr.
            let path = directory + "/"
            guard inotifytools_wd_from_filename(path) != -1, FileSystem.kindNoFollow(directory) == .directory else {
              continue
            }
            _ = inotifytools_remove_watch_by_filename(path)
          }
          done()
        }
      }
      guard initialised, let raw = inotifytools_next_event(1) else { continue }
      let event = InotifyWatcher.copy(raw)
      if event.directory == wakeDirectory { continue }
      if event.isOverflow {
        for registration in registrations.values { registration.handler(event) }
        continue
      }
      let path = event.name.isEmpty ? event.directory : event.directory + "/" + event.name
      if event.isDirectory, event.mask & UInt32(IN_CREATE | IN_MOVED_TO) != 0 {
        // Watch first, then let the store rescan: files created between the
        // mkdir and this watch are found by the scan, later ones by events.
        _ = inotifytools_watch_recursively(path, InotifyWatcher.eventMask)
      }
      for registration in registrations.values
      where event.directory == registration.root || event.directory.hasPrefix(registration.root + "/") {
        registration.handler(event)
      }
    }
  }

  private static func copy(_ raw: UnsafeMutablePointer<inotify_event>) -> WatchEvent {
    var directory = inotifytools_filename_from_wd(raw.pointee.wd).map { String(cString: $0) } ?? ""
    while directory.count > 1 && directory.hasSuffix("/") { directory.removeLast() }
    var name = ""
    let length = Int(raw.pointee.len)
    if length > 0 {
      let base = UnsafeRawPointer(raw).advanced(by: MemoryLayout<inotify_event>.size)
      name = String(cString: base.assumingMemoryBound(to: CChar.self))
    }
    return WatchEvent(directory: directory, name: name, mask: raw.pointee.mask)
  }
}

/// Starts a detached POSIX thread running `body` (the watcher must own one
/// thread for its whole life, outside Swift's cooperative pool).
func startThread(_ body: @escaping @Sendable () -> Void) {
  final class Box: @unchecked Sendable {
    let body: @Sendable () -> Void
    init(_ body: @escaping @Sendable () -> Void) { self.body = body }
  }
  let box = Unmanaged.passRetained(Box(body)).toOpaque()
  var thread = pthread_t()
  let result = pthread_create(
    &thread, nil,
    { context in
      guard let context else { return nil }
      let box = Unmanaged<Box>.fromOpaque(context).takeRetainedValue()
      box.body()
      return nil
    }, box)
  if result == 0 { pthread_detach(thread) }
}
