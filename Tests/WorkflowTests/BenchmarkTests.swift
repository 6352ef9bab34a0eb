import Testing

@testable import Workflow

@Suite struct BenchmarkTests {
  @Test func benchmarkMeasuresEveryCondition() throws {
    let result = try ConditionBenchmark.run(seconds: 0.05)
    #expect(result.evaluations >= ConditionBenchmark.conditions.count)
    #expect(result.trueCount > 0 && result.trueCount < result.evaluations)
    #expect(result.description.contains("evaluations/s"))
  }
}
