import OrderedJSON

// All JSON handling of the runner lives in this file. It uses OrderedJSON, which keeps the key
// order of a reply (the order participants and users see) and tells integers from floats.

/// A workitem as a JSON object (`fei`, `fields`, `participant_name`, ...), keys in their order.
public typealias WorkitemObject = JSONObject

/// Turns a participant's outcome into the workitem it replies with, or the process error.
///
/// The rules (pdef-language §6.4): exit 0 with empty stdout (or only whitespace) replies with the
/// workitem unchanged; otherwise stdout must be the workitem object, keeping `fields`; a
/// top-level `"error"` (a string, or `{"class", "message", "trace"}` with any class) is a
/// failure with that message. A non-zero exit, a signal, a timeout, a cancel or a failure to
/// start is a failure too, carrying the end of stderr.
public enum WorkitemReply {
  /// How many bytes of an unparseable reply an error message shows.
  static let excerptLength = 200

  public static func interpret(
    outcome: ParticipantOutcome,
    original: WorkitemObject
  ) -> Result<WorkitemObject, ParticipantFailure> {
    let path = outcome.executablePath
    let stderrLines = outcome.stderrLastLines()
    func failure(_ kind: ParticipantFailure.Kind, _ message: String) -> Result<WorkitemObject, ParticipantFailure> {
      .failure(ParticipantFailure(kind: kind, executablePath: path, message: message, stderrLines: stderrLines))
    }

    switch outcome.reason {
    case .failedToStart(let message):
      return failure(.failedToStart, message)
    case .cancelled:
      return failure(.cancelled, "participant \(path) was cancelled\(ended(outcome))")
    case .timedOut:
      return failure(.timedOut, "participant \(path) timed out after \(seconds(outcome.duration))\(ended(outcome))")
    case .signalled(let signal):
      return failure(.signalled, "participant \(path) was killed by signal \(signalName(signal))")
    case .exited(let code) where code != 0:
      var message = "participant \(path) exited with status \(code)"
      // A participant may report its error in the reply and exit non-zero as well.
      if let reply = (try? JSONValue.parse(bytes: outcome.stdout))?.objectValue, let error = errorDetails(reply) {
        message += ": \(error.message)"
      }
      return failure(.nonZeroExit, message)
    case .exited:
      break
    }

    if outcome.stdoutOverflowed {
      return failure(
        .replyTooLarge,
        "participant \(path) wrote \(outcome.stdoutTotalBytes) bytes to stdout; a reply may be at most "
          + "\(outcome.stdout.count) bytes (log output belongs on stderr)")
    }
    if outcome.stdout.allSatisfy(isJSONWhitespace) { return .success(original) }

    let reply: WorkitemObject
    do {
      let value = try JSONValue.parse(bytes: outcome.stdout)
      guard let object = value.objectValue else {
        return failure(
          .invalidReply,
          "participant \(path) replied with a JSON \(typeName(value)); the reply must be the workitem object "
            + "(or nothing, to leave it unchanged)")
      }
      reply = object
    } catch {
      return failure(
        .invalidReply,
        "participant \(path) wrote a reply that is not valid JSON (\(error)); it starts with: "
          + excerpt(outcome.stdout))
    }

    if let error = errorDetails(reply) {
      var failure = ParticipantFailure(
        kind: .errorReply, executablePath: path, message: "participant \(path) replied with error: \(error.message)",
        errorClass: error.errorClass, trace: error.trace, stderrLines: stderrLines)
      failure.replyMessage = error.message
      failure.replyFields = reply["fields"]?.objectValue
      return .failure(failure)
    }
    guard reply["fields"]?.objectValue != nil else {
      return failure(
        .invalidReply,
        "participant \(path) replied with a workitem without a \"fields\" object; send back the whole workitem "
          + "it received, with fields changed, or nothing")
    }
    return .success(reply)
  }

  // MARK: - JSON

  /// The JSON type of a reply that is not an object, as the messages have always named it.
  private static func typeName(_ value: JSONValue) -> String {
    switch value {
    case .bool, .int, .double: "number or boolean"
    default: value.typeName
    }
  }

  private struct ErrorDetails {
    var message: String
    var errorClass: String?
    var trace: [String]
  }

  /// The top-level `"error"` of a reply; `null` counts as no error.
  private static func errorDetails(_ reply: WorkitemObject) -> ErrorDetails? {
    // null, false and "" mean "no error" (Python participants often send wi.error = None or "").
    guard let error = reply["error"], !error.isNull, error != .bool(false), error != .string("") else { return nil }
    if let text = error.stringValue { return ErrorDetails(message: text, errorClass: nil, trace: []) }
    if let object = error.objectValue {
      let message = object["message"]?.stringValue ?? error.serialized()
      let trace = object["trace"]?.arrayValue?.map { $0.stringValue ?? $0.serialized() } ?? []
      return ErrorDetails(message: message, errorClass: object["class"]?.stringValue, trace: trace)
    }
    return ErrorDetails(message: error.serialized(), errorClass: nil, trace: [])
  }

  // MARK: - Text

  private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09
  }

  private static func excerpt(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes.prefix(excerptLength), as: UTF8.self)
    let escaped = text.unicodeScalars.map { scalar -> String in
      scalar.value < 0x20 ? (scalar == "\n" ? "\\n" : "\\u{\(String(scalar.value, radix: 16))}") : String(scalar)
    }.joined()
    return "\"\(escaped)\"" + (bytes.count > excerptLength ? " (\(bytes.count) bytes in all)" : "")
  }

  private static func seconds(_ duration: Duration) -> String {
    let (whole, atto) = duration.components
    let tenths = atto / 100_000_000_000_000_000
    return "\(whole).\(tenths) s"
  }

  private static func ended(_ outcome: ParticipantOutcome) -> String {
    let end: String
    switch outcome.status {
    case nil: return " before it started"
    case .exited(let code)?: end = "it exited with status \(code)"
    case .signalled(let signal)?: end = "it was killed by signal \(signalName(signal))"
    }
    return "; its process group was sent SIGTERM (SIGKILL after the grace period) and \(end)"
  }
}
