import OrderedJSON

/// A condition that cannot be interpreted (ruote raised at evaluation time); the process errors.
public struct ConditionError: Error, Sendable, Equatable, CustomStringConvertible {
  /// The condition text after substitution and `&amp;`/`&gt;`/`&lt;` unescaping.
  public let text: String
  /// What went wrong, for logs (ruote's message does not say).
  public let reason: String

  public init(text: String, reason: String) {
    self.text = text
    self.reason = reason
  }

  /// ruote's message, word for word.
  public var description: String {
    "couldn't interpret >\(text)<, if it comes from a ${xx} construct, please use ${\"xx} or ${'yy}"
  }
}

/// The condition language of `:if`, `:unless`, `_if :test`, `:break_if`, `listen :where`, ... (§5).
///
/// Pipeline (§5.2): dollar substitution (values pasted as text); `&amp;`, `&gt;`, `&lt;`
/// unescaped; then the special forms recognised by how the text ends — `X [is] [not] set`,
/// `X [is] [not] null`, `X [is] [not] empty` (X a literal), `X [is] [not] in [...]|{...}`;
/// otherwise the text is read as a Ruby expression (ruby_parser 2.3.1's grammar) and
/// interpreted: a tokenizer error falls back to comparing the raw text around the first
/// `==` (else `!=`), a grammar error is false, an evaluation error throws ``ConditionError``.
public enum Condition {
  /// Substitutes `text` and evaluates it. For attribute values from the tree prefer
  /// ``evaluate(attribute:in:)``, which also resolves the raw `$f:x` form as ruote did.
  public static func evaluate(_ text: String, in context: some SubstitutionContext) throws -> Bool {
    var bytes = Array(text.utf8)
    if Dollar.containsDollarBrace(bytes) {
      bytes = try Dollar.expand(bytes) { (key: ArraySlice<UInt8>) throws(SubstitutionError) -> [UInt8] in
        try Dollar.renderKey(key, in: context)
      }
    }
    return try evaluateSubstituted(bytes: bytes)
  }

  /// Evaluates an already substituted condition text (what ruote's `Condition.true?` gets).
  public static func evaluateSubstituted(_ text: String) throws(ConditionError) -> Bool {
    try evaluateSubstituted(bytes: Array(text.utf8))
  }

  static func evaluateSubstituted(bytes substituted: [UInt8]) throws(ConditionError) -> Bool {
    let bytes = unescape(substituted)
    do {
      return try evaluateUnescaped(bytes).truthy
    } catch {
      throw ConditionError(text: String(decoding: bytes, as: UTF8.self), reason: error.reason)
    }
  }

  /// ruote's `:if`/`:unless` rule (§5.1) on raw attribute values: only `:if` counts when both
  /// are present; an empty or blank condition is false (so the expression is skipped for
  /// `:if` and runs for `:unless`); a non-string value is evaluated as its Ruby text; a value
  /// that is (or substitutes to, via `$f:x`) null counts as absent. Returns whether the
  /// expression should be applied.
  public static func shouldApply(
    ifValue: JSONValue?, unlessValue: JSONValue?, in context: some SubstitutionContext
  ) throws -> Bool {
    if let condition = try text(ofAttribute: ifValue, in: context) {
      return try evaluateSubstituted(condition)
    }
    if let condition = try text(ofAttribute: unlessValue, in: context) {
      return !(try evaluateSubstituted(condition))
    }
    return true
  }

  /// Evaluates a condition attribute as written in the tree (`:break_if`, `:where`, `_if :test`, ...):
  /// substituted with the raw form resolved, a non-string evaluated as its Ruby text. Returns nil
  /// when the value counts as absent (null, or a `$f:x` that resolves to null).
  public static func evaluate(attribute value: JSONValue, in context: some SubstitutionContext) throws -> Bool? {
    guard let text = try text(ofAttribute: value, in: context) else { return nil }
    return try evaluateSubstituted(text)
  }

  /// The text a condition attribute is evaluated as: substituted, raw form resolved, Ruby `to_s`;
  /// nil when it counts as absent. (`_if` needs it: an exactly empty test means "no test", §3.11.)
  public static func text(ofAttribute value: JSONValue?, in context: some SubstitutionContext)
    throws(SubstitutionError) -> String?
  {
    guard let value else { return nil }
    let substituted = try Dollar.substituteAttribute(value, in: context)
    switch substituted {
    case .null: return nil
    case .string(let s): return s
    default: return RubyInspect.render(substituted)
    }
  }

  // MARK: - Explanation (for lint, tests and diagnostics)

  /// The route an (already substituted) condition took through the pipeline.
  public enum Route: Sendable, Equatable {
    /// One of the special forms decided (`set`, `null`, `empty`, `in`).
    case specialForm(String)
    /// Parsed and interpreted as Ruby.
    case ruby
    /// Nothing to evaluate (blank, or only a comment): false.
    case blank
    /// The tokenizer refused the text: the raw text was compared around `==`/`!=`.
    case lexerError(String)
    /// The grammar refused the text: false.
    case grammarError(String)
    /// The interpreter could not give it a value: a ``ConditionError`` (process error).
    case evaluationError(String)
  }

  /// How a substituted condition evaluates and why.
  public struct Explanation: Sendable, Equatable {
    /// The text after unescaping.
    public let text: String
    public let route: Route
    /// The result; nil when the condition raises (``Route/evaluationError(_:)``).
    public let value: Bool?
  }

  /// Evaluates an already substituted condition and tells which route decided it.
  public static func explain(substituted text: String) -> Explanation {
    let bytes = unescape(Array(text.utf8))
    let unescaped = String(decoding: bytes, as: UTF8.self)
    do {
      let (truthy, route) = try evaluateUnescaped(bytes)
      return Explanation(text: unescaped, route: route, value: truthy)
    } catch {
      return Explanation(text: unescaped, route: .evaluationError(error.reason), value: nil)
    }
  }

  // MARK: - Pipeline

  /// `&amp;` → `&`, then `&gt;` → `>`, then `&lt;` → `<` (ruote's three `gsub`s, in that order).
  static func unescape(_ bytes: [UInt8]) -> [UInt8] {
    guard bytes.contains(UInt8(ascii: "&")) else { return bytes }
    var text = bytes
    for (entity, replacement) in [
      ("&amp;", UInt8(ascii: "&")), ("&gt;", UInt8(ascii: ">")), ("&lt;", UInt8(ascii: "<")),
    ] {
      let pattern = Array(entity.utf8)
      var out: [UInt8] = []
      out.reserveCapacity(text.count)
      var i = 0
      while i < text.count {
        if text[i] == UInt8(ascii: "&") && i + pattern.count <= text.count
          && text[i..<(i + pattern.count)].elementsEqual(pattern)
        {
          out.append(replacement)
          i += pattern.count
        } else {
          out.append(text[i])
          i += 1
        }
      }
      text = out
    }
    return text
  }

  static func evaluateUnescaped(_ bytes: [UInt8]) throws(RubyEvaluationError) -> (truthy: Bool, route: Route) {
    if let form = SpecialForm.match(bytes) {
      return (try form.evaluate(), .specialForm(form.kind.rawValue))
    }
    let (value, route) = try evaluateExpression(bytes[...])
    return (value.isTruthy, route)
  }

  /// ruote's `evl` on a text: parse and interpret, with the lexer/grammar fallbacks.
  static func evaluateExpression(_ bytes: ArraySlice<UInt8>) throws(RubyEvaluationError) -> (RubyValue, Route) {
    let tree: Sexp?
    do {
      tree = try RubyParser.parse(bytes)
    } catch {
      switch error {
      case .lexer(let message, _): return (naiveComparison(bytes), .lexerError(message))
      case .grammar(let message, _): return (.bool(false), .grammarError(message))
      }
    }
    guard let tree else { return (.rubyNil, .blank) }
    return (try RubyEvaluator.evaluate(tree), .ruby)
  }

  /// The fallback for texts the tokenizer refused (§5.2 step 5): split at the first `==`
  /// (else the first `!=`), strip the left piece, left-strip the right one, compare as text;
  /// with neither operator the text itself is the (truthy) value.
  static func naiveComparison(_ bytes: ArraySlice<UInt8>) -> RubyValue {
    for (op, equal) in [(UInt8(ascii: "="), true), (UInt8(ascii: "!"), false)] {
      var i = bytes.startIndex
      while i + 1 < bytes.endIndex {
        if bytes[i] == op && bytes[i + 1] == UInt8(ascii: "=") {
          let left = RubyEvaluator.strip(bytes[bytes.startIndex..<i])
          var r = i + 2
          while r < bytes.endIndex && (bytes[r] == 0 || RubyLexer.isSpace(bytes[r])) { r += 1 }
          let right = String(decoding: bytes[r...], as: UTF8.self)
          let same = left.utf8.elementsEqual(right.utf8)
          return .bool(equal ? same : !same)
        }
        i += 1
      }
    }
    return .string(String(decoding: bytes, as: UTF8.self))
  }
}
