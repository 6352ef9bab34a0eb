import OrderedJSON

/// `${...}` dollar substitution as ruote 2.3.1 / rufus-dollar 1.0.4 did it (§4), with the fixes
/// the spec's Decisions ask for.
///
/// The algorithm (§4.2), repeated until nothing changes:
/// 1. take the first `}` and the last `${` before it;
/// 2. if a `{` lies strictly between them, retry with the next `}` (without this check);
/// 3. if that `${` is preceded by a backslash, stop (the backslash stays);
/// 4. replace `${key}` by the rendered value and start over on the whole new string, so
///    `${f:${v:k}}` resolves the inner key first and pasted values are expanded again.
///
/// Differences from ruote 2.3.1 (the fixes):
/// - **A literal `}` no longer cuts substitution short.** ruote stopped altogether when the first
///   `}` had no `${` before it (`'a } ${n}'`, `'{} == ${n}'` stayed unsubstituted). Such a `}`
///   written in the text is now passed over and the scan goes on. A `}` that came from a pasted
///   value still stops the scan as before — `'cut: ${h} then ${n}'` with a hash `h` still renders
///   `cut: {"k"=>1} then ${n}` (§4.2, T15) — because that cut depends on runtime data that lint
///   cannot see, while the literal one is exactly what ``SubstitutionLint`` reports. Every other
///   rule (the brace retry, `${n{x}y}`, the backslash stop, quoted keys, start-over) is unchanged.
/// - An empty key (`${}`, `${f:}`) renders "" instead of crashing the process.
/// - Re-expansion is bounded (``maxSteps`` substitutions, ``maxBytes`` of text): a value that
///   refers to itself throws ``SubstitutionError/expansionLimitExceeded(text:steps:bytes:)``
///   instead of overflowing the stack.
/// - `${r:...}` throws ``SubstitutionError/rubyEvaluationUnsupported(key:)`` (as BOSS's ruote did).
public enum Dollar {
  /// At most this many substitutions in one string (a self-referring value never settles).
  public static let maxSteps = 2_000
  /// At most this many bytes of text while substituting (or 8 times the original text, if larger).
  public static let maxBytes = 1 << 20

  /// Substitutes every `${...}` in `text` (§4.2); values are pasted as text (§4.4).
  public static func substitute(_ text: String, in context: some SubstitutionContext) throws(SubstitutionError)
    -> String
  {
    let bytes = Array(text.utf8)
    guard containsDollarBrace(bytes) else { return text }
    let result = try expand(bytes) { (key: ArraySlice<UInt8>) throws(SubstitutionError) -> [UInt8] in
      try renderKey(key, in: context)
    }
    return String(decoding: result, as: UTF8.self)
  }

  /// Substitutes an attribute value (§4.1, §4.5): strings are substituted, then a whole
  /// `$f:path` / `$path` / `$v:path` result is replaced by the referenced value with its JSON
  /// type (null when missing); arrays and objects are substituted recursively.
  ///
  /// With `substitutingKeys` the keys of objects are substituted too, as ruote does when it
  /// compiles a whole attribute map (participant params, `set` targets, subprocess variables);
  /// a key whose raw form resolves to a non-string is rendered as text (Ruby's `to_s`).
  public static func substituteAttribute(
    _ value: JSONValue, in context: some SubstitutionContext, substitutingKeys: Bool = false
  ) throws(SubstitutionError) -> JSONValue {
    try substituteAttribute(value, in: context, substitutingKeys: substitutingKeys, depth: 0)
  }

  /// Substitutes an attribute key (always done, even under `:escape`): the text form of the result.
  public static func substituteKey(_ key: String, in context: some SubstitutionContext) throws(SubstitutionError)
    -> String
  {
    let text = try substitute(key, in: context)
    if let raw = rawReference(text, in: context) {
      return RubyInspect.render(raw)
    }
    return text
  }

  private static func substituteAttribute(
    _ value: JSONValue, in context: some SubstitutionContext, substitutingKeys: Bool, depth: Int
  ) throws(SubstitutionError) -> JSONValue {
    switch value {
    case .string(let text):
      let substituted = try substitute(text, in: context)
      return rawReference(substituted, in: context) ?? .string(substituted)
    case .array(let elements):
      guard depth < RubyInspect.maxDepth else { return value }
      var out: [JSONValue] = []
      out.reserveCapacity(elements.count)
      for element in elements {
        out.append(try substituteAttribute(element, in: context, substitutingKeys: substitutingKeys, depth: depth + 1))
      }
      return .array(out)
    case .object(let object):
      guard depth < RubyInspect.maxDepth else { return value }
      var out = JSONObject()
      for (key, element) in object {
        let newKey = substitutingKeys ? try substituteKey(key, in: context) : key
        out[newKey] = try substituteAttribute(
          element, in: context, substitutingKeys: substitutingKeys, depth: depth + 1)
      }
      return .object(out)
    default:
      return value
    }
  }

  /// The raw (typed) form of §4.5 on an already substituted text: `$f:path`, `$fld:path`,
  /// `$field:path`, `$path`, `$v:path`, `$var:path`, `$variable:path` → the value itself
  /// (`.null` when missing); nil when the text is not such a reference.
  ///
  /// As in Ruby, `^` and `$` of ruote's patterns match at line boundaries, so a reference
  /// standing alone on one line of a multi-line text counts.
  public static func rawReference(_ text: String, in context: some SubstitutionContext) -> JSONValue? {
    let bytes = Array(text.utf8)
    guard bytes.contains(UInt8(ascii: "$")) else { return nil }
    var lines: [ArraySlice<UInt8>] = []
    var start = 0
    for (i, byte) in bytes.enumerated() where byte == 0x0A {
      lines.append(bytes[start..<i])
      start = i + 1
    }
    lines.append(bytes[start...])
    for line in lines {
      if let path = rawPath(line, prefixes: ["variable", "var", "v"]) {
        let value = path.isEmpty ? nil : context.lookupVariable(String(decoding: path, as: UTF8.self))
        return value ?? .null
      }
    }
    for line in lines {
      if let path = rawPath(line, prefixes: nil) {
        return lookupPath(bytes: path, in: context.fields) ?? .null
      }
    }
    for line in lines {
      if let path = rawPath(line, prefixes: ["field", "fld", "f"]) {
        return lookupPath(bytes: path, in: context.fields) ?? .null
      }
    }
    return nil
  }

  /// Matches `\$(?:p1|p2|...):([^{}\s\$]+)` (or `\$([^{}:\s\$]+)` without prefixes) against a whole line.
  private static func rawPath(_ line: ArraySlice<UInt8>, prefixes: [String]?) -> ArraySlice<UInt8>? {
    guard line.first == UInt8(ascii: "$") else { return nil }
    var body = line.dropFirst()
    if let prefixes {
      var matched = false
      for prefix in prefixes {
        let p = Array(prefix.utf8) + [UInt8(ascii: ":")]
        if body.starts(with: p) {
          body = body.dropFirst(p.count)
          matched = true
          break
        }
      }
      guard matched else { return nil }
    }
    guard !body.isEmpty else { return nil }
    for byte in body {
      switch byte {
      case UInt8(ascii: "{"), UInt8(ascii: "}"), UInt8(ascii: "$"), 0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D: return nil
      case UInt8(ascii: ":") where prefixes == nil: return nil
      default: continue
      }
    }
    return body
  }

  // MARK: - The algorithm

  static func containsDollarBrace(_ bytes: [UInt8]) -> Bool {
    var i = 0
    let n = bytes.count
    while i + 1 < n {
      if bytes[i] == UInt8(ascii: "$") && bytes[i + 1] == UInt8(ascii: "{") { return true }
      i += 1
    }
    return false
  }

  /// Renders one key as ruote pasted it: quoted keys (`${"x}`, `${'x}`) are rendered again with `inspect`.
  static func renderKey(_ raw: ArraySlice<UInt8>, in context: some SubstitutionContext) throws(SubstitutionError)
    -> [UInt8]
  {
    var key = raw
    var quoted = false
    if key.count >= 2, let first = key.first, first == UInt8(ascii: "\"") || first == UInt8(ascii: "'") {
      quoted = true
      key = key.dropFirst()
    }
    let value = try resolve(keyBytes: key, in: context)
    var out: [UInt8] = []
    RubyInspect.appendRender(value, to: &out)
    if quoted {
      let text = String(decoding: out, as: UTF8.self)
      out.removeAll(keepingCapacity: true)
      RubyInspect.appendInspect(string: text, to: &out)
    }
    return out
  }

  /// The substitution loop (§4.2 with the fixes); `trace` records what lint needs to know.
  static func expand(
    _ input: [UInt8],
    trace: DollarTrace? = nil,
    render: (ArraySlice<UInt8>) throws(SubstitutionError) -> [UInt8]
  ) throws(SubstitutionError) -> [UInt8] {
    let close = UInt8(ascii: "}")
    let open = UInt8(ascii: "{")
    var text = input
    // Positions of `}` bytes that came from pasted values (sorted); they still cut the scan.
    var valueBraces: [Int] = []
    // For lint: the offset in `input` of every byte, or -1 for pasted bytes.
    var origins: [Int] = trace == nil ? [] : Array(0..<input.count)
    var offset = 0
    var braceCheck = true
    var steps = 0
    while true {
      guard let j = firstIndex(of: close, in: text, from: offset) else { return text }
      guard let i = lastDollarBrace(in: text, before: j) else {
        if binarySearch(valueBraces, j) {
          trace?.pastedBraceStop = true
          return text
        }
        // Fixed: a literal `}` with no `${` before it is passed over (ruote stopped here).
        trace?.skippedLiteralBraces.append(trace == nil ? j : origins[j])
        offset = j + 1
        continue
      }
      if i > 0 && text[i - 1] == UInt8(ascii: "\\") {
        trace?.backslashStop = trace == nil ? i : origins[i - 1]
        return text
      }
      if braceCheck && text[(i + 2)..<j].contains(open) {
        braceCheck = false
        offset = j + 1
        continue
      }
      let key = text[(i + 2)..<j]
      if let trace {
        trace.keys.append((String(decoding: key, as: UTF8.self), origins[i]))
      }
      let value = try render(key)
      let removed = j - i + 1
      let delta = value.count - removed
      text.replaceSubrange(i...j, with: value)
      if !valueBraces.isEmpty || value.contains(close) {
        var updated: [Int] = []
        for position in valueBraces where position < i { updated.append(position) }
        for (k, byte) in value.enumerated() where byte == close { updated.append(i + k) }
        for position in valueBraces where position > j { updated.append(position + delta) }
        valueBraces = updated
      }
      if trace != nil {
        origins.replaceSubrange(i...j, with: repeatElement(-1, count: value.count))
      }
      steps += 1
      if steps > maxSteps || text.count > Swift.max(maxBytes, 8 * input.count) {
        throw .expansionLimitExceeded(
          text: String(decoding: input, as: UTF8.self), steps: steps, bytes: text.count)
      }
      offset = 0
      braceCheck = true
    }
  }

  private static func firstIndex(of byte: UInt8, in text: [UInt8], from offset: Int) -> Int? {
    var k = offset
    let n = text.count
    while k < n {
      if text[k] == byte { return k }
      k += 1
    }
    return nil
  }

  /// The last `${` lying wholly before `end` (Ruby's `text[0, end].rindex('${')`).
  private static func lastDollarBrace(in text: [UInt8], before end: Int) -> Int? {
    var k = end - 2
    while k >= 0 {
      if text[k] == UInt8(ascii: "$") && text[k + 1] == UInt8(ascii: "{") { return k }
      k -= 1
    }
    return nil
  }

  private static func binarySearch(_ sorted: [Int], _ value: Int) -> Bool {
    var low = 0
    var high = sorted.count
    while low < high {
      let mid = (low + high) / 2
      if sorted[mid] < value {
        low = mid + 1
      } else {
        high = mid
      }
    }
    return low < sorted.count && sorted[low] == value
  }
}

/// What one run of the substitution loop did, for ``SubstitutionLint``.
final class DollarTrace {
  /// Offsets (in the original text) of literal `}` that ruote would have stopped at.
  var skippedLiteralBraces: [Int] = []
  /// Keys substituted, with the offset of their `${` in the original text (-1 if pasted).
  var keys: [(String, Int)] = []
  /// Offset of a backslash that stopped substitution.
  var backslashStop: Int?
  var pastedBraceStop = false
}
