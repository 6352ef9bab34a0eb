import Foundation

/// ruote's duration texts (spec §3.10): a number of seconds (`30`, `0.5`), or
/// numbers with units `s m h d w M y` (`1m`, `1h30m`, `2.5d`; M is 30 days,
/// y 365). Empty text means no wait at all. The configuration file's
/// durations are read by it too, so one syntax serves both.
public enum DurationText {
  static let units: [Character: Double] = [
    "s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800, "M": 2_592_000, "y": 31_536_000,
  ]

  /// Seconds; nil for an empty text; throws for text that is not a duration.
  public static func seconds(_ text: String) throws(ProcessFault) -> Double? {
    let trimmed = text.trimmingCharacters(in: .whitespaces)
    if trimmed.isEmpty { return nil }
    if let plain = Double(trimmed), plain.isFinite { return max(0, plain) }
    var total = 0.0
    var number = ""
    for character in trimmed {
      if character.isNumber || character == "." || (character == "-" && number.isEmpty) {
        number.append(character)
      } else if let unit = units[character], let value = Double(number) {
        total += value * unit
        number = ""
      } else {
        throw ProcessFault("not a duration \"\(text)\" (write seconds, or numbers with s m h d w M y: \"1h30m\")")
      }
    }
    if !number.isEmpty {
      guard let value = Double(number) else { throw ProcessFault("not a duration \"\(text)\"") }
      total += value
    }
    return max(0, total)
  }
}
