import Foundation

/// Dates as the database stores them: GRDB's `yyyy-MM-dd HH:mm:ss.SSS`, in
/// UTC, written by hand (a DateFormatter per row was a visible share of a
/// flush). Text columns compare in time order, and a `Date` argument GRDB
/// formats itself compares with them.
enum StorageTime {
  static func text(_ date: Date) -> String {
    let milliseconds = Int64((date.timeIntervalSince1970 * 1000).rounded())
    var seconds = time_t(milliseconds.quotient(dividingBy: 1000))
    var parts = tm()
    gmtime_r(&seconds, &parts)
    let millis = Int(milliseconds.remainder(dividingBy: 1000))
    func pad(_ value: Int32, _ width: Int = 2) -> String {
      let digits = String(value)
      return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
    return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday)) "
      + "\(pad(parts.tm_hour)):\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(millis), 3))"
  }
}

extension Int64 {
  /// Division rounding toward negative infinity (dates before 1970 stay in order).
  fileprivate func quotient(dividingBy divisor: Int64) -> Int64 {
    let (quotient, remainder) = quotientAndRemainder(dividingBy: divisor)
    return remainder < 0 ? quotient - 1 : quotient
  }

  fileprivate func remainder(dividingBy divisor: Int64) -> Int64 {
    let remainder = self % divisor
    return remainder < 0 ? remainder + divisor : remainder
  }
}
