import Foundation
import OrderedJSON

// wait (sleep)
//
//     wait '1m'
//     wait '${build_trial.keep_failed_for}'
//     wait :until => '2026-12-24 18:00:00'
//
// Replies with the workitem unchanged when the duration (positional or
// `:for`) has passed, or at the `:until` time. An empty duration (a missing
// field) does not wait at all; an unreadable one is a process error. A
// cancel removes the timer (spec §3.10).
enum Wait: ExpressionBehavior {
  static func apply(_ step: inout ExpressionStep) throws(ProcessFault) {
    let fields = step.expression.applied
    var due: Date?
    if let until = try step.text("until", fields: fields), !until.isEmpty {
      due = try date(until)
    } else if let text = try step.firstText(["for"], positional: true, fields: fields) {
      if text.contains(" ") || (text.contains(":") && !text.contains("${")) {
        due = try date(text)
      } else if let seconds = try DurationText.seconds(text) {
        due = step.engine.now().addingTimeInterval(seconds)
      }
    }
    guard let due else {
      step.reply(fields)
      return
    }
    step.engine.store.addTimer(EngineTimer(expression: step.expression.id, kind: .wait, due: due))
  }

  static func date(_ text: String) throws(ProcessFault) -> Date {
    let formatter = DateFormatter()
    formatter.locale = Locale(identifier: "en_US_POSIX")
    formatter.timeZone = TimeZone(identifier: "UTC")
    for format in ["yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd"] {
      formatter.dateFormat = format
      if let date = formatter.date(from: text.replacingOccurrences(of: " UTC", with: "")) { return date }
    }
    throw ProcessFault("not a duration or a date \"\(text)\"")
  }
}
