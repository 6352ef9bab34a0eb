import OrderedJSON

/// Reads a definition's `.conf`: JSON, with whole lines whose first non-blank
/// character is `#` treated as comments (BOSS's format; no inline comments).
public enum ConfFile {
  /// Parses conf text; the error says what is wrong and where, in the file's own line numbers.
  public static func parse(_ text: String) throws(ConfError) -> JSONObject {
    var cleaned = ""
    cleaned.reserveCapacity(text.utf8.count)
    var sawContent = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      let trimmed = line.drop { $0 == " " || $0 == "\t" || $0 == "\r" }
      if trimmed.hasPrefix("#") {
        cleaned += "\n"  // keep line numbers
        continue
      }
      if !trimmed.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { sawContent = true }
      cleaned += line
      cleaned += "\n"
    }
    guard sawContent else { throw ConfError.empty }
    let value: JSONValue
    do {
      value = try JSONValue.parse(cleaned)
    } catch {
      throw ConfError.invalidJSON(error)
    }
    guard case .object(let object) = value else { throw ConfError.notAnObject(value.typeName) }
    return object
  }
}

/// Why a `.conf` cannot be used.
public enum ConfError: Error, Sendable, Equatable, CustomStringConvertible {
  case empty
  case invalidJSON(JSONParseError)
  case notAnObject(String)
  case unreadable(String)

  public var description: String {
    switch self {
    case .empty: "has no JSON in it (only comments or blank lines); write {} for no settings"
    case .invalidJSON(let error): "is not valid JSON at \(error)"
    case .notAnObject(let type): "must hold a JSON object ({...}), found \(type == "array" ? "an" : "a") \(type)"
    case .unreadable(let reason): "cannot be read: \(reason)"
    }
  }
}
