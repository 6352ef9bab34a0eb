import Foundation
import Synchronization

/// A Ruby regular expression as the condition language sees it: its source and its flags.
///
/// Matching translates the Ruby syntax to ICU (`NSRegularExpression`) once and caches the
/// compiled expression: `^`/`$` are line anchors, only `\n` ends a line, `/m` lets `.` match
/// newlines, and `\w \d \s \h` are the ASCII classes Ruby means.
struct RubyRegex: Sendable, Hashable {
  var source: String
  var ignoreCase = false
  var multiline = false
  var extended = false

  init(source: String, flags: String = "") {
    self.source = source
    for flag in flags {
      switch flag {
      case "i": ignoreCase = true
      case "m": multiline = true
      case "x": extended = true
      default: continue  // o, n, e, s, u do not change matching
      }
    }
  }

  /// `/source/flags`.
  var literal: String {
    "/" + source + "/" + (multiline ? "m" : "") + (ignoreCase ? "i" : "") + (extended ? "x" : "")
  }

  /// Ruby's `Regexp#to_s`: `(?-mix:src)`, `(?x-mi:src)`, `(?mix:src)`.
  var rubyToS: String {
    var on = ""
    var off = ""
    for (flag, set) in [("m", multiline), ("i", ignoreCase), ("x", extended)] {
      if set { on += flag } else { off += flag }
    }
    return "(?" + on + (off.isEmpty ? "" : "-" + off) + ":" + source + ")"
  }

  /// Ruby `Regexp#==`: same source and same flags.
  static func == (lhs: RubyRegex, rhs: RubyRegex) -> Bool {
    lhs.source == rhs.source && lhs.ignoreCase == rhs.ignoreCase && lhs.multiline == rhs.multiline
      && lhs.extended == rhs.extended
  }

  func hash(into hasher: inout Hasher) {
    hasher.combine(source)
    hasher.combine(ignoreCase)
    hasher.combine(multiline)
    hasher.combine(extended)
  }

  /// Whether the expression compiles (Ruby raises at parse time when it does not).
  var isValid: Bool { RegexCache.shared.compiled(self) != nil }

  /// Ruby `=~`: the character index of the first match, nil when there is none.
  func firstMatch(in string: String) -> Int? {
    guard let regex = RegexCache.shared.compiled(self) else { return nil }
    let ns = string as NSString
    let match = regex.rangeOfFirstMatch(in: string, options: [], range: NSRange(location: 0, length: ns.length))
    guard match.location != NSNotFound else { return nil }
    // Ruby answers in characters (code points); NSRegularExpression in UTF-16 units.
    var units = 0
    var characters = 0
    for scalar in string.unicodeScalars {
      if units >= match.location { break }
      units += scalar.value > 0xFFFF ? 2 : 1
      characters += 1
    }
    return characters
  }

  /// The ICU pattern for this Ruby source.
  var icuPattern: String {
    var out = ""
    var chars = Array(source.unicodeScalars)[...]
    var inClass = 0
    while let c = chars.popFirst() {
      if c == "\\", let next = chars.popFirst() {
        switch next {
        case "h": out += inClass > 0 ? "0-9a-fA-F" : "[0-9a-fA-F]"
        case "H": out += "[^0-9a-fA-F]"
        case "w": out += inClass > 0 ? "a-zA-Z0-9_" : "[a-zA-Z0-9_]"
        case "W": out += "[^a-zA-Z0-9_]"
        case "d": out += inClass > 0 ? "0-9" : "[0-9]"
        case "D": out += "[^0-9]"
        case "s": out += inClass > 0 ? " \\t\\n\\f\\r\\x{0B}" : "[ \\t\\n\\f\\r\\x{0B}]"
        case "S": out += "[^ \\t\\n\\f\\r\\x{0B}]"
        case "v": out += "\\x{0B}"
        case "/": out += "/"
        case "u":
          if chars.first == "{" {
            out += "\\x"
          } else {
            out += "\\u"
          }
        default:
          out.unicodeScalars.append("\\")
          out.unicodeScalars.append(next)
        }
        continue
      }
      if c == "[" {
        inClass += 1
      } else if c == "]" && inClass > 0 {
        inClass -= 1
      } else if c == "(" && inClass == 0 && chars.first == "?" {
        // Inline flags: Ruby's `m` is ICU's `s`.
        out += "(?"
        chars.removeFirst()
        while let f = chars.first, "imx-".unicodeScalars.contains(f) {
          chars.removeFirst()
          out.unicodeScalars.append(f == "m" ? "s" : f)
        }
        continue
      }
      out.unicodeScalars.append(c)
    }
    return out
  }

  var icuOptions: NSRegularExpression.Options {
    var options: NSRegularExpression.Options = [.anchorsMatchLines, .useUnixLineSeparators]
    if ignoreCase { options.insert(.caseInsensitive) }
    if multiline { options.insert(.dotMatchesLineSeparators) }
    if extended { options.insert(.allowCommentsAndWhitespace) }
    return options
  }
}

/// Compiled regular expressions, shared by every evaluation (compiling is the slow part).
final class RegexCache: Sendable {
  static let shared = RegexCache()

  private struct Entry: @unchecked Sendable {
    // NSRegularExpression is immutable and documented as thread-safe.
    let regex: NSRegularExpression?
  }

  private let entries = Mutex<[RubyRegex: Entry]>([:])
  private let capacity = 512

  func compiled(_ regex: RubyRegex) -> NSRegularExpression? {
    if let hit = entries.withLock({ $0[regex] }) { return hit.regex }
    let compiled = try? NSRegularExpression(pattern: regex.icuPattern, options: regex.icuOptions)
    entries.withLock {
      if $0.count >= capacity { $0.removeAll(keepingCapacity: true) }
      $0[regex] = Entry(regex: compiled)
    }
    return compiled
  }
}
