import OrderedJSON

/// Finds the condition traps of §5.5/§5.6 in a condition as written (before substitution):
/// unquoted `${...}` in comparisons, hyphenated words in `in` tests, texts ending with the
/// bare words `set`/`null`/`empty`, `#` comments, Ruby booleans. Each finding says how to
/// write the condition instead.
public enum ConditionLint {
  /// Findings for a condition attribute value; a non-string (the Ruby boolean of the webhook bug) is flagged.
  public static func findings(forValue value: JSONValue) -> [ConditionFinding] {
    switch value {
    case .string(let text):
      return findings(for: text)
    case .bool(let b):
      return [
        TextFinding(
          severity: .warning, code: "ruby-boolean",
          message: "the condition is the Ruby boolean \(b), so it is always \(b): the comparison was done "
            + "when the definition was read (`'${a}' != \"b\"` outside the quotes); quote the whole "
            + "condition: `'\"${a}\" != \"b\"'`",
          offset: nil)
      ]
    default:
      return []
    }
  }

  /// Findings for a condition text as written in the definition.
  public static func findings(for conditionText: String) -> [ConditionFinding] {
    let bytes = Array(conditionText.utf8)
    var scanner = LintScanner(bytes)
    let tokens = scanner.scan()
    var out: [TextFinding] = []
    func add(_ severity: TextFinding.Severity, _ code: String, _ message: String, at token: LintToken?) {
      out.append(
        TextFinding(
          severity: severity, code: code, message: message,
          offset: token.map { bytes.characterOffset(ofByte: $0.start) }))
    }

    // `#` outside quotes starts a Ruby comment.
    if let hash = tokens.first(where: { $0.kind == .comment }) {
      add(
        .warning, "comment",
        "'#' starts a Ruby comment here: everything after it is ignored; put the text in double quotes",
        at: hash)
    }

    // Comparisons.
    for (index, token) in tokens.enumerated() where token.kind == .comparison {
      let left = operand(tokens, before: index)
      let right = operand(tokens, after: index)
      let op = token.text
      let leftDollar = left.count == 1 && left[0].kind == .dollar
      let rightDollar = right.count == 1 && right[0].kind == .dollar
      let fix = "write `\(quotedForm(left)) \(op) \(quotedForm(right))`"
      if left.isEmpty || right.isEmpty {
        add(.warning, "missing-operand", "'\(op)' has nothing on one side: the condition is always false", at: token)
        continue
      }
      if (leftDollar && right.count == 1 && right[0].kind == .quoted)
        || (rightDollar && left.count == 1 && left[0].kind == .quoted)
      {
        let dollar = leftDollar ? left[0] : right[0]
        add(
          .warning, "unquoted-vs-quoted",
          "\(dollar.text) is not quoted but compared with a quoted string: false when the value is a number, "
            + "true/false, or holds - / : . @ # or spaces; \(fix)",
          at: dollar)
      } else if let dollar = (left + right).first(where: { $0.kind == .dollar }) {
        let other = leftDollar ? right : left
        if other.count == 1 && other[0].kind == .list {
          add(
            .info, "unquoted-list-substitution",
            "\(dollar.text) is compared with a list literal, so it must render as one: a missing value makes "
              + "the comparison false (for '\(op)' too)",
            at: dollar)
        } else if ["<", ">", "<=", ">="].contains(op) && other.count == 1 && other[0].kind == .number {
          add(
            .info, "numeric-substitution",
            "\(dollar.text) must hold a number: a missing value makes this false, a word makes it a process error",
            at: dollar)
        } else {
          add(
            .warning, "unquoted-substitution",
            "\(dollar.text) is not quoted: if it is missing, empty or holds spaces, - : / # @ or a version, "
              + "the comparison is false (for '\(op)' too); \(fix)",
            at: dollar)
        }
      }
      if left.filter({ $0.kind == .word }).count >= 2 {
        add(
          .warning, "multi-word",
          "several bare words before '\(op)' are read as a method call: '==' compares joined text and "
            + "'!=' is always false; \(fix)",
          at: left[0])
      }
      let rightWords = right.filter { $0.kind == .word || $0.kind == .dollar }
      if rightWords.count >= 2 {
        add(
          .warning, "multi-word", "several bare words after '\(op)' are a syntax error: always false; \(fix)",
          at: right[0])
      }
      for word in left + right where word.kind == .word && word.hasPunctuation {
        add(
          .warning, "bare-punctuation",
          "the bare word \(word.text) is not the text \"\(word.text)\" (Ruby reads the - . / : @ in it); \(fix)",
          at: word)
      }
    }

    // `in` tests.
    if let inIndex = tokens.firstIndex(where: { $0.kind == .keyword && $0.text == "in" }) {
      var subject = operand(tokens, before: inIndex)
      while let last = subject.last, last.kind == .keyword && (last.text == "not" || last.text == "is") {
        subject.removeLast()
      }
      let negated = tokens[..<inIndex].contains { $0.kind == .keyword && $0.text == "not" }
      let rest = tokens[(inIndex + 1)...]
      if subject.isEmpty {
        add(.warning, "in-without-subject", "nothing before 'in': the test is always false", at: tokens[inIndex])
      } else if subject.count == 1 && subject[0].kind == .word && subject[0].hasPunctuation {
        add(
          .warning, "in-bare-punctuation",
          "always false: the bare word \(subject[0].text) is not read as \"\(subject[0].text)\", so it is never "
            + "an element; write `\"\(subject[0].text)\" \(negated ? "not in" : "in") \(rest.first?.text ?? "[...]")`",
          at: subject[0])
      } else if subject.count == 1 && subject[0].kind == .dollar {
        add(
          .warning, "in-unquoted",
          "\(subject[0].text) is not quoted: a value with - . : / @ or spaces never matches and a missing one "
            + "makes the test false; write `\"\(subject[0].text)\" \(negated ? "not in" : "in") ...`",
          at: subject[0])
      }
      if rest.count > 1 {
        add(
          .warning, "in-trailing",
          "text after the list makes this a syntax error: the test is always false; make the list the end",
          at: rest[rest.startIndex + 1])
      } else if let list = rest.first, list.kind == .dollar, negated {
        add(
          .info, "not-in-missing-list",
          "if \(list.text) is missing, 'not in' is false (the text no longer ends with a list)", at: list)
      }
    }

    // Texts ending with the bare words set / null / empty.
    if let last = tokens.last, last.kind == .keyword, ["set", "null", "empty"].contains(last.text) {
      var head = Array(tokens.dropLast())
      let negated = head.last?.text == "not"
      while let l = head.last, l.kind == .keyword && (l.text == "not" || l.text == "is") { head.removeLast() }
      let hasComparison = head.contains { $0.kind == .comparison }
      switch last.text {
      case "set" where hasComparison:
        add(
          .warning, "set-ending",
          "ends with the bare word 'set', so it is read as an 'is set' test of what comes before: "
            + "always true; quote it: `... \"set\"`",
          at: last)
      case "null":
        add(
          .warning, "null-form",
          hasComparison
            ? "ends with the bare word 'null', so it is read as a null test of what comes before: always false"
            : "'is null' is true only for the literal nil (a missing ${...} is not null); "
              + "test `\"${x}\" == \"\"` instead",
          at: last)
      case "empty":
        let literal = head.last.map { $0.kind == .quoted || $0.kind == .list } ?? false
        if !literal {
          add(
            .warning, "empty-form",
            negated
              ? "'not empty' after an unquoted value is a syntax error: always false; write `\"${x}\" != \"\"`"
              : "not an emptiness test unless the value renders as a list: an unquoted or missing value makes it "
                + "always true; write `\"${x}\" == \"\"` or `\"${x}\" is empty`",
            at: last)
        }
      default:
        break
      }
    }
    return out
  }

  private static func isBoundary(_ t: LintToken) -> Bool {
    t.kind == .logical || t.kind == .paren || t.kind == .comment
      || (t.kind == .keyword && (t.text == "and" || t.text == "or" || t.text == "in"))
  }

  private static func operand(_ tokens: [LintToken], before index: Int) -> [LintToken] {
    var start = index
    while start > 0 && !isBoundary(tokens[start - 1]) && tokens[start - 1].kind != .comparison { start -= 1 }
    return Array(tokens[start..<index]).filter { !($0.kind == .keyword && $0.text == "not") }
  }

  private static func operand(_ tokens: [LintToken], after index: Int) -> [LintToken] {
    var end = index + 1
    while end < tokens.count && !isBoundary(tokens[end]) && tokens[end].kind != .comparison { end += 1 }
    return Array(tokens[(index + 1)..<end])
  }

  /// The operand as it should be written: in double quotes (words, numbers and `true` too, since
  /// the other side becomes a string).
  private static func quotedForm(_ operand: [LintToken]) -> String {
    guard !operand.isEmpty else { return "\"\"" }
    if operand.count == 1 {
      let t = operand[0]
      if t.kind == .quoted || t.kind == .list { return t.text }
    }
    let inner = operand.map { t -> String in
      if t.kind == .quoted, t.text.count >= 2 { return String(t.text.dropFirst().dropLast()) }
      return t.text
    }
    return "\"" + inner.joined(separator: " ") + "\""
  }
}

struct LintToken {
  enum Kind {
    case quoted, dollar, word, number, list, comparison, logical, keyword, paren, comment, other
  }

  var kind: Kind
  var start: Int
  var text: String

  /// Punctuation that Ruby reads as operators or sigils inside a bare word.
  var hasPunctuation: Bool {
    text.contains { "-./:@$#+*".contains($0) }
  }
}

/// A rough tokenizer for condition texts as written: enough to find operands, not Ruby's lexer.
struct LintScanner {
  let bytes: [UInt8]
  var pos = 0

  init(_ bytes: [UInt8]) { self.bytes = bytes }

  private static let keywords: Set<String> = [
    "and", "or", "not", "is", "in", "set", "null", "empty", "true", "false", "nil",
  ]

  mutating func scan() -> [LintToken] {
    var tokens: [LintToken] = []
    while pos < bytes.count {
      let c = bytes[pos]
      let start = pos
      if RubyLexer.isSpace(c) {
        pos += 1
        continue
      }
      if c == UInt8(ascii: "#") {
        tokens.append(LintToken(kind: .comment, start: start, text: "#"))
        break
      }
      if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        pos += 1
        while pos < bytes.count && bytes[pos] != c {
          if startsDollar(pos) {
            skipDollar()
          } else {
            if bytes[pos] == 0x5C { pos += 1 }
            pos += 1
          }
        }
        pos = min(pos + 1, bytes.count)
        tokens.append(LintToken(kind: .quoted, start: start, text: text(start, pos)))
        continue
      }
      if (c == UInt8(ascii: "[") || c == UInt8(ascii: "{")) && !startsDollar(pos) {
        skipBracketed(open: c, close: c == UInt8(ascii: "[") ? UInt8(ascii: "]") : UInt8(ascii: "}"))
        tokens.append(LintToken(kind: .list, start: start, text: text(start, pos)))
        continue
      }
      if let op = ["==", "!=", "=~", "<=", ">=", "&&", "||", "&amp;&amp;", "<", ">", "&lt;", "&gt;"].first(where: {
        matches($0, at: pos)
      }) {
        pos += op.utf8.count
        let logical = op.hasPrefix("&&") || op == "||" || op == "&amp;&amp;"
        let display = op == "&lt;" ? "<" : (op == "&gt;" ? ">" : op)
        tokens.append(LintToken(kind: logical ? .logical : .comparison, start: start, text: display))
        continue
      }
      if c == UInt8(ascii: "(") || c == UInt8(ascii: ")") {
        pos += 1
        tokens.append(LintToken(kind: .paren, start: start, text: text(start, pos)))
        continue
      }
      if c == UInt8(ascii: "!") {
        pos += 1
        tokens.append(LintToken(kind: .keyword, start: start, text: "not"))
        continue
      }
      // A word run, possibly with substitutions inside (`SR${id}`, `do_${v:task}`).
      var hasDollar = false
      while pos < bytes.count {
        if startsDollar(pos) {
          hasDollar = true
          skipDollar()
          continue
        }
        let d = bytes[pos]
        if RubyLexer.isSpace(d) || d == UInt8(ascii: "\"") || d == UInt8(ascii: "'") || d == UInt8(ascii: "(")
          || d == UInt8(ascii: ")") || d == UInt8(ascii: "[") || d == UInt8(ascii: "{") || d == UInt8(ascii: "#")
          || d == UInt8(ascii: "<") || d == UInt8(ascii: ">") || d == UInt8(ascii: "|")
          || ((d == UInt8(ascii: "=") || d == UInt8(ascii: "!"))
            && (matches("==", at: pos) || matches("!=", at: pos) || matches("=~", at: pos)))
          || matches("&&", at: pos) || matches("&amp;", at: pos) || matches("&lt;", at: pos) || matches("&gt;", at: pos)
        {
          break
        }
        pos += 1
      }
      if pos == start {
        pos += 1
        tokens.append(LintToken(kind: .other, start: start, text: text(start, pos)))
        continue
      }
      let word = text(start, pos)
      let kind: LintToken.Kind
      if hasDollar {
        kind = .dollar
      } else if LintScanner.keywords.contains(word) {
        kind = .keyword
      } else if word.first.map({ $0.isNumber || $0 == "-" }) == true, Double(word) != nil || Int(word) != nil {
        kind = .number
      } else {
        kind = .word
      }
      tokens.append(LintToken(kind: kind, start: start, text: word))
    }
    return tokens
  }

  private func text(_ start: Int, _ end: Int) -> String {
    String(decoding: bytes[start..<min(end, bytes.count)], as: UTF8.self)
  }

  private func matches(_ literal: String, at index: Int) -> Bool {
    let l = Array(literal.utf8)
    return index + l.count <= bytes.count && bytes[index..<(index + l.count)].elementsEqual(l)
  }

  private func startsDollar(_ index: Int) -> Bool {
    index + 1 < bytes.count && bytes[index] == UInt8(ascii: "$") && bytes[index + 1] == UInt8(ascii: "{")
  }

  /// Skips a `${...}` (nested ones included).
  private mutating func skipDollar() {
    pos += 2
    var depth = 1
    while pos < bytes.count && depth > 0 {
      if startsDollar(pos) {
        depth += 1
        pos += 2
        continue
      }
      if bytes[pos] == UInt8(ascii: "}") { depth -= 1 }
      pos += 1
    }
  }

  private mutating func skipBracketed(open: UInt8, close: UInt8) {
    var depth = 0
    while pos < bytes.count {
      let c = bytes[pos]
      if startsDollar(pos) {
        skipDollar()
        continue
      }
      if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
        pos += 1
        while pos < bytes.count && bytes[pos] != c {
          if bytes[pos] == 0x5C { pos += 1 }
          pos += 1
        }
      } else if c == open {
        depth += 1
      } else if c == close {
        depth -= 1
        if depth == 0 {
          pos += 1
          return
        }
      }
      pos += 1
    }
  }
}
