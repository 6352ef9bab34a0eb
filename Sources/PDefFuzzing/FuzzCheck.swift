import OrderedJSON
import PDef

/// Parses one fuzz input and checks what must hold whatever the input:
/// a parsed tree survives the JSON round trip (as a value and as text) and
/// renders one line per node; an error points inside the input and says
/// something.
public enum FuzzCheck {
  /// What happened to one input.
  public struct Outcome: Sendable {
    /// Whether the input parsed (otherwise it was rejected with an error).
    public var parsed: Bool
    /// The broken invariant, nil when all hold.
    public var problem: String?
  }

  public static func check(_ text: String) -> Outcome {
    do {
      let node = try PDefParser.parse(text, file: "fuzz")
      return Outcome(parsed: true, problem: treeProblem(node))
    } catch {
      return Outcome(parsed: false, problem: errorProblem(error, text: text))
    }
  }

  static func treeProblem(_ node: PDefNode) -> String? {
    let json = node.toJSON()
    guard let back = try? PDefNode(json: json), back == node else { return "JSON round trip changed the tree" }
    guard let reread = try? PDefParser.parse(json.serialized(), file: "fuzz"), reread == node else {
      return "the serialized JSON tree does not parse back to the same tree"
    }
    let lines = node.indentedDescription().split(separator: "\n", omittingEmptySubsequences: false).count - 1
    let nodes = nodeCount(node)
    return lines == nodes ? nil : "indented description has \(lines) lines for \(nodes) nodes"
  }

  static func errorProblem(_ error: PDefError, text: String) -> String? {
    let lineCount = text.utf8.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) }
    if error.line < 1 || error.column < 1 || error.line > lineCount {
      return "error location \(error.line):\(error.column) outside the input (\(lineCount) lines): \(error)"
    }
    return error.message.isEmpty ? "empty error message at \(error.line):\(error.column)" : nil
  }

  static func nodeCount(_ node: PDefNode) -> Int {
    node.children.reduce(1) { $0 + nodeCount($1) }
  }
}
