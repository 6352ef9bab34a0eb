/// The four condition forms ruote recognises by how the text ends (§5.4), before any Ruby parsing.
///
/// They are ruote's regular expressions, tried in this order, each on every line (Ruby's `^`/`$`
/// are line anchors; `.` does not cross a newline):
/// - set:   `^(.*?)( +is)?( +not)?( +set)$`
/// - null:  `^(.+?)( +is)?( +not)?( +null)$`
/// - empty: `^(.*[\]}"'])( +is)?( +not)?( +empty)$`
/// - in:    `^(.+?)( +is)?( +not)?( +in) +(\[.*\]|\{.*\})$`
struct SpecialForm {
  enum Kind: String, CaseIterable {
    case set, null, empty, `in`
  }

  var kind: Kind
  /// The text before the optional `is` / `not` (X).
  var subject: ArraySlice<UInt8>
  var negated: Bool
  /// The `[...]` / `{...}` list of the `in` form.
  var list: ArraySlice<UInt8> = []

  static func match(_ text: [UInt8]) -> SpecialForm? {
    guard text.contains(0x0A) else {
      // One line (the usual case).
      guard let last = text.last, isFormEnd(last) else { return nil }
      for kind in Kind.allCases {
        if let form = match(kind, text[...]) { return form }
      }
      return nil
    }
    // Cheap rejection: no line ends with a form's last character (t, l, y, ], }).
    var candidate = false
    var i = 1
    while i < text.count {
      if text[i] == 0x0A && isFormEnd(text[i - 1]) {
        candidate = true
        break
      }
      i += 1
    }
    if let last = text.last, isFormEnd(last) { candidate = true }
    guard candidate else { return nil }
    for kind in Kind.allCases {
      var start = 0
      while start <= text.count {
        let end = text[start...].firstIndex(of: 0x0A) ?? text.count
        if let form = match(kind, text[start..<end]) { return form }
        start = end + 1
      }
    }
    return nil
  }

  private static func isFormEnd(_ c: UInt8) -> Bool {
    c == UInt8(ascii: "t") || c == UInt8(ascii: "l") || c == UInt8(ascii: "y") || c == UInt8(ascii: "]")
      || c == UInt8(ascii: "}")
  }

  private static func match(_ kind: Kind, _ line: ArraySlice<UInt8>) -> SpecialForm? {
    let n = line.count
    let base = line.startIndex
    switch kind {
    case .set, .null:
      let word = kind == .set ? "set" : "null"
      guard line.count > word.count, line.suffix(word.count).elementsEqual(word.utf8) else { return nil }
      let minimum = kind == .set ? 0 : 1
      guard minimum <= n else { return nil }
      var length = minimum
      while length <= n {
        if length < n && line[base + length] == 0x20, let negated = tail(line[(base + length)...], word: word) {
          return SpecialForm(kind: kind, subject: line[base..<(base + length)], negated: negated)
        }
        length += 1
      }
      return nil
    case .empty:
      guard line.count > 5, line.suffix(5).elementsEqual("empty".utf8) else { return nil }
      var length = n
      while length >= 1 {
        let c = line[base + length - 1]
        if c == UInt8(ascii: "]") || c == UInt8(ascii: "}") || c == UInt8(ascii: "\"") || c == UInt8(ascii: "'"),
          let negated = tail(line[(base + length)...], word: "empty")
        {
          return SpecialForm(kind: kind, subject: line[base..<(base + length)], negated: negated)
        }
        length -= 1
      }
      return nil
    case .in:
      guard let last = line.last, last == UInt8(ascii: "]") || last == UInt8(ascii: "}") else { return nil }
      guard n >= 1 else { return nil }
      var length = 1
      while length < n {
        if line[base + length] == 0x20, let (negated, list) = inTail(line[(base + length)...]) {
          return SpecialForm(kind: kind, subject: line[base..<(base + length)], negated: negated, list: list)
        }
        length += 1
      }
      return nil
    }
  }

  /// Matches `( +is)?( +not)?( +WORD)$` with the regex engine's preferences; returns whether `not` was there.
  private static func tail(_ rest: ArraySlice<UInt8>, word: String) -> Bool? {
    for (withIs, withNot) in [(true, true), (true, false), (false, true), (false, false)] {
      var r = rest
      if withIs && !consume(&r, "is") { continue }
      if withNot && !consume(&r, "not") { continue }
      if consume(&r, word) && r.isEmpty { return withNot }
    }
    return nil
  }

  /// Matches `( +is)?( +not)?( +in) +(\[.*\]|\{.*\})$`.
  private static func inTail(_ rest: ArraySlice<UInt8>) -> (Bool, ArraySlice<UInt8>)? {
    for (withIs, withNot) in [(true, true), (true, false), (false, true), (false, false)] {
      var r = rest
      if withIs && !consume(&r, "is") { continue }
      if withNot && !consume(&r, "not") { continue }
      guard consume(&r, "in") else { continue }
      var spaces = 0
      while r.first == 0x20 {
        r = r.dropFirst()
        spaces += 1
      }
      guard spaces > 0, r.count >= 2, let open = r.first, let close = r.last else { continue }
      if (open == UInt8(ascii: "[") && close == UInt8(ascii: "]"))
        || (open == UInt8(ascii: "{") && close == UInt8(ascii: "}"))
      {
        return (withNot, r)
      }
    }
    return nil
  }

  /// ` +WORD` (one or more spaces, then the word).
  private static func consume(_ r: inout ArraySlice<UInt8>, _ word: String) -> Bool {
    var k = r.startIndex
    while k < r.endIndex && r[k] == 0x20 { k += 1 }
    guard k > r.startIndex else { return false }
    let w = word.utf8
    guard r.endIndex - k >= w.count, r[k..<(k + w.count)].elementsEqual(w) else { return false }
    r = r[(k + w.count)...]
    return true
  }

  func evaluate() throws(RubyEvaluationError) -> Bool {
    switch kind {
    case .set:
      let (value, _) = try Condition.evaluateExpression(subject)
      var isSet = !value.isNil
      if case .string(let s) = value, s.isEmpty { isSet = false }
      return negated ? !isSet : isSet
    case .null:
      let (value, _) = try Condition.evaluateExpression(subject)
      return negated ? !value.isNil : value.isNil
    case .empty:
      let (value, _) = try Condition.evaluateExpression(subject)
      let isEmpty = value.rubyEmpty ?? false
      return negated ? !isEmpty : isEmpty
    case .in:
      // ruote rescues any error here and answers false.
      guard let (element, _) = try? Condition.evaluateExpression(subject),
        let (collection, _) = try? Condition.evaluateExpression(list),
        let included = collection.rubyIncludes(element)
      else { return false }
      return negated ? !included : included
    }
  }
}
