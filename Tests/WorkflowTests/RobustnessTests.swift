import OrderedJSON
import Testing

@testable import Workflow

/// Nothing crashes, whatever the text: deep nesting is refused, random bytes are handled.
@Suite struct RobustnessTests {
  @Test(arguments: [
    String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000),
    String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000),
    String(repeating: "!", count: 5000) + "a", String(repeating: "not ", count: 3000) + "a",
    Array(repeating: "a", count: 3000).joined(separator: " and "), "1" + String(repeating: " < 1", count: 3000),
    String(repeating: "a.", count: 3000) + "b", String(repeating: "a ", count: 3000) + "b",
    "a" + String(repeating: " if b", count: 3000), String(repeating: "- ", count: 3000) + "1",
    String(repeating: "{1=>", count: 2000) + "1" + String(repeating: "}", count: 2000),
    String(repeating: "a ? b : ", count: 2000) + "c",
  ])
  func deepNestingIsAGrammarErrorNotACrash(_ text: String) {
    #expect(cond(text) == false)
  }

  @Test func longFlatListsAreFine() {
    let list = (0..<2000).map { "\"e\($0)\"" }.joined(separator: ", ")
    #expect(cond("\"e1999\" in [\(list)]") == true)
  }

  @Test func deeplyNestedSubstitutionStopsAtTheLimit() {
    let text = String(repeating: "${", count: 3000) + String(repeating: "}", count: 3000)
    #expect(throws: SubstitutionError.self) { try sub(text) }
  }

  @Test func randomTextsNeverCrash() throws {
    var generator = SplitMix64(seed: 2024)
    let alphabet = Array("ab Z09_.-:@$#/\\\"'`?!=<>~&|^%*+,;()[]{}\n\té$".unicodeScalars)
    let ctx = context(["a": "x", "b": ["1", "2"], "h": ["k": "}"]])
    for _ in 0..<3000 {
      var text = ""
      for _ in 0..<Int.random(in: 0...24, using: &generator) {
        text.unicodeScalars.append(alphabet[Int.random(in: 0..<alphabet.count, using: &generator)])
      }
      if Bool.random(using: &generator) { text = "${a} " + text + " ${b}" }
      _ = Condition.explain(substituted: text)
      _ = try? Condition.evaluate(text, in: ctx)
      _ = ConditionLint.findings(for: text)
      _ = SubstitutionLint.findings(for: text)
    }
  }

  @Test func randomTextsNeverCrashOnAWorkerThread() async {
    let results = await withTaskGroup(of: Bool?.self) { group in
      for depth in [50, 99, 100, 101, 400] {
        group.addTask { cond(String(repeating: "(", count: depth) + "1" + String(repeating: ")", count: depth)) }
      }
      var all: [Bool?] = []
      for await r in group { all.append(r) }
      return all
    }
    #expect(results.count == 5)
  }
}

/// A small deterministic generator, so a failure can be replayed.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  init(seed: UInt64) { state = seed }
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}
