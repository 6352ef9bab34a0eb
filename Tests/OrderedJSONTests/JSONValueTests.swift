import OrderedJSON
import Testing

@Suite struct JSONValueTests {
  @Test func objectsKeepKeyOrderThroughParseAndSerialize() throws {
    let text = #"{"z":1,"a":[true,false,null],"m":{"y":"x","b":2.5}}"#
    #expect(try JSONValue.parse(text).serialized() == text)
  }

  @Test func integersStayIntegersAndFractionsBecomeDoubles() throws {
    #expect(
      try JSONValue.parse("[1, -2, 3.0, 1e3, 12345678901234567890]") == [1, -2, 3.0, 1000.0, 12345678901234567890.0])
  }

  @Test func doublesSerializeSoTheyReadBackAsDoubles() {
    #expect(JSONValue.double(2).serialized() == "2.0")
    #expect(JSONValue.double(.nan).serialized() == "null")
  }

  @Test func stringEscapesAreDecodedAndReencoded() throws {
    let value = try JSONValue.parse(#""a\"b\\c\n\t\u00e9\ud83d\ude00/\/""#)
    #expect(value == .string("a\"b\\c\n\té😀//"))
    #expect(value.serialized() == #""a\"b\\c\n\té😀//""#)
  }

  @Test func controlCharactersAreEscapedOnOutput() {
    #expect(JSONValue.string("\u{01}x").serialized() == #""\u0001x""#)
  }

  @Test func objectEqualityIgnoresOrderLikeRubyHashes() throws {
    #expect(try JSONValue.parse(#"{"a":1,"b":2}"#) == JSONValue.parse(#"{"b":2,"a":1}"#))
  }

  @Test func repeatedKeysKeepTheirFirstPositionAndLastValue() throws {
    #expect(try JSONValue.parse(#"{"a":1,"b":2,"a":3}"#).serialized() == #"{"a":3,"b":2}"#)
  }

  @Test func removingAKeyDropsItFromTheOrder() {
    var object = JSONObject([("a", 1), ("b", 2), ("c", 3)])
    object["b"] = nil
    #expect(JSONValue.object(object).serialized() == #"{"a":1,"c":3}"#)
  }

  @Test(arguments: [
    ("{\"a\":1,}", 1, 8), ("[1,\n 2", 2, 3), ("\"abc", 1, 1), ("{\"a\" 1}", 1, 6), ("01", 1, 1), ("[1] x", 1, 5),
    ("\"\\x\"", 1, 2), ("tru", 1, 1), ("", 1, 1),
  ])
  func errorsSayWhereReadingStopped(text: String, line: Int, column: Int) {
    #expect {
      _ = try JSONValue.parse(text)
    } throws: { error in
      guard let error = error as? JSONParseError else { return false }
      return error.line == line && error.column == column
    }
  }

  @Test func nestingIsLimitedInsteadOfExhaustingTheStack() {
    let deep = String(repeating: "[", count: 100_000)
    #expect(throws: JSONParseError.self) { _ = try JSONValue.parse(deep) }
  }

  @Test func invalidUTF8IsRejected() {
    #expect(throws: JSONParseError.self) { _ = try JSONValue.parse(bytes: [0x22, 0xFF, 0x22]) }
  }

  @Test func prettyOutputIndentsByTwoSpaces() throws {
    #expect(
      try JSONValue.parse(#"{"a":[1,{}],"b":{}}"#).serialized(pretty: true)
        == "{\n  \"a\": [\n    1,\n    {}\n  ],\n  \"b\": {}\n}")
  }
}

@Suite struct JSONObjectTests {
  @Test func largeObjectsKeepOrderAndFindEveryKeyAfterRemovals() {
    var object = JSONObject()
    for index in 0..<40 { object["k\(index)"] = .int(index) }
    for index in stride(from: 0, to: 40, by: 3) { object["k\(index)"] = nil }
    object["k1"] = "changed"
    object["late"] = true
    #expect(object.count == 40 - 14 + 1)
    #expect(object["k1"] == "changed")
    #expect(object["k3"] == nil)
    #expect(object["k4"] == 4)
    #expect(object.keys.first == "k1")
    #expect(object.keys.last == "late")
    // Shrinking below the index threshold keeps lookups right.
    for key in object.keys.dropFirst(3) { object[key] = nil }
    #expect(object.keys == ["k1", "k2", "k4"])
    #expect(object["k2"] == 2)
  }

  @Test func equalObjectsHashAlikeWhateverTheirOrder() {
    let a = JSONObject([("x", 1), ("y", [1, 2]), ("z", ["n": nil])] as [(String, JSONValue)])
    let b = JSONObject([("z", ["n": nil]), ("x", 1), ("y", [1, 2])] as [(String, JSONValue)])
    #expect(a == b)
    #expect(a.hashValue == b.hashValue)
    #expect(a != JSONObject([("x", 1), ("y", [2, 1]), ("z", ["n": nil])] as [(String, JSONValue)]))
  }
}
