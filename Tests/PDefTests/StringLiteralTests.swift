import OrderedJSON
import PDef
import Testing

/// Ruby string literals: escapes, quotes, interpolation kept as text.
@Suite struct StringLiteralTests {
  /// The value of `:v => <literal>`.
  func value(_ literal: String) throws -> JSONValue? {
    let root = try Support.parse("Ruote.process_definition 'p' do\n  x :v => \(literal)\nend")
    return root.children.first?.attributes["v"]
  }

  @Test func doubleQuotesUnderstandRubyEscapes() throws {
    #expect(try value(#""a\nb\tc\\d\"e\'f\eg\sh\0i\rj""#) == .string("a\nb\tc\\d\"e'f\u{1B}g h\u{0}i\rj"))
  }

  @Test func unicodeHexAndOctalEscapes() throws {
    #expect(try value(#""\u00e9 \u{1F600 41} \x41\x7 \101""#) == .string("é 😀A A\u{7} A"))
  }

  @Test func unknownEscapeStandsForTheCharacterItself() throws {
    #expect(try value(##""\q\#{x}\$""##) == .string("q#{x}$"))
  }

  @Test func escapedNewlineInDoubleQuotesJoinsTheLines() throws {
    #expect(try value("\"one \\\ntwo\"") == .string("one two"))
  }

  @Test func singleQuotesOnlyEscapeBackslashAndQuote() throws {
    #expect(try value(#"'a\nb\\c\'d\e'"#) == .string(#"a\nb\c'd\e"#))
  }

  @Test func interpolationIsKeptAsWrittenAndNeverEvaluated() throws {
    #expect(try value(#""SR#{ev.id} done""#) == .string("SR#{ev.id} done"))
    #expect(try value(#""a #{"b"} c""#) == .string(#"a #{"b"} c"#))
    #expect(try value(#"'SR#{ev.id}'"#) == .string("SR#{ev.id}"))
  }

  @Test func dollarSubstitutionsAreKeptAsText() throws {
    #expect(try value(#""${f:status} != SUCCESS""#) == .string("${f:status} != SUCCESS"))
  }

  @Test func stringsMaySpanLinesAndLaterLinesStillCount() throws {
    let root = try Support.parse("Ruote.process_definition 'p' do\n  echo 'one\ntwo'\n  alpha\nend")
    #expect(root.children[0].positionalText == "one\ntwo")
    #expect(root.children[1].location == SourceLocation(line: 4, column: 3))
  }

  @Test func quotedSymbolUnderstandsEscapes() throws {
    #expect(try value(#":"a\tb""#) == .string("a\tb"))
  }
}
