import ArgumentParser
import CSQLite

/// robogrator's version, shared by `--version` and `robogrator version`.
enum RobogratorVersion {
  static let number = "0.1.0"
  static var text: String { "robogrator \(number)" }
}

struct VersionCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "version",
    abstract: "Print robogrator's version and the system libraries it runs on (for bug reports)."
  )

  func run() {
    print(RobogratorVersion.text)
    print("sqlite \(String(cString: sqlite3_libversion()))")
    print("libinotifytools (system library)")
  }
}
