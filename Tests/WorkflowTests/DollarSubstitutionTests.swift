import OrderedJSON
import Testing

@testable import Workflow

/// §4.2: the substitution algorithm, its quirks kept and its fixes.
@Suite struct DollarSubstitutionTests {
  let fields: JSONValue = ["n": 3, "h": ["k": 1], "s": "str", "stages": ["a", "b"], "x": "X"]

  @Test func substitutesFieldsByDefault() throws {
    #expect(try sub("n=${n} s=${s}", fields) == "n=3 s=str")
  }

  @Test func textWithoutDollarBraceIsReturnedAsIs() throws {
    #expect(try sub("plain } text { $x", fields) == "plain } text { $x")
  }

  @Test func innerKeyIsResolvedFirst() throws {
    #expect(try sub("${f:${v:k}}", fields, variables: ["k": "n"]) == "3")
  }

  @Test func pastedValueIsExpandedAgain() throws {
    #expect(try sub("[${a}]", ["a": "${b}", "b": "B"]) == "[B]")
  }

  @Test func nestedDollarLooksUpTheRenderedKey() throws {
    // '${${n}}' with n=3 becomes ${3}, i.e. the field "3".
    #expect(try sub("${${n}}", fields) == "")
    #expect(try sub("${${n}}", ["n": 3, "3": "three"]) == "three")
  }

  @Test func hashValueBraceStillStopsTheScan() throws {
    // Kept (T15): the '}' pasted with the hash cuts the rest of the string.
    #expect(try sub("cut: ${h} then ${n}", fields) == "cut: {\"k\"=>1} then ${n}")
  }

  @Test func literalBraceNoLongerCutsSubstitution() throws {
    // Fixed: ruote left these unsubstituted.
    #expect(try sub("cut2: {} then ${n}", fields) == "cut2: {} then 3")
    #expect(try sub("{} == ${n}", fields) == "{} == 3")
    #expect(try sub("a } ${n}", fields) == "a } 3")
    #expect(try sub("${x} } ${n}", fields) == "X } 3")
  }

  @Test func braceAfterTheLastSubstitutionIsHarmless() throws {
    #expect(try sub("${f:h} != {}", fields) == "{\"k\"=>1} != {}")
    #expect(try sub("{\"a\": \"${s}\"}", fields) == "{\"a\": \"str\"}")
  }

  @Test func braceInsideKeyRetriesWithTheNextBrace() throws {
    #expect(try sub("${n{x}y}", ["n{x}y": "found"]) == "found")
    #expect(try sub("${a{b} ${n}", fields) == "${a{b} 3")
    #expect(try sub("${a{b}", fields) == "${a{b}")
  }

  @Test func backslashStopsAllSubstitution() throws {
    #expect(try sub("\\${n} ${n}", fields) == "\\${n} ${n}")
    #expect(try sub("${n} \\${n} ${n}", fields) == "3 \\${n} ${n}")
  }

  @Test func doubleQuotedKeyRendersWithInspect() throws {
    #expect(try sub("${\"s}", fields) == "\"str\"")
    #expect(try sub("${\"n}", fields) == "\"3\"")
  }

  @Test func singleQuotedKeyAlsoRendersWithDoubleQuotes() throws {
    #expect(try sub("${'n}", fields) == "\"3\"")
  }

  @Test func quotedMissingValueRendersTwoQuotes() throws {
    #expect(try sub("${\"nope}", fields) == "\"\"")
  }

  @Test func quotedArrayIsInspectedTwice() throws {
    #expect(try sub("${\"emails}", ["emails": ["x"]]) == "\"[\\\"x\\\"]\"")
  }

  @Test func loneQuoteIsAFieldName() throws {
    #expect(try sub("${\"}", ["\"": "q"]) == "q")
    #expect(try sub("${\"}", fields) == "")
  }

  @Test func keysAreNotTrimmed() throws {
    #expect(try sub("${ n}", fields) == "")
    #expect(try sub("${ n}", [" n": "spaced"]) == "spaced")
  }

  @Test func missingValueRendersEmpty() throws {
    #expect(try sub("[${nope}]", fields) == "[]")
  }

  @Test func emptyKeyRendersEmptyInsteadOfCrashing() throws {
    #expect(try sub("a${}b", fields) == "ab")
    #expect(try sub("a${f:}b", fields) == "ab")
    #expect(try sub("a${v:}b", fields) == "ab")
    #expect(try sub("a${.}b", fields) == "ab")
  }

  @Test func rubyPrefixIsRefused() {
    #expect(throws: SubstitutionError.rubyEvaluationUnsupported(key: "r:1+1")) { try sub("${r:1+1}", fields) }
    #expect(throws: SubstitutionError.rubyEvaluationUnsupported(key: "ruby:x")) { try sub("${ruby:x}", fields) }
    #expect(throws: SubstitutionError.rubyEvaluationUnsupported(key: "res:x")) { try sub("${res:x}", fields) }
  }

  @Test func rubyRefusalMessageSaysWhatToDo() {
    let message = SubstitutionError.rubyEvaluationUnsupported(key: "r:1").description
    #expect(message.contains("Ruby evaluation"))
    #expect(message.contains("${f:"))
  }

  @Test func selfReferringValueHitsTheExpansionLimit() {
    #expect {
      try sub("${v:tree}", [:], variables: ["tree": "[x ${v:tree}]"])
    } throws: { error in
      guard case .expansionLimitExceeded = error as? SubstitutionError else { return false }
      return "\(error)".contains("refers back to itself")
    }
  }

  @Test func manySubstitutionsAreFine() throws {
    let text = String(repeating: "${n}", count: 500)
    #expect(try sub(text, fields) == String(repeating: "3", count: 500))
  }
}
