import OrderedJSON
import Testing

@testable import Workflow

/// §4.4: non-string values are pasted as Ruby's `inspect` renders them.
@Suite struct RubyInspectTests {
  struct Row: Sendable, CustomTestStringConvertible {
    let value: JSONValue
    let rendering: String
    var testDescription: String { "\(value.serialized()) → \(rendering)" }
  }

  @Test(arguments: [
    Row(value: ["a", "b"], rendering: "[\"a\", \"b\"]"),
    Row(value: ["k": "v", "n": 1], rendering: "{\"k\"=>\"v\", \"n\"=>1}"),
    Row(value: [], rendering: "[]"),
    Row(value: .object(JSONObject()), rendering: "{}"),
    Row(value: 3, rendering: "3"),
    Row(value: 1.5, rendering: "1.5"),
    Row(value: true, rendering: "true"),
    Row(value: false, rendering: "false"),
    Row(value: 2.0, rendering: "2.0"),
    Row(value: 1e20, rendering: "1.0e+20"),
    Row(value: ["a\"b", "t\tx", "é"], rendering: "[\"a\\\"b\", \"t\\tx\", \"é\"]"),
    Row(value: .null, rendering: ""),
    Row(value: [.null, 1], rendering: "[nil, 1]"),
    Row(value: ["k": .null], rendering: "{\"k\"=>nil}"),
    Row(value: "plain string", rendering: "plain string"),
  ])
  func inspectTableRow(_ row: Row) {
    #expect(RubyInspect.render(row.value) == row.rendering)
  }

  @Test func missingValueRendersEmpty() {
    #expect(RubyInspect.render(nil) == "")
  }

  @Test(arguments: [
    (1e14, "100000000000000.0"), (1e15, "1.0e+15"), (1234567890123456.0, "1.234567890123456e+15"),
    (100000000000000.5, "100000000000000.5"), (0.001, "0.001"), (0.0001, "0.0001"), (0.00001, "1.0e-05"),
    (0.00001234, "1.234e-05"), (-0.0, "-0.0"), (-2.5, "-2.5"), (Double.leastNonzeroMagnitude, "5.0e-324"),
    (1e100, "1.0e+100"),
    (123456789.123456789, "123456789.12345679"),
  ])
  func floatsRenderAsRubyFloatToS(_ value: Double, _ expected: String) {
    #expect(RubyInspect.floatString(value) == expected)
  }

  @Test(arguments: [
    ("a\"b", "\"a\\\"b\""), ("back\\slash", "\"back\\\\slash\""), ("line\nbreak", "\"line\\nbreak\""),
    ("\r\t\u{0C}\u{0B}\u{08}\u{07}\u{1B}", "\"\\r\\t\\f\\v\\b\\a\\e\""), ("\u{01}", "\"\\u0001\""),
    ("\u{7F}", "\"\\u007F\""), ("a#{b", "\"a\\#{b\""), ("a#$b", "\"a\\#$b\""), ("a#@b", "\"a\\#@b\""),
    ("a#b", "\"a#b\""), ("café ü 日本", "\"café ü 日本\""), ("\u{2028}", "\"\\u2028\""), ("\u{85}", "\"\u{85}\""),
    ("\u{378}", "\"\\u0378\""), ("😀", "\"😀\""),
  ])
  func stringsInspectAsRubyStringInspect(_ value: String, _ expected: String) {
    #expect(RubyInspect.inspect(string: value) == expected)
  }

  @Test func nestedContainersInspectRecursively() {
    let value: JSONValue = ["list": [1, ["x": [true, .null]]], "f": 2.5]
    #expect(RubyInspect.inspect(value) == "{\"list\"=>[1, {\"x\"=>[true, nil]}], \"f\"=>2.5}")
  }

  @Test func keyOrderIsKept() {
    let value: JSONValue = .object(JSONObject([("z", 1), ("a", 2)]))
    #expect(RubyInspect.inspect(value) == "{\"z\"=>1, \"a\"=>2}")
  }

  @Test func participantParamsDoNotKeepTypes() throws {
    #expect(try sub("${emails}", ["emails": ["x@y"]]) == "[\"x@y\"]")
  }
}
