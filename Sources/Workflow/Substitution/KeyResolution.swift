import OrderedJSON

// Key resolution (§4.3): reserved names, the prefix rules and ruote's dotted-path
// lookup (`Ruote.lookup`), with its Ruby quirks kept.

extension Dollar {
  /// Resolves a `${...}` key (without the braces and without a leading quote) to a value; nil = missing.
  ///
  /// - Reserved names first (exact, bare key): `wfid`, `expid`, `subid`/`sub_wfid`, `engine_id`,
  ///   `fei`, `mnemo_id`, `tags`, `tag`, `full_tag`.
  /// - No `:` → field path. Prefix (text before the first `:`) starting with `vf` → variable then
  ///   field; `fv` → field then variable; `f…` → field; `v…` → variable; `r…` → Ruby evaluation
  ///   (throws); anything else → missing.
  /// - An empty path (`${}`, `${f:}`, `${.}`) is missing (ruote 2.3.1 crashed on it).
  public static func resolve(key: String, in context: some SubstitutionContext) throws(SubstitutionError) -> JSONValue?
  {
    try resolve(keyBytes: Array(key.utf8)[...], in: context)
  }

  static func resolve(keyBytes key: ArraySlice<UInt8>, in context: some SubstitutionContext) throws(SubstitutionError)
    -> JSONValue?
  {
    if key.isEmpty { return nil }
    if let reserved = reservedName(key) {
      return context.reservedValue(reserved)
    }
    guard let colon = key.firstIndex(of: UInt8(ascii: ":")) else {
      return lookupPath(bytes: key, in: context.fields)
    }
    let prefix = key[key.startIndex..<colon]
    let rest = key[(colon + 1)...]
    if prefix.count >= 2 {
      let first = prefix[prefix.startIndex]
      let second = prefix[prefix.startIndex + 1]
      if first == UInt8(ascii: "v") && second == UInt8(ascii: "f") {
        return variable(rest, in: context) ?? lookupPath(bytes: rest, in: context.fields)
      }
      if first == UInt8(ascii: "f") && second == UInt8(ascii: "v") {
        return lookupPath(bytes: rest, in: context.fields) ?? variable(rest, in: context)
      }
    }
    switch prefix.first {
    case UInt8(ascii: "f"): return lookupPath(bytes: rest, in: context.fields)
    case UInt8(ascii: "v"): return variable(rest, in: context)
    case UInt8(ascii: "r"): throw .rubyEvaluationUnsupported(key: String(decoding: key, as: UTF8.self))
    default: return nil
    }
  }

  private static func variable(_ name: ArraySlice<UInt8>, in context: some SubstitutionContext) -> JSONValue? {
    if name.isEmpty { return nil }
    let value = context.lookupVariable(String(decoding: name, as: UTF8.self))
    if case .some(.null) = value { return nil }
    return value
  }

  private static func reservedName(_ key: ArraySlice<UInt8>) -> ReservedName? {
    guard key.count >= 3 && key.count <= 9, let first = key.first,
      first == UInt8(ascii: "w") || first == UInt8(ascii: "e") || first == UInt8(ascii: "s")
        || first == UInt8(ascii: "f") || first == UInt8(ascii: "m") || first == UInt8(ascii: "t")
    else { return nil }
    return ReservedName(bytes: key)
  }

  /// ruote's `Ruote.lookup`: follows a dotted path from `root`; nil when anything on the way is missing.
  ///
  /// Ruby's rules are kept: `split('.')` drops trailing empty segments (`a.` ≡ `a`); a segment
  /// whose `to_i` is non-zero (`1`, `-1`, ` 2`, `1abc`) or that is exactly `0` is an integer:
  /// it indexes arrays (negative from the end), reads the key `String(n)` on objects, the n-th
  /// character of a string (or the text `n` if the string contains it) and the n-th bit of an
  /// integer; any other segment reads an object key, or on a string gives the segment itself
  /// when the string contains it.
  public static func lookupPath(_ path: String, in root: JSONValue) -> JSONValue? {
    var path = path
    return path.withUTF8 { lookupPath(bytes: $0[...], in: root) }
  }

  static func lookupPath<Bytes: Collection<UInt8>>(bytes path: Bytes, in root: JSONValue) -> JSONValue?
  where Bytes.Index == Int, Bytes.SubSequence: Collection<UInt8>, Bytes.SubSequence.Index == Int {
    var end = path.endIndex
    while end > path.startIndex && path[end - 1] == UInt8(ascii: ".") { end -= 1 }
    if end == path.startIndex { return nil }
    var current = root
    var start = path.startIndex
    while true {
      let dot = path[start..<end].firstIndex(of: UInt8(ascii: ".")) ?? end
      guard let next = step(current, segment: path[start..<dot]) else { return nil }
      current = next
      if dot == end { return current }
      start = dot + 1
    }
  }

  private enum PathKey {
    case index(Int)
    /// An integer too large for `Int`, as Ruby's `to_s` would print it.
    case big(String)
    case name(String)
  }

  private static func narrowKey<Bytes: Collection<UInt8>>(_ segment: Bytes) -> PathKey where Bytes.Index == Int {
    if segment.count == 1 && segment.first == UInt8(ascii: "0") { return .index(0) }
    switch RubyInteger.toI(segment) {
    case .zero: return .name(String(decoding: segment, as: UTF8.self))
    case .value(let n): return .index(n)
    case .overflow(let text): return .big(text)
    }
  }

  private static func step<Bytes: Collection<UInt8>>(_ collection: JSONValue, segment: Bytes) -> JSONValue?
  where Bytes.Index == Int {
    let key = narrowKey(segment)
    let found: JSONValue?
    switch (collection, key) {
    case (.object(let object), .name(let name)):
      found = object[name]
    case (.object(let object), .index(let n)):
      found = object[String(n)]
    case (.object(let object), .big(let text)):
      found = object[text]
    case (.array(let array), .index(let n)):
      let i = n < 0 ? array.count + n : n
      found = (i >= 0 && i < array.count) ? array[i] : nil
    case (.string(let string), .index(let n)):
      found = character(of: string, at: n) ?? substring(of: string, String(n))
    case (.string(let string), .big(let text)):
      found = substring(of: string, text)
    case (.string(let string), .name(let name)):
      found = substring(of: string, name)
    case (.int(let i), .index(let n)):
      if n < 0 {
        found = .int(0)
      } else if n >= Int.bitWidth {
        found = .int(i < 0 ? 1 : 0)
      } else {
        found = .int((i >> n) & 1)
      }
    case (.int(let i), .big(let text)):
      found = .int(text.hasPrefix("-") ? 0 : (i < 0 ? 1 : 0))
    default:
      found = nil
    }
    if case .some(.null) = found { return nil }
    return found
  }

  private static func character(of string: String, at n: Int) -> JSONValue? {
    let scalars = string.unicodeScalars
    let count = scalars.count
    let i = n < 0 ? count + n : n
    guard i >= 0 && i < count else { return nil }
    let index = scalars.index(scalars.startIndex, offsetBy: i)
    return .string(String(scalars[index]))
  }

  private static func substring(of string: String, _ needle: String) -> JSONValue? {
    if needle.isEmpty { return .string("") }
    let haystack = Array(string.utf8)
    let pattern = Array(needle.utf8)
    guard pattern.count <= haystack.count else { return nil }
    for start in 0...(haystack.count - pattern.count)
    where haystack[start] == pattern[0] && haystack[start..<(start + pattern.count)].elementsEqual(pattern) {
      return .string(needle)
    }
    return nil
  }
}

/// Ruby's `String#to_i` (base 10), as ruote uses it to decide whether a path segment is an index.
enum RubyInteger {
  enum Result: Equatable {
    case zero
    case value(Int)
    case overflow(String)
  }

  /// Leading whitespace, an optional sign, then digits with single underscores between them;
  /// parsing stops at the first other character (`"1abc"` → 1, `"_1"` → 0, `"1__0"` → 1).
  static func toI<Bytes: Collection<UInt8>>(_ bytes: Bytes) -> Result where Bytes.Index == Int {
    var index = bytes.startIndex
    while index < bytes.endIndex, [0x20, 0x09, 0x0A, 0x0B, 0x0C, 0x0D].contains(bytes[index]) { index += 1 }
    var negative = false
    if index < bytes.endIndex, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
      negative = bytes[index] == UInt8(ascii: "-")
      index += 1
    }
    var digits: [UInt8] = []
    while index < bytes.endIndex {
      let c = bytes[index]
      if c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") {
        digits.append(c)
        index += 1
      } else if c == UInt8(ascii: "_") && !digits.isEmpty && index + 1 < bytes.endIndex
        && bytes[index + 1] >= UInt8(ascii: "0") && bytes[index + 1] <= UInt8(ascii: "9")
      {
        index += 1
      } else {
        break
      }
    }
    while digits.count > 1 && digits.first == UInt8(ascii: "0") { digits.removeFirst() }
    if digits.isEmpty || digits == [UInt8(ascii: "0")] { return .zero }
    var value = 0
    for digit in digits {
      let (m, o1) = value.multipliedReportingOverflow(by: 10)
      let (a, o2) = m.addingReportingOverflow(Int(digit - UInt8(ascii: "0")))
      if o1 || o2 {
        return .overflow((negative ? "-" : "") + String(decoding: digits, as: UTF8.self))
      }
      value = a
    }
    return .value(negative ? -value : value)
  }
}
