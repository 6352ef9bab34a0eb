import Testing

@testable import Workflow

/// The parser gives ruby_parser 2.3.1's s-expressions (the flattening depends on their shape).
@Suite struct ParseTreeTests {
  func tree(_ text: String) throws -> String {
    try RubyParser.parse(Array(text.utf8)[...])?.inspected ?? "nil"
  }

  @Test(arguments: [
    ("abc", "s(:call, nil, :abc, s(:arglist))"),
    ("SR", "s(:const, :SR)"),
    ("qa-vote", "s(:call, s(:call, nil, :qa, s(:arglist)), :-, s(:arglist, s(:call, nil, :vote, s(:arglist))))"),
    ("a.b", "s(:call, s(:call, nil, :a, s(:arglist)), :b, s(:arglist))"),
    ("a::b", "s(:call, s(:call, nil, :a, s(:arglist)), :b, s(:arglist))"),
    ("A::B", "s(:colon2, s(:const, :A), :B)"),
    ("a:b", "s(:call, nil, :a, s(:arglist, s(:lit, :b)))"),
    ("x@y", "s(:call, nil, :x, s(:arglist, s(:ivar, :@y)))"),
    ("a != b", "s(:not, s(:call, s(:call, nil, :a, s(:arglist)), :==, s(:arglist, s(:call, nil, :b, s(:arglist)))))"),
    (
      "two words == \"x\"",
      "s(:call, nil, :two, s(:arglist, s(:call, s(:call, nil, :words, s(:arglist)), :==, s(:arglist, s(:str, \"x\")))))"
    ),
    ("x =~ /a/", "s(:match3, s(:lit, /a/), s(:call, nil, :x, s(:arglist)))"),
    ("/a/ =~ x", "s(:match2, s(:lit, /a/), s(:call, nil, :x, s(:arglist)))"),
    (
      "a and b and c",
      "s(:and, s(:call, nil, :a, s(:arglist)), s(:and, s(:call, nil, :b, s(:arglist)), s(:call, nil, :c, s(:arglist))))"
    ),
    ("-1", "s(:lit, -1)"),
    ("a -1", "s(:call, nil, :a, s(:arglist, s(:lit, -1)))"),
    ("a - 1", "s(:call, s(:call, nil, :a, s(:arglist)), :-, s(:arglist, s(:lit, 1)))"),
    ("a [1]", "s(:call, nil, :a, s(:arglist, s(:array, s(:lit, 1))))"),
    ("a[1]", "s(:call, s(:call, nil, :a, s(:arglist)), :[], s(:arglist, s(:lit, 1)))"),
    ("{\"k\"=>1}", "s(:hash, s(:str, \"k\"), s(:lit, 1))"),
    ("[1, nil, true]", "s(:array, s(:lit, 1), s(:nil), s(:true))"),
    ("1..2", "s(:lit, 1..2)"),
    ("a = b", "s(:lasgn, :a, s(:call, nil, :b, s(:arglist)))"),
    (
      "a ? b : c",
      "s(:if, s(:call, nil, :a, s(:arglist)), s(:call, nil, :b, s(:arglist)), s(:call, nil, :c, s(:arglist)))"
    ),
    ("\"a\" \"b\"", "s(:str, \"ab\")"),
    ("\"a#{b}\"", "s(:dstr, \"a\", s(:evstr, s(:call, nil, :b, s(:arglist))))"),
    ("%w(a b)", "s(:array, s(:str, \"a\"), s(:str, \"b\"))"),
    ("SR # comment", "s(:const, :SR)"),
  ])
  func treesMatchRubyParser(_ text: String, _ expected: String) throws {
    #expect(try tree(text) == expected)
  }

  @Test func emptyProgramIsNil() throws {
    #expect(try RubyParser.parse(Array("  # just a comment".utf8)[...]) == nil)
  }
}
