import Foundation
import OrderedJSON
import PDef

/// Helpers shared by the tests: parse a snippet, get its canonical JSON,
/// catch its error, find the example definitions.
enum Support {
  static let file = "t.pdef"

  /// Parses a whole definition; fails the test with the parser's message.
  static func parse(_ text: String) throws -> PDefNode {
    try PDefParser.parse(text, file: file)
  }

  /// The canonical JSON (compact, in source order) of the statements of a
  /// definition whose body is `body`.
  static func bodyJSON(_ body: String) throws -> String {
    let root = try parse("Ruote.process_definition 'p' do\n\(body)\nend\n")
    return JSONValue.array(root.children.map { $0.toJSON() }).serialized()
  }

  /// The error a text produces, or nil when it parses.
  static func error(_ text: String) -> PDefError? {
    do {
      _ = try PDefParser.parse(text, file: file)
      return nil
    } catch {
      return error
    }
  }

  /// The error of a definition whose body is `body` (the body starts on line 2).
  static func bodyError(_ body: String) -> PDefError? {
    error("Ruote.process_definition 'p' do\n\(body)\nend\n")
  }

  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static let examplesDirectory = packageRoot.appendingPathComponent("examples/processes")

  /// The definitions of the embedded BOSS root that `make run` serves.
  static let srvLayoutDirectory = packageRoot.appendingPathComponent("srv-layout/processes")

  /// Every example definition, by file name, then those of srv-layout/ (named `srv-layout/<file>`).
  static func examples() throws -> [(name: String, text: String)] {
    func definitions(in directory: URL, prefix: String) throws -> [(name: String, text: String)] {
      let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
        .filter { $0.hasSuffix(".pdef") }.sorted()
      return try names.map {
        (prefix + $0, try String(contentsOf: directory.appendingPathComponent($0), encoding: .utf8))
      }
    }
    return try definitions(in: examplesDirectory, prefix: "")
      + definitions(in: srvLayoutDirectory, prefix: "srv-layout/")
  }

  /// The participant names of spec §1.4 (plus `built_*`, served by request_notice-style participants).
  static let bossParticipants: Set<String> = [
    "is_repo_published", "notify_irc", "notify", "change_request_state", "obsticket", "get_build_trial_results",
    "get_notify_recipients_obs", "build_image", "build_ks", "request_image", "check_valid_changes", "feed_revs",
    "setup_build_trial", "remove_build_trial", "revs_image", "get_request", "get_userdata", "get_provides",
    "get_relevant_changelog", "update_patterns", "update_image_status", "test_vm_image", "bugzilla",
    "select_test_packages", "qareports", "trigger_service", "auto_promote", "create_project", "handle_webhook",
    "relay_webhook", "get_kickstarts", "get_package_boss_conf", "qa_vote", "l10n_update_ts", "check_no_changes",
    "get_src_state", "autodoc_deploy", "autoks_deploy", "update_meta", "mirror_git", "maybe_mirror_git",
    "get_build_results", "delete_webhook", "filter_test_packages", "obs_repodiff", "delete_image", "bz",
    "trigger_broken", "img_status_update",
  ]
}
