import OrderedJSON

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Measures condition evaluation (substitution + evaluation) over a mix of realistic BOSS
/// conditions (§5.5 patterns); `robogrator-bench` and `cond-bench` call it.
public enum ConditionBenchmark {
  /// What one run measured.
  public struct Result: Sendable, CustomStringConvertible {
    public let evaluations: Int
    public let seconds: Double
    /// How many of the evaluations were true (a checksum that the work was done).
    public let trueCount: Int

    public var evaluationsPerSecond: Double { seconds > 0 ? Double(evaluations) / seconds : 0 }

    public var description: String {
      let rate = Int(evaluationsPerSecond.rounded())
      return "\(evaluations) condition evaluations in \(String(format3(seconds))) s: \(rate) evaluations/s"
    }
  }

  /// The conditions measured: BOSS patterns with substitution, plus the traps.
  public static let conditions: [String] = [
    "auto_review in ${stages}",
    "qa-vote in ${stages}",
    "\"${v:action.sourceproject}\" not in ${v:sourceprojects}",
    "\"${ev.state}\" in [\"new\", \"declined\", \"revoked\", \"accepted\", \"superseded\"]",
    "${f:status} != SUCCESS",
    "${ev.state} == declined or ${ev.state} == revoked",
    "${__result__} != true",
    "${f:__result__}",
    "\"${irc.req_channel}\" != \"\"",
    "\"${reviewer}\" == \"\"",
    "${f:qa.selected_test_packages} != {}",
    "${v:check} == check_valid_changes",
    "${f:testing} == yes",
    "${status} != SUCCESS or ${__result__} != true",
    "\"${build_trial.remove_on_fail}\" == \"false\"",
    "${f:hasLock} == true",
    "\"${v:check}\" == \"\"",
    "${f:missing} != SUCCESS",
  ]

  /// The fields and variables the conditions read.
  public static let context = StaticSubstitutionContext(
    fields: [
      "stages": ["auto_review", "prechecks", "qa-vote", "trial_build"],
      "ev": ["state": "accepted", "id": "4242", "actions": [["sourceproject": "home:alice", "type": "submit"]]],
      "status": "SUCCESS",
      "__result__": true,
      "irc": ["req_channel": "#boss"],
      "reviewer": "",
      "qa": ["selected_test_packages": ["pkg-tests": ["x"]]],
      "testing": "no",
      "build_trial": ["remove_on_fail": "false"],
      "hasLock": "true",
    ],
    variables: [
      "action": ["sourceproject": "home:bob"],
      "sourceprojects": ["home:alice", "home:carol"],
      "check": "check_valid_changes",
    ])

  /// Evaluates ``conditions`` in a loop for at least `seconds` (and at least one full round).
  public static func run(seconds: Double = 2.0) throws -> Result {
    // Warm up (first regex compilation, caches).
    for condition in conditions { _ = try Condition.evaluate(condition, in: context) }
    var evaluations = 0
    var trueCount = 0
    let start = monotonicSeconds()
    var elapsed = 0.0
    repeat {
      for _ in 0..<50 {
        for condition in conditions where try Condition.evaluate(condition, in: context) {
          trueCount += 1
        }
        evaluations += conditions.count
      }
      elapsed = monotonicSeconds() - start
    } while elapsed < seconds
    return Result(evaluations: evaluations, seconds: elapsed, trueCount: trueCount)
  }

  private static func monotonicSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
  }

  private static func format3(_ value: Double) -> String {
    let thousandths = Int((value * 1000).rounded())
    let fraction = String(thousandths % 1000)
    return "\(thousandths / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
  }
}
