import Foundation
import OrderedJSON
import PDef

/// What the engine works through, one at a time, first in first out (so
/// concurrent branches advance breadth-first, as in ruote).
public enum EngineMessage: Sendable {
  /// Run `tree` as a new expression `id` under `parent` with these fields.
  case apply(Apply)
  /// A child finished: `from` hands its workitem fields back to `to`.
  case reply(to: FlowExpressionID, from: FlowExpressionID, fields: JSONObject)
  /// Stop `id` and everything under it.
  case cancel(FlowExpressionID, CancelFlavour = .plain)
  /// A timer of `id` is due (a `wait` is over, a `:timeout` expired).
  case timer(FlowExpressionID, TimerKind)
  /// A participant answered the dispatch of `id` (with an error, or new fields).
  case receive(FlowExpressionID, Result<JSONObject, ParticipantError>)
  /// A command (`_break`, `rewind`, ...) nested below a loop reaches the loop:
  /// the loop cancels its current child, then obeys with these fields.
  case command(to: FlowExpressionID, fields: JSONObject)

  public struct Apply: Sendable {
    public var id: FlowExpressionID
    public var parent: FlowExpressionID?
    public var tree: PDefNode
    public var fields: JSONObject
    /// A new scope for the expression (process root, subprocess instance).
    public var variables: JSONObject?
    public var subprocessDepth: Int
    /// Start detached from `parent` (the `forget` expression's children).
    public var forget = false

    public init(
      id: FlowExpressionID, parent: FlowExpressionID?, tree: PDefNode, fields: JSONObject,
      variables: JSONObject? = nil, subprocessDepth: Int = 0
    ) {
      self.id = id
      self.parent = parent
      self.tree = tree
      self.fields = fields
      self.variables = variables
      self.subprocessDepth = subprocessDepth
    }
  }
}

/// Why an expression is cancelled: an operator or `terminate` (plain), a
/// `kill` (skips on_cancel), or its own or an ancestor's `:timeout`.
public enum CancelFlavour: String, Sendable {
  case plain, kill, timeout
}

/// What a timer does when it is due.
public enum TimerKind: String, Sendable {
  /// `wait` is over: the expression replies.
  case wait
  /// `:timeout` expired: the expression is cancelled with flavour timeout.
  case timeout
}

/// A timer waiting in the store.
public struct EngineTimer: Sendable, Equatable {
  public let expression: FlowExpressionID
  public let kind: TimerKind
  public let due: Date

  public init(expression: FlowExpressionID, kind: TimerKind, due: Date) {
    self.expression = expression
    self.kind = kind
    self.due = due
  }
}

/// A participant's failure, as its reply or its exit reported it.
///
/// `message` is what the definition sees in `__error__.message` (a reply's
/// own `"error"` text, as ruote gave it); `details` is what operators see
/// in the process's errors (which program, how it ended, its stderr).
public struct ParticipantError: Error, Sendable, Equatable, CustomStringConvertible {
  public let message: String
  /// The `class` of an error reply (`Ruote::Amqp::RemoteError`, ...); nil: `RuntimeError`.
  public var errorClass: String?
  /// The `trace` of an error reply.
  public var trace: [String] = []
  /// The operator's version of the message; nil when it is the message.
  public var details: String?
  /// The fields the participant replied with along with its error (the workitem of the failure).
  public var fields: JSONObject?

  public init(
    _ message: String, errorClass: String? = nil, trace: [String] = [], details: String? = nil,
    fields: JSONObject? = nil
  ) {
    self.message = message
    self.errorClass = errorClass
    self.trace = trace
    self.details = details
    self.fields = fields
  }

  public var description: String { details ?? message }
}

/// A workitem handed to a participant, waiting for its answer.
public struct Dispatch: Sendable, Equatable {
  public let expression: FlowExpressionID
  public let participant: String
  /// The workitem as the participant receives it (spec §6.3): `fields` (with
  /// `params` and `dispatched_at`), `fei`, `participant_name`, `wf_name`, ...
  public let workitem: JSONObject

  public init(expression: FlowExpressionID, participant: String, workitem: JSONObject) {
    self.expression = expression
    self.participant = participant
    self.workitem = workitem
  }
}
