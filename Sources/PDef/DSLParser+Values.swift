import OrderedJSON

/// Values in arguments: literals, arrays, hashes, parentheses, `+` joins,
/// and the one comparison ruote evaluated at read time.
///
///     :comment => "Please review" +
///                 " the SR"                      # one string
///     :if => '${f:service_state}' != "running"  # Ruby compares two literals: true
///
/// Read without recursion: open arrays, hashes and parentheses wait on an
/// explicit stack, each remembering the expression it interrupted.
extension DSLParser {
  /// An expression being read: literals joined by `+`/`-`, then maybe `==`/`!=` and another sum.
  private struct PendingExpression {
    var sum: ParsedValue? = nil
    var operation: Token? = nil
    var comparisonLeft: ParsedValue? = nil
    var comparison: Token? = nil
  }

  /// An open container and the expression around it.
  private enum OpenValue {
    case array(opener: Token, elements: [JSONValue], outer: PendingExpression)
    /// `key` is nil while the key itself is being read.
    case hash(opener: Token, pairs: JSONObject, key: String?, outer: PendingExpression)
    case parenthesis(opener: Token, outer: PendingExpression)
  }

  /// Whether `token` can begin a value (otherwise "expected a value after ...").
  func canStartValue(_ token: Token) -> Bool {
    switch token.kind {
    case .newline, .semicolon, .endOfFile, .comma, .rightParen, .rightBracket, .rightBrace, .hashRocket, .dot,
      .doubleColon, .equalEqual, .notEqual, .plus, .label:
      return false
    case .identifier:
      let word = text(token)
      return word != "do" && word != "end"
    default:
      return true
    }
  }

  /// A whole value, optionally compared with `==` / `!=` to another literal.
  mutating func parseValue(after context: String) throws(PDefError) -> ParsedValue {
    try requireValue(after: context)
    let baseDepth = depth
    defer { depth = baseDepth }
    var stack: [OpenValue] = []
    var expression = PendingExpression()
    while true {
      // Read one primary, or open a container and go read its first element.
      guard var primary = try readPrimary(stack: &stack, expression: &expression) else { continue }
      // Fold the primary into the expression; close containers the value completes.
      while true {
        if let operation = expression.operation, let left = expression.sum {
          expression.sum = try combine(left, operation, primary)
          expression.operation = nil
        } else {
          expression.sum = primary
        }
        if current.kind == .plus || current.kind == .minus {
          expression.operation = try advance()
          skipNewlines()
          try requireValue(after: expression.operation.map(quoted) ?? "`+`")
          break
        }
        if current.kind == .equalEqual || current.kind == .notEqual {
          if expression.comparison != nil {
            throw error(
              "chained comparisons are not Ruby: write the condition as quoted text, e.g. :if => '${a} == b'",
              at: current)
          }
          expression.comparisonLeft = expression.sum
          expression.sum = nil
          expression.comparison = try advance()
          skipNewlines()
          try requireValue(after: expression.comparison.map(quoted) ?? "`==`")
          break
        }
        if current.kind == .other {
          throw error(
            DSLParser.strayMessage(text(current), expectation: "expected `,` or the end of the line"), at: current)
        }
        var value = primary
        if let sum = expression.sum { value = sum }
        if let comparison = expression.comparison, let left = expression.comparisonLeft {
          let equal = ParsedValue.rubyEqual(left, value)
          value = ParsedValue(
            value: .bool(comparison.kind == .equalEqual ? equal : !equal), kind: .boolean, location: left.location)
        }
        guard let open = stack.popLast() else { return value }
        depth -= 1
        guard let (closed, outer) = try deliver(value, to: open, stack: &stack, expression: &expression) else {
          break  // the container wants another element: read it
        }
        primary = closed
        expression = outer
      }
    }
  }

  private func requireValue(after context: String) throws(PDefError) {
    guard canStartValue(current) else { throw unexpected(current, "expected a value after \(context)") }
  }

  private mutating func open(_ container: OpenValue, _ token: Token, on stack: inout [OpenValue]) throws(PDefError) {
    try enter(token)
    stack.append(container)
  }

  /// Reads a literal (returned), or opens an array, hash or parenthesis
  /// (pushed, nil returned) — except an empty `[]` / `{}`, returned at once.
  private mutating func readPrimary(stack: inout [OpenValue], expression: inout PendingExpression)
    throws(PDefError) -> ParsedValue?
  {
    let token = try advance()
    let at = token.location
    switch token.kind {
    case .string:
      // Adjacent literals are one string in Ruby: 'a' "b".
      var joined = text(token)
      while current.kind == .string {
        joined += text(try advance())
      }
      return ParsedValue(value: .string(joined), kind: .string, location: at)
    case .symbol:
      return ParsedValue(value: .string(text(token)), kind: .symbol, location: at)
    case .regex:
      return ParsedValue(value: .string(text(token)), kind: .regex, location: at)
    case .integer:
      return ParsedValue(value: .int(token.integerValue), kind: .integer, location: at)
    case .float:
      return ParsedValue(value: .double(token.floatValue), kind: .float, location: at)
    case .minus:
      let number = current
      switch number.kind {
      case .integer:
        try advance()
        return ParsedValue(value: .int(-number.integerValue), kind: .integer, location: at)
      case .float:
        try advance()
        return ParsedValue(value: .double(-number.floatValue), kind: .float, location: at)
      default:
        throw unexpected(token, "expected a value")
      }
    case .identifier:
      let word = text(token)
      switch word {
      case "true": return ParsedValue(value: .bool(true), kind: .boolean, location: at)
      case "false": return ParsedValue(value: .bool(false), kind: .boolean, location: at)
      case "nil": return ParsedValue(value: .null, kind: .null, location: at)
      default:
        throw error(
          "bare word `\(word)` is a Ruby variable or method call, not a value: quote it ('\(word)')", at: token)
      }
    case .constant:
      let word = text(token)
      throw error("`\(word)` is a Ruby constant, not a value: quote it ('\(word)') if you mean the text", at: token)
    case .leftBracket:
      skipNewlines()
      if current.kind == .rightBracket {
        try advance()
        return ParsedValue(value: .array([]), kind: .array, location: at)
      }
      try checkNotEnded(token, closer: "]")
      try requireValue(after: "`[`")
      try open(.array(opener: token, elements: [], outer: expression), token, on: &stack)
    case .leftBrace:
      skipNewlines()
      if current.kind == .rightBrace {
        try advance()
        return ParsedValue(value: .object(JSONObject()), kind: .hash, location: at)
      }
      try checkNotEnded(token, closer: "}")
      let key = try readLabel()
      try requireValue(after: key.map { "`\($0):`" } ?? "`{`")
      try open(.hash(opener: token, pairs: JSONObject(), key: key, outer: expression), token, on: &stack)
    case .leftParen:
      skipNewlines()
      try checkNotEnded(token, closer: ")")
      try requireValue(after: "`(`")
      try open(.parenthesis(opener: token, outer: expression), token, on: &stack)
    default:
      throw unexpected(token, "expected a value")
    }
    expression = PendingExpression()
    return nil
  }

  /// A Ruby 1.9 `key:` label starting a hash pair, consumed; nil when the key is a value.
  private mutating func readLabel() throws(PDefError) -> String? {
    guard current.kind == .label else { return nil }
    let key = text(try advance())
    skipNewlines()
    return key
  }

  private func checkNotEnded(_ opener: Token, closer: String) throws(PDefError) {
    if case .endOfFile = current.kind {
      throw error(
        "\(quoted(opener)) opened at \(opener.location) is never closed: add the missing `\(closer)`", at: current)
    }
  }

  private func combine(_ left: ParsedValue, _ operation: Token, _ right: ParsedValue) throws(PDefError) -> ParsedValue {
    let result = operation.kind == .plus ? ParsedValue.add(left, right) : ParsedValue.subtract(left, right)
    guard let result else {
      let verb = operation.kind == .plus ? "join" : "subtract"
      throw error(
        "\(quoted(operation)) cannot \(verb) \(left.typeDescription) and \(right.typeDescription): "
          + "`+` joins two strings, two arrays or two numbers", at: operation)
    }
    return result
  }

  /// Hands a finished value to the container it belongs to. Returns the
  /// container's own value and the expression around it when the value
  /// closed it, or nil (container pushed back) when another element follows.
  private mutating func deliver(
    _ value: ParsedValue, to container: OpenValue, stack: inout [OpenValue], expression: inout PendingExpression
  ) throws(PDefError) -> (ParsedValue, PendingExpression)? {
    switch container {
    case .parenthesis(let opener, let outer):
      skipNewlines()
      guard current.kind == .rightParen else {
        try checkNotEnded(opener, closer: ")")
        throw unexpected(current, "expected the `)` closing the `(` at \(opener.location)")
      }
      try advance()
      var inner = value
      inner.location = opener.location
      return (inner, outer)

    case .array(let opener, var elements, let outer):
      if current.kind == .hashRocket {
        throw error("a `key => value` pair inside an array is not supported: use a hash `{...}`", at: current)
      }
      elements.append(value.value)
      skipNewlines()
      if current.kind == .comma {
        try advance()
        skipNewlines()
      } else if current.kind != .rightBracket {
        try checkNotEnded(opener, closer: "]")
        throw unexpected(current, "expected `,` or the `]` closing the `[` at \(opener.location)")
      }
      if current.kind == .rightBracket {
        try advance()
        return (ParsedValue(value: .array(elements), kind: .array, location: opener.location), outer)
      }
      try checkNotEnded(opener, closer: "]")
      try requireValue(after: "`,`")
      try open(.array(opener: opener, elements: elements, outer: outer), opener, on: &stack)
      expression = PendingExpression()
      return nil

    case .hash(let opener, var pairs, let key, let outer):
      guard let key else {
        // The value just read is a key.
        skipNewlines()
        guard current.kind == .hashRocket else { throw unexpected(current, "expected `=>` after a hash key") }
        guard let keyText = value.keyText else {
          throw PDefError(
            file: file, at: value.location,
            "\(value.typeDescription) cannot be a hash key: use a quoted string or a symbol")
        }
        try advance()
        skipNewlines()
        try requireValue(after: "`=>`")
        try open(.hash(opener: opener, pairs: pairs, key: keyText, outer: outer), opener, on: &stack)
        expression = PendingExpression()
        return nil
      }
      pairs[key] = value.value
      skipNewlines()
      if current.kind == .comma {
        try advance()
        skipNewlines()
      } else if current.kind != .rightBrace {
        try checkNotEnded(opener, closer: "}")
        throw unexpected(current, "expected `,` or the `}` closing the `{` at \(opener.location)")
      }
      if current.kind == .rightBrace {
        try advance()
        return (ParsedValue(value: .object(pairs), kind: .hash, location: opener.location), outer)
      }
      try checkNotEnded(opener, closer: "}")
      let nextKey = try readLabel()
      try requireValue(after: nextKey.map { "`\($0):`" } ?? "`,`")
      try open(.hash(opener: opener, pairs: pairs, key: nextKey, outer: outer), opener, on: &stack)
      expression = PendingExpression()
      return nil
    }
  }
}
