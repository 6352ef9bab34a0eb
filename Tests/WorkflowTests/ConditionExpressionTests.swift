import OrderedJSON
import Testing

@testable import Workflow

/// §5.3: the expression subset after substitution, row by row.
@Suite struct ConditionExpressionTests {
  /// What a condition does: evaluate to a boolean, or raise a condition error.
  enum Outcome: Sendable, Equatable {
    case value(Bool)
    case raises
  }

  struct Row: Sendable, CustomTestStringConvertible {
    let text: String
    let outcome: Outcome
    init(_ text: String, _ value: Bool) {
      self.text = text
      self.outcome = .value(value)
    }
    init(raises text: String) {
      self.text = text
      self.outcome = .raises
    }
    var testDescription: String { "\(text) → \(outcome)" }
  }

  func outcome(_ text: String) -> Outcome {
    cond(text).map(Outcome.value) ?? .raises
  }

  /// The text ruote makes of a call (the flattening rule).
  func flattened(_ text: String) throws -> String? {
    let (value, _) = try Condition.evaluateExpression(Array(text.utf8)[...])
    if case .string(let s) = value { return s }
    return nil
  }

  @Test(arguments: [Row("\"text\" == 'text'", true), Row("\"text\"", true), Row("'text'", true)])
  func quotedStringsAreStrings(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("5 == 5.0", true), Row("-1 < 0", true), Row("1e3 == 1000", true), Row("0x10 == 16", true),
    Row("1_000 == 1000", true), Row("010 == 8", true), Row("1.5 > 1", true), Row("5 == 6", false),
    Row("0b101 == 5", true), Row("-1.5 < -1", true),
  ])
  func numbersCompareAsNumbers(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [Row("true", true), Row("false", false), Row("nil", false), Row("nil == nil", true)])
  func keywordsAreBooleansAndNull(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("SUCCESS != SUCCESS", false), Row("SUCCESS == SUCCESS", true), Row("b > a", true),
    Row("abc", true), Row("check_valid_changes == check_valid_changes", true), Row("True", true),
    Row("null", true), Row("SUCCESS == \"SUCCESS\"", true), Row("declined == \"declined\"", true),
  ])
  func bareWordsAreTheirText(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("foo.bar == foobar", true), Row("a.b == \"a.b\"", false), Row("a::b == ab", true),
    Row("a.b == \"ab\"", true),
  ])
  func methodCallsJoinTheirNames(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("qa-vote == qa-vote", true), Row("qa-vote == \"qa-vote\"", false), Row("qa-vote == \"qa- vote\"", true),
    Row("home/user == home/user", true), Row("home/user == home/other", false),
    Row("home/user == \"home/user\"", false), Row("a+b == \"a+ b\"", true), Row("a*b == \"a* b\"", true),
  ])
  func operatorsBetweenWordsAreFlattened(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("[1, \"a\"] == [1, \"a\"]", true), Row("[] == []", true), Row("{\"k\"=>1} == {\"k\"=>1}", true),
    Row("{} == {}", true), Row("[a, b] == [\"a\", \"b\"]", true), Row("{\"k\"=>1} == {\"k\"=>2}", false),
  ])
  func arrayAndHashLiteralsAreValues(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test func regexLiteralsAndTextsStartingWithSlash() {
    #expect(route("/re/") == .ruby)
    #expect(cond("/srv/x") == true)
    #expect(route("/srv/x") == .ruby)
    #expect(route("/tmp/mix") == .ruby)
    #expect(route("/srv/obs").isLexerError)
    #expect(route("/srv/x/ == /srv/x/").isGrammarError)
    #expect(cond("/srv/x/ == /srv/x/") == false)
    #expect(cond("/a/ == /a/") == true)
    #expect(cond("/a/ == /a/i") == false)
  }

  @Test(arguments: [
    Row("42 == \"42\"", false), Row("\"42\" == \"42\"", true), Row("5 == 5", true), Row("1 == true", false),
    Row("nil == false", false),
  ])
  func equalityIsTypeSensitive(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test func unquotedSubstitutedNumberIsANumber() throws {
    #expect(try Condition.evaluate("${n} == 5", in: context(["n": "5"])) == true)
    #expect(try Condition.evaluate("\"${n}\" == 5", in: context(["n": "5"])) == false)
  }

  @Test(arguments: [
    Row("2 < 10", true), Row("\"b\" > \"a\"", true), Row("\"10\" < \"9\"", true), Row("3 >= 3.0", true),
    Row("2 <= 1", false), Row(raises: "5 > abc"), Row(raises: "abc < 5"), Row(raises: "nil < 1"),
    Row(raises: "[1] < [2]"), Row(raises: "true > false"),
  ])
  func orderingComparesNumbersOrTextsAndRaisesOtherwise(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("abc =~ /^a/", true), Row("abc =~ /^b/", false), Row("abc =~ b", true), Row("abc =~ \"c$\"", true),
    Row("ABC =~ /abc/i", true), Row("/b/ =~ \"abc\"", true), Row("\"x\\ny\" =~ /^y/", true),
    Row("\"a\\nb\" =~ /a.b/", false), Row("\"a\\nb\" =~ /a.b/m", true), Row("nil =~ /x/", false),
    Row("abc =~ /\\w+/", true), Row("\"é\" =~ /\\w/", false),
  ])
  func matchOperatorUsesRubyRegexps(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test func matchAtPositionZeroIsTruthy() throws {
    let (value, _) = try Condition.evaluateExpression(Array("abc =~ /a/".utf8)[...])
    guard case .integer(let index) = value else {
      Issue.record("expected an index, got \(value)")
      return
    }
    #expect(index == 0)
    #expect(cond("abc =~ /a/") == true)
  }

  @Test(arguments: [
    Row("true and false", false), Row("true && true", true), Row("false or true", true),
    Row("false || false", false), Row("not false", true), Row("!false", true), Row("!true", false),
    Row("(true or false) and true", true), Row("not (1 == 1)", false), Row("a == a and b == b", true),
    Row("1 == 2 or 2 == 2", true),
  ])
  func booleanLogic(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [Row("Project meta", true), Row("home:user", true), Row("x@y", true), Row("a b c", true)])
  func bareWordsStandingAloneAreTruthyText(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    Row("two words == \"two words\"", true), Row("build failed == \"build failed\"", true),
    Row("two words != \"two words\"", false), Row("two words != \"other\"", false),
    Row("two words == \"other\"", false), Row("x y z == \"x y z\"", true),
  ])
  func comparisonInsideACallIsCutOutOfTheFlattenedText(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [Row("SR#1 == SR#2", true), Row("#x != \"\"", false), Row("# only a comment", false)])
  func hashStartsAComment(_ row: Row) { #expect(outcome(row.text) == row.outcome) }

  @Test(arguments: [
    "BOSS rocks == BOSS rocks", "\"two words\" == two words", "SUCCESS != build failed",
    "home:user == home:user", "10:30 == 10:30", "x@y.com == x@y.com", "a$b == a$b", " == x", "x == ",
    "x in [1] and y", "it's == it's", "a == b == c", "word is not empty",
  ])
  func grammarErrorsAreFalse(_ text: String) {
    #expect(route(text).isGrammarError)
    #expect(cond(text) == false)
  }

  @Test(arguments: ["$x == 1", "@x == 1", "A::B", "a = b", "a ? b : c", "$x", "@x", "x if y", "a; b"])
  func evaluationErrorsRaise(_ text: String) {
    #expect(route(text).isEvaluationError)
    #expect(throws: ConditionError.self) { try Condition.evaluateSubstituted(text) }
  }

  @Test(arguments: [
    "1.2.3", "v1.2", "a.1", "08", "/srv/obs", "/a/b/c", "é", "\\", "\"abc", "my.pkg-1.2.3", "/a", "5abc", "'abc",
  ])
  func lexerErrors(_ text: String) {
    #expect(route(text).isLexerError)
  }

  @Test(arguments: [
    ("qa-vote", "qa- vote"), ("pkg-1.2", "pkg-lit1.2"), ("a:b", "alitb"), ("x@y", "xivar@y"),
    ("meta Project", "metaProject"), ("Project meta", "Project meta"), ("a.b", "ab"), ("a::b", "ab"),
    ("a/b", "a/ b"), ("a+b", "a+ b"), ("home:user", "homelituser"), ("a $b", "agvar$b"), ("a -1", "alit-1"),
    ("a [1, b]", "aarraylit1 b"), ("a nil", "anil"), ("a \"two words\"", "atwo words"),
  ])
  func flatteningFollowsTheParseTree(_ text: String, _ expected: String) throws {
    #expect(try flattened(text) == expected)
  }

  @Test func notInsideACallShowsInTheCutText() throws {
    let tree = try #require(try RubyParser.parse(Array("two words != \"two words\"".utf8)[...]))
    let (text, comparison) = tree.flattened()
    let cut = try #require(comparison)
    #expect(RubyEvaluator.strip(text[..<cut.range.lowerBound]) == "twonot words")
  }
}
