import Foundation
import OrderedJSON

/// Runs the built `robogrator` binary (it sits next to the test bundle).
enum CLI {
  static let binary: String = {
    let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    var directory = testBinary.deletingLastPathComponent()
    // The test bundle may be a directory (robogratorPackageTests.xctest/...); walk up to the build folder.
    for _ in 0..<4 {
      let candidate = directory.appendingPathComponent("robogrator").path
      if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
      directory = directory.deletingLastPathComponent()
    }
    return URL(fileURLWithPath: #filePath).deletingLastPathComponent()
      .appendingPathComponent("../../.build/debug/robogrator").standardized.path
  }()

  static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../..").standardized

  struct Result {
    let status: Int32
    let stdout: String
    let stderr: String
    var json: JSONValue? { try? JSONValue.parse(stdout) }
  }

  static func run(_ arguments: [String], stdin: String? = nil) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: binary)
    process.arguments = arguments
    var environment = ProcessInfo.processInfo.environment
    environment["ROBOGRATOR_ROOT"] = "/nonexistent-robogrator-root"
    // Never this machine's /etc/robogrator/robogrator.toml.
    environment["ROBOGRATOR_CONFIG"] = "/dev/null"
    process.environment = environment
    let out = Pipe()
    let err = Pipe()
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData, as: UTF8.self))
  }

  /// A copy of srv-layout/ in a temporary directory.
  static func copyOfSrvLayout() throws -> String {
    let target = FileManager.default.temporaryDirectory.appendingPathComponent("robogrator-srv-\(UUID().uuidString)")
      .path
    try FileManager.default.copyItem(atPath: repository.appendingPathComponent("srv-layout").path, toPath: target)
    return target
  }

  static func example(_ name: String) -> String {
    repository.appendingPathComponent("examples/events").appendingPathComponent(name).path
  }
}
