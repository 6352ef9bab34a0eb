/// Reports the `${...}` constructs that ruote 2.3.1 handled differently from robogrator
/// (the fixed quirks) and the ones robogrator refuses.
public enum SubstitutionLint {
  /// Findings for one attribute text (a key or a value), in text order.
  public static func findings(for text: String) -> [SubstitutionFinding] {
    let bytes = Array(text.utf8)
    guard Dollar.containsDollarBrace(bytes) else { return [] }
    let trace = DollarTrace()
    // Substitute every key with a neutral placeholder; the trace tells where the algorithm went.
    let placeholder = Array("x".utf8)
    _ = try? Dollar.expand(bytes, trace: trace) { (_: ArraySlice<UInt8>) throws(SubstitutionError) -> [UInt8] in
      placeholder
    }
    var out: [TextFinding] = []
    for (key, origin) in trace.keys {
      let offset = origin >= 0 ? bytes.characterOffset(ofByte: origin) : nil
      var k = Substring(key)
      if k.count >= 2, let f = k.first, f == "\"" || f == "'" { k = k.dropFirst() }
      let colon = k.firstIndex(of: ":")
      let prefix = colon.map { k[..<$0] } ?? ""
      let path = colon.map { k[k.index(after: $0)...] } ?? k
      if colon != nil, prefix.first == "r", !prefix.hasPrefix("vf"), !prefix.hasPrefix("fv") {
        out.append(
          TextFinding(
            severity: .error, code: "ruby-evaluation",
            message: "${\(key)} asks for Ruby evaluation, which robogrator refuses; "
              + "compute the value in a participant and read it with ${f:name}",
            offset: offset))
        continue
      }
      if path.allSatisfy({ $0 == "." }) {
        out.append(
          TextFinding(
            severity: .warning, code: "empty-key",
            message: "${\(key)} has an empty name: it crashed the process under ruote, robogrator renders \"\"; "
              + "remove it or name a field",
            offset: offset))
      }
    }
    // Only a `}` followed by a substitution changes the result.
    for brace in Set(trace.skippedLiteralBraces).sorted() where trace.keys.contains(where: { $0.1 > brace }) {
      out.append(
        TextFinding(
          severity: .warning, code: "literal-brace",
          message: "this '}' stopped ruote's substitution: the ${...} after it stayed literal text; "
            + "robogrator substitutes it. Move the '}' after the last ${...} if the old output was wanted",
          offset: bytes.characterOffset(ofByte: brace)))
    }
    if let stop = trace.backslashStop {
      out.append(
        TextFinding(
          severity: .info, code: "backslash-stop",
          message: "'\\${' does not escape: it stops all substitution from here on and the backslash stays "
            + "(as in ruote)",
          offset: bytes.characterOffset(ofByte: stop)))
    }
    return out.sorted { ($0.offset ?? 0) < ($1.offset ?? 0) }
  }
}
