import PDef
import PDefFuzzing
import Testing

/// No input crashes or hangs the parser; deep but allowed nesting works.
@Suite struct RobustnessTests {
  @Test func fiveThousandFuzzInputsBreakNoInvariant() throws {
    var inputs = FuzzInputs(seed: 20_261_123, corpus: try Support.examples().map(\.text))
    var problems: [String] = []
    var parsed = 0
    for _ in 0..<5_000 {
      let text = String(decoding: inputs.next(), as: UTF8.self)
      let outcome = FuzzCheck.check(text)
      if outcome.parsed { parsed += 1 }
      if let problem = outcome.problem { problems.append(problem) }
    }
    #expect(problems.isEmpty, "\(problems.prefix(3))")
    #expect(parsed > 100, "the mutations should leave some inputs valid")
  }

  @Test func fuzzInputsAreReproducibleFromTheSeed() {
    var first = FuzzInputs(seed: 42, corpus: [])
    var second = FuzzInputs(seed: 42, corpus: [])
    for _ in 0..<50 { #expect(first.next() == second.next()) }
  }

  @Test func deepestAllowedBlockNestingParsesAndRoundTripsAsJSONText() throws {
    // The root's block and 249 nested ones: 250 blocks, the limit.
    let depth = 249
    let body =
      String(repeating: "sequence do\n", count: depth) + "alpha :a => [], :b => {}\n"
      + String(repeating: "end\n", count: depth)
    let root = try Support.parse("Ruote.process_definition 'p' do\n\(body)end\n")
    #expect(try Support.parse(root.toJSON().serialized()) == root)
    let tooDeep = "Ruote.process_definition 'p' do\nsequence do\n\(body)end\nend\n"
    #expect(Support.error(tooDeep)?.message.hasPrefix("nesting too deep") == true)
  }

  @Test func deepArraysWithinTheLimitParse() throws {
    let value = String(repeating: "[", count: 400) + String(repeating: "]", count: 400)
    let root = try Support.parse("Ruote.process_definition 'p' do\n  x :a => \(value)\nend")
    #expect(try Support.parse(root.toJSON().serialized()) == root)
  }

  @Test func hugeHostileInputsFailQuickly() {
    let clock = ContinuousClock()
    let start = clock.now
    for text in [
      String(repeating: "[", count: 200_000), String(repeating: "Ruote.process_definition 'p' do\n", count: 20_000),
      "Ruote.process_definition 'p' do\n  x :a => " + String(repeating: "'a' + ", count: 50_000),
      String(repeating: "\u{0}\u{FFFD}'\"", count: 50_000),
    ] {
      #expect(Support.error(text) != nil)
    }
    #expect(clock.now - start < .seconds(10))
  }

  @Test func benchmarkReportsAPositiveRate() throws {
    let text = try #require(try Support.examples().first { $0.name == "must_have_tour.pdef" }?.text)
    let rate = PDefBenchmark.parsesPerSecond(text: text, seconds: 0.05)
    #expect(rate > 0 && rate.isFinite)
  }
}
