/// Watches one folder and calls back with the names of files that are
/// complete: closed after writing, or moved in. Used for the spool, so a file
/// is never read while its writer is still writing it.
public final class FolderWatcher: Sendable {
  private let id: Int
  private let path: String

  public init(path: String, onChange: @escaping @Sendable (_ name: String) -> Void) throws(StoreError) {
    let absolute = FileSystem.absolute(path)
    self.path = absolute
    id = try InotifyWatcher.shared.watch(root: absolute) { event in
      guard event.directory == absolute, !event.name.isEmpty, event.isCompleteFile else { return }
      onChange(event.name)
    }
  }

  deinit { InotifyWatcher.shared.unwatch(id: id, directories: [path]) }
}
