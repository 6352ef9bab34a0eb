import OrderedJSON
import PDef
import Testing

/// The JSON form of a definition: `[name, {attributes}, [children]]`.
@Suite struct JSONTreeTests {
  @Test func fileStartingWithBracketIsReadAsJSONTree() throws {
    let root = try Support.parse("\n  [\"define\", {\"p\": null}, [[\"wait\", {\"1m\": null}, []]]]\n")
    #expect(root.name == "define")
    #expect(root.children.first?.name == "wait")
    #expect(root.location == nil)
    #expect(PDefParser.isJSONTree(" \n\t[") && !PDefParser.isJSONTree("# [\n"))
  }

  @Test func jsonTreeEqualsTheSameDefinitionWrittenInTheDSL() throws {
    let dsl = try Support.parse(
      "Ruote.process_definition 'p', :revision => '2' do\n  set 'v:x' => [], :if => true\n  wait '1m'\nend")
    let json = try Support.parse(
      #"["define", {"p": null, "revision": "2"}, [["set", {"v:x": [], "if": true}, []], ["wait", {"1m": null}, []]]]"#)
    #expect(dsl == json)
  }

  @Test func jsonTreeKeepsAttributeOrder() throws {
    let text = #"["define",{"p":null},[["alpha",{"z":1,"a":2,"m":3},[]]]]"#
    #expect(try Support.parse(text).toJSON().serialized() == text)
  }

  @Test func jsonRootAliasIsRenamedDefine() throws {
    #expect(try Support.parse(#"["process_definition", {"p": null}, []]"#).name == "define")
  }

  @Test func jsonRootMustBeADefinition() {
    #expect(
      Support.error(#"["sequence", {}, []]"#)?.message
        == "the JSON tree's root is `sequence`: a definition's root must be [\"define\", {\"name\": null}, [...]]")
  }

  @Test func malformedNodeIsNamedByItsExpressionId() {
    #expect(
      Support.error(#"["define", {}, [["a", {}, []], ["wait", {}, "x"]]]"#)?.message
        == "JSON tree node 0_1: the children of `wait` must be an array, found \"x\"")
    #expect(
      Support.error(#"["define", {}, [["a", []]]]"#)?.message
        == "JSON tree node 0_0: expected [name, {attributes}, [children]], found an array of 2 elements")
    #expect(
      Support.error(#"["define", {}, [[1, {}, []]]]"#)?.message
        == "JSON tree node 0_0: the name must be a non-empty string, found 1")
    #expect(
      Support.error(#"["define", [], []]"#)?.message
        == "JSON tree node 0: the attributes of `define` must be an object, found []")
  }

  @Test func invalidJSONReportsLineAndColumn() {
    let error = Support.error("[\n  \"define\",\n  {,\n")
    #expect(error?.line == 3 && error?.column == 4)
    #expect(error?.message.hasPrefix("not a valid JSON tree: ") == true)
  }

  @Test func treeSurvivesTheJSONRoundTripAsValueAndAsText() throws {
    let root = try Support.parse(
      "Ruote.process_definition 'p' do\n  x :a => [1, 2.5, nil, {'k' => [true]}], 'é' => \"\\t\"\n  define 'd' do\n    y\n  end\nend"
    )
    #expect(try PDefNode(json: root.toJSON()) == root)
    #expect(try Support.parse(root.toJSON().serialized()) == root)
    #expect(try Support.parse(root.toJSON().serialized(pretty: true)) == root)
  }

  @Test func equalityIgnoresLocations() throws {
    var moved = try Support.parse("Ruote.process_definition 'p' do\n  alpha\nend")
    let original = moved
    moved.children[0].location = SourceLocation(line: 99, column: 1)
    #expect(moved == original)
    #expect(moved.hashValue == original.hashValue)
  }
}

extension JSONTreeTests {
  @Test func jsonTreeNestingIsCappedLikeTheDSL() {
    var tree = JSONValue.array([.string("alpha"), .object(JSONObject()), .array([])])
    for _ in 0..<300 { tree = .array([.string("sequence"), .object(JSONObject()), .array([tree])]) }
    #expect(throws: PDefError.self) { try PDefNode(json: tree) }
  }
}
