import Lint
import OrderedJSON

/// Checks a parsed definition for constructs robogrator refuses or that
/// behave surprisingly (spec "Decisions", T5, T18). Pure: no disk, no engine.
///
///     PDefLint.check(root, knownExpressions: PDefNode.knownExpressionNames,
///                    participants: ["notify_irc"], file: "x.pdef")
///
/// Condition and `${}` quoting lint live elsewhere; this looks at the tree's
/// shape and names only.
public enum PDefLint {
  public static func check(
    _ root: PDefNode, knownExpressions: Set<String>, participants: Set<String>, file: String
  ) -> [LintFinding] {
    var lint = Walk(
      file: file, knownExpressions: knownExpressions, participants: participants,
      subprocesses: definedSubprocesses(below: root), processName: root.definedName)
    lint.visit(root, isRoot: true, inherited: nil)
    return lint.findings
  }

  /// Names bound by `define` blocks anywhere below the root.
  static func definedSubprocesses(below root: PDefNode) -> Set<String> {
    var names: Set<String> = []
    var stack = root.children
    while let node = stack.popLast() {
      if node.name == "define", let name = node.definedName { names.insert(name) }
      stack.append(contentsOf: node.children)
    }
    return names
  }

  static let refusedExpressions: Set<String> = ["given", "that", "of"]

  /// The first construct robogrator refuses (given/that/of, `${r:...}`), in
  /// source order; nil when none. What `launch` checks: the refusals alone,
  /// without the tree walk's warnings (built as text for every call).
  public static func firstRefusal(in root: PDefNode, file: String = "") -> LintFinding? {
    var stack: [(node: PDefNode, inherited: SourceLocation?, isRoot: Bool)] = [(root, nil, true)]
    while let (node, inherited, isRoot) = stack.popLast() {
      let location = node.location ?? inherited
      if let message = rubyEvaluationMessage(node) ?? (isRoot ? nil : refusedNameMessage(node.name)) {
        return LintFinding(
          severity: .error, file: file, line: location?.line, column: location?.column, message: message)
      }
      for child in node.children.reversed() { stack.append((child, location, false)) }
    }
    return nil
  }

  /// The refusal of a given/that/of node, or nil.
  static func refusedNameMessage(_ name: String) -> String? {
    guard refusedExpressions.contains(name) else { return nil }
    return "`\(name)` (ruote's given/that/of) is not supported by robogrator: BOSS replaced it in 2011 with "
      + "nested `_if`; write `_if '\"${v:x}\" == value' do ... end`"
  }

  /// The refusal of the first `${r:...}` in a node's attributes, or nil.
  static func rubyEvaluationMessage(_ node: PDefNode) -> String? {
    node.attributes.lazy.compactMap { rubyEvaluationMessage(key: $0.key, value: $0.value) }.first
  }

  /// The refusal of a `${r:...}` in one attribute, or nil.
  static func rubyEvaluationMessage(key: String, value: JSONValue) -> String? {
    guard let excerpt = rubySubstitution(in: key) ?? rubySubstitution(in: value) else { return nil }
    return "`\(excerpt)` asks for Ruby evaluation, which robogrator refuses (BOSS never enabled it): "
      + "use a field `${f:...}` or variable `${v:...}`"
  }

  /// Walks the tree in source order, collecting findings.
  private struct Walk {
    let file: String
    let knownExpressions: Set<String>
    let participants: Set<String>
    let subprocesses: Set<String>
    let processName: String?
    var findings: [LintFinding] = []

    mutating func report(_ severity: LintFinding.Severity, _ location: SourceLocation?, _ message: String) {
      findings.append(
        LintFinding(
          severity: severity, file: file, line: location?.line, column: location?.column,
          message: message))
    }

    mutating func visit(_ node: PDefNode, isRoot: Bool, inherited: SourceLocation?) {
      let location = node.location ?? inherited
      checkRubyEvaluation(node, location)
      if !isRoot { checkName(node, location) }
      if node.name == "if" { checkIf(node, location) }
      if !isRoot, node.name == "define", let name = node.definedName, participants.contains(name) {
        report(
          .warning, location,
          "subprocess `\(name)` has the name of a participant: every `\(name)` call in this process runs the "
            + "subprocess; use `participant :ref => '\(name)'` to reach the participant")
      }
      for child in node.children { visit(child, isRoot: false, inherited: location) }
    }

    mutating func checkName(_ node: PDefNode, _ location: SourceLocation?) {
      let name = node.name
      if let refusal = PDefLint.refusedNameMessage(name) {
        report(.error, location, refusal)
        return
      }
      if let processName, name == processName, !subprocesses.contains(name) {
        report(
          .warning, location,
          "`\(name)` is this process's own name: ruote ran the whole process again here, forever; "
            + "robogrator stops it with an error after a depth limit. Use `participant :ref => '\(name)'` "
            + "to call the participant")
        return
      }
      if knownExpressions.contains(name) || subprocesses.contains(name) || participants.contains(name)
        || name.contains("${")
      {
        return
      }
      report(
        .warning, location,
        "`\(name)` is not an expression, a subprocess defined in this file or a known participant: "
          + "it may be served remotely; check the spelling")
    }

    mutating func checkIf(_ node: PDefNode, _ location: SourceLocation?) {
      let hasTest = node.attributes["test"] != nil || node.attributes["t"] != nil || node.positionalText != nil
      let count = node.children.count
      if hasTest && count > 2 {
        report(
          .warning, location,
          "`if` has \(count) children: the first runs when the test is true, the second when it is false, "
            + "and the others (from `\(node.children[2].name)` on) are ignored; wrap the steps of each branch "
            + "in `sequence do ... end`")
      } else if !hasTest && count > 3 {
        report(
          .warning, location,
          "`if` without a test has \(count) children: the first is the condition, the second the then branch, "
            + "the third the else branch; the others (from `\(node.children[3].name)` on) are ignored")
      } else if hasTest && count == 2, node.children[0].name != "sequence", node.children[0].name != "let" {
        report(
          .info, location,
          "`if` has two children and the first, `\(node.children[0].name)`, is not a `sequence`: the second, "
            + "`\(node.children[1].name)`, is the else branch and runs only when the test is false (see robogrator-pdef(5)); "
            + "wrap both in `sequence do ... end` if they should run one after the other")
      }
    }

    mutating func checkRubyEvaluation(_ node: PDefNode, _ location: SourceLocation?) {
      for (key, value) in node.attributes {
        if let refusal = PDefLint.rubyEvaluationMessage(key: key, value: value) { report(.error, location, refusal) }
      }
    }
  }

  /// The first `${r...:...}` (any prefix starting with `r`: `r`, `ruby`,
  /// `res`) in a string or nested value, as an excerpt; nil when none.
  static func rubySubstitution(in value: JSONValue) -> String? {
    switch value {
    case .string(let s): return rubySubstitution(in: s)
    case .array(let elements):
      for element in elements { if let found = rubySubstitution(in: element) { return found } }
      return nil
    case .object(let object):
      for (key, element) in object {
        if let found = rubySubstitution(in: key) ?? rubySubstitution(in: element) { return found }
      }
      return nil
    default: return nil
    }
  }

  static func rubySubstitution(in text: String) -> String? {
    // Most texts hold no `$` at all: no scalar array for them.
    guard text.utf8.contains(UInt8(ascii: "$")) else { return nil }
    let scalars = Array(text.unicodeScalars)
    var index = 0
    while index + 1 < scalars.count {
      defer { index += 1 }
      guard scalars[index] == "$", scalars[index + 1] == "{" else { continue }
      var cursor = index + 2
      // `${"r:x}` and `${'r:x}` quote the rendering; the prefix follows the quote.
      if cursor < scalars.count, scalars[cursor] == "\"" || scalars[cursor] == "'" { cursor += 1 }
      let prefixStart = cursor
      while cursor < scalars.count, !":}${".unicodeScalars.contains(scalars[cursor]) { cursor += 1 }
      guard cursor < scalars.count, scalars[cursor] == ":", cursor > prefixStart, scalars[prefixStart] == "r"
      else { continue }
      var end = cursor
      while end < scalars.count, scalars[end] != "}" { end += 1 }
      let stop = min(end + 1, scalars.count, index + 60)
      var excerpt = ""
      excerpt.unicodeScalars.append(contentsOf: scalars[index..<stop])
      return excerpt
    }
    return nil
  }
}
