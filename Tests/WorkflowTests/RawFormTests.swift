import OrderedJSON
import Testing

@testable import Workflow

/// §4.5: a whole `$f:path` attribute is the referenced value with its JSON type; §4.1 keys.
@Suite struct RawFormTests {
  let ctx = context(
    ["emails": ["x@y"], "stages": ["a", "b"], "package": "pkg", "name": "emails", "flag": false],
    variables: ["v1": ["nested": 1], "name": "emails"])

  @Test func fieldPrefixesGiveTheTypedValue() throws {
    #expect(try Dollar.substituteAttribute("$f:emails", in: ctx) == ["x@y"])
    #expect(try Dollar.substituteAttribute("$fld:emails", in: ctx) == ["x@y"])
    #expect(try Dollar.substituteAttribute("$field:stages", in: ctx) == ["a", "b"])
  }

  @Test func bareDollarPathIsAField() throws {
    #expect(try Dollar.substituteAttribute("$package", in: ctx) == "pkg")
    #expect(try Dollar.substituteAttribute("$stages.1", in: ctx) == "b")
  }

  @Test func variablePrefixesGiveTheTypedVariable() throws {
    #expect(try Dollar.substituteAttribute("$v:v1", in: ctx) == ["nested": 1])
    #expect(try Dollar.substituteAttribute("$var:v1.nested", in: ctx) == 1)
    #expect(try Dollar.substituteAttribute("$variable:v1", in: ctx) == ["nested": 1])
  }

  @Test func missingRawValueIsNull() throws {
    #expect(try Dollar.substituteAttribute("$f:missing", in: ctx) == .null)
    #expect(try Dollar.substituteAttribute("$v:missing", in: ctx) == .null)
  }

  @Test func falseStaysFalse() throws {
    #expect(try Dollar.substituteAttribute("$f:flag", in: ctx) == false)
  }

  @Test func surroundingTextMakesAPlainString() throws {
    #expect(try Dollar.substituteAttribute(" $f:emails", in: ctx) == " $f:emails")
    #expect(try Dollar.substituteAttribute("$f:emails ", in: ctx) == "$f:emails ")
    #expect(try Dollar.substituteAttribute("x$f:emails", in: ctx) == "x$f:emails")
  }

  @Test func bracesSpacesOrDollarsInThePathMakeAPlainString() throws {
    #expect(try Dollar.substituteAttribute("$a b", in: ctx) == "$a b")
    #expect(try Dollar.substituteAttribute("$f:a$b", in: ctx) == "$f:a$b")
  }

  @Test func testIsMadeOnTheSubstitutedText() throws {
    #expect(try Dollar.substituteAttribute("$f:${v:name}", in: ctx) == ["x@y"])
    #expect(try Dollar.substituteAttribute("$${v:name}", in: ctx) == ["x@y"])
  }

  @Test func dollarBraceRendersText() throws {
    #expect(try Dollar.substituteAttribute("${emails}", in: ctx) == "[\"x@y\"]")
  }

  @Test func arraysAndObjectsAreSubstitutedRecursively() throws {
    let value: JSONValue = ["to": ["$f:emails", "${package}"], "n": 5, "b": true]
    #expect(try Dollar.substituteAttribute(value, in: ctx) == ["to": [["x@y"], "pkg"], "n": 5, "b": true])
  }

  @Test func keysAreSubstitutedOnlyWhenAsked() throws {
    let value: JSONValue = ["built_${package}": "${package}"]
    #expect(try Dollar.substituteAttribute(value, in: ctx) == ["built_${package}": "pkg"])
    #expect(try Dollar.substituteAttribute(value, in: ctx, substitutingKeys: true) == ["built_pkg": "pkg"])
  }

  @Test func rawKeyIsRenderedAsText() throws {
    #expect(try Dollar.substituteKey("$f:emails", in: ctx) == "[\"x@y\"]")
    #expect(try Dollar.substituteKey("f:${package}", in: ctx) == "f:pkg")
  }

  @Test func referenceAloneOnALineCountsAsInRuby() throws {
    #expect(try Dollar.substituteAttribute("$f:emails\nmore", in: ctx) == ["x@y"])
  }

  @Test func nonStringsAreLeftAlone() throws {
    #expect(try Dollar.substituteAttribute(42, in: ctx) == 42)
    #expect(try Dollar.substituteAttribute(.null, in: ctx) == .null)
  }
}
