import OrderedJSON
import Testing

@testable import Workflow

/// §5.1: `:if` / `:unless` on any expression.
@Suite struct ShouldApplyTests {
  let ctx = context(["yes": true, "no": false, "list": ["a"], "word": "x", "empty": ""])

  func apply(if ifValue: JSONValue? = nil, unless unlessValue: JSONValue? = nil) throws -> Bool {
    try Condition.shouldApply(ifValue: ifValue, unlessValue: unlessValue, in: ctx)
  }

  @Test func noConditionRuns() throws {
    #expect(try apply() == true)
  }

  @Test func ifDecides() throws {
    #expect(try apply(if: "1 == 1") == true)
    #expect(try apply(if: "1 == 2") == false)
  }

  @Test func unlessDecidesTheOtherWay() throws {
    #expect(try apply(unless: "1 == 1") == false)
    #expect(try apply(unless: "1 == 2") == true)
  }

  @Test func onlyIfCountsWhenBothArePresent() throws {
    #expect(try apply(if: "true", unless: "true") == true)
    #expect(try apply(if: "false", unless: "false") == false)
  }

  @Test func emptyOrBlankIfSkips() throws {
    #expect(try apply(if: "") == false)
    #expect(try apply(if: "   ") == false)
    #expect(try apply(if: "${missing}") == false)
    #expect(try apply(if: "${empty}") == false)
  }

  @Test func emptyOrBlankUnlessRuns() throws {
    #expect(try apply(unless: "") == true)
    #expect(try apply(unless: "${missing}") == true)
  }

  @Test func nonStringValuesAreEvaluatedAsTheirText() throws {
    #expect(try apply(if: true) == true)
    #expect(try apply(if: false) == false)
    #expect(try apply(if: 0) == true)
    #expect(try apply(if: ["a"]) == true)
    #expect(try apply(unless: true) == false)
  }

  @Test func rawReferencesAreTyped() throws {
    #expect(try apply(if: "$f:yes") == true)
    #expect(try apply(if: "$f:no") == false)
    #expect(try apply(if: "$f:list") == true)
    #expect(try apply(unless: "$f:no") == true)
  }

  @Test func rawNullCountsAsAbsent() throws {
    #expect(try apply(if: "$f:missing") == true)
    #expect(try apply(unless: "$f:missing") == true)
    #expect(try apply(if: "$f:missing", unless: "true") == false)
    #expect(try apply(if: .null) == true)
  }

  @Test func unlessResultLetsTheErrorThroughOnlyWithoutResult() throws {
    // T7: `error 'Project meta update failed', :unless => '${__result__}'`.
    let withResult = context(["__result__": true])
    let without = context([:])
    #expect(try Condition.shouldApply(ifValue: nil, unlessValue: "${__result__}", in: withResult) == false)
    #expect(try Condition.shouldApply(ifValue: nil, unlessValue: "${__result__}", in: without) == true)
  }

  @Test func evaluationErrorsPropagate() {
    #expect(throws: ConditionError.self) { try apply(if: "${word} > 3") }
  }

  @Test func attributeEvaluationTellsAbsentFromFalse() throws {
    #expect(try Condition.evaluate(attribute: "$f:missing", in: ctx) == nil)
    #expect(try Condition.evaluate(attribute: "$f:no", in: ctx) == false)
    #expect(try Condition.evaluate(attribute: "${word} == x", in: ctx) == true)
  }
}
