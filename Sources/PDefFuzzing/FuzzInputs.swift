/// Generates hostile definition texts for the parser: token soup, and
/// mutations of real definitions (byte flips, inserted quotes, `do`, `end`,
/// brackets, truncations, duplications, deep nesting, invalid UTF-8, NULs).
public struct FuzzInputs {
  private var random: FuzzRandom
  private let corpus: [[UInt8]]

  /// `corpus` holds seed definitions to mutate; built-in snippets are added.
  public init(seed: UInt64, corpus: [String]) {
    random = FuzzRandom(seed: seed)
    self.corpus = (corpus + FuzzInputs.snippets).map { Array($0.utf8) }
  }

  /// Small definitions covering each syntax form, so mutations reach them
  /// even without the example files.
  public static let snippets: [String] = [
    "Ruote.process_definition 'p' do\n  sequence do\n    alpha :a => 'x'\n  end\nend\n",
    "Ruote.define :name => 'p', :revision => '1' do\n _if :test => '${f:x} == y' do set 'v:x' => [] end\nend",
    "Ruote.process_definition('p') { sequence { a; b }; wait '1m' }",
    "Ruote.process_definition 'p' do\n echo \"a\\tb\\u00e9\\x41 #{x}\" + 'c' +\n 'd', :if => 'a' != \"b\"\nend",
    "Ruote.process_definition 'p' do\n x({'a' => [1, -2.5e3, nil, true, :s, :\"q s\"]}, b: {c: 0x1F})\nend",
    "[\"define\", {\"p\": null}, [[\"wait\", {\"1m\": null}, []]]]",
    "Ruote.process_definition 'p' do # c\n=begin\nx\n=end\n on_error /re/i => 'h'; _break\nend\n__END__\nrest",
  ]

  static let fragments: [String] = [
    "'", "\"", " do ", " end", "end\n", "do\n", "[", "]", "{", "}", "(", ")", "#{", "${", "\\", "=>", ",", "\n",
    ":", "::", ".", "%w[", "<<", "/", "\u{0}", "`", "@", "$", "|x|", " if ", "_if", "Ruote.process_definition",
    "\"\\u{", "\"\\x", "'\\", "=begin\n", "__END__\n", ";", "+", " == ", " != ", "1e999", "99999999999999999999",
    "0x", "-", "é", "\u{FEFF}", "\r\n", "\t", " system 'x'", ".to_s", "x = 1", "=end",
  ]

  static let soupTokens: [String] = [
    "Ruote", ".", "process_definition", "define", "'name'", "do", "end", "sequence", "_if", "_break", ":test",
    "=>", "'${f:x} == y'", ",", "\n", ";", "[", "]", "{", "}", "(", ")", "1", "-2.5", "nil", "true", ":sym",
    "\"dq\\n\"", "+", "!=", "==", "key:", "participant", ":ref", "wait", "'1m'", "#comment\n", "/re/", "|",
    "$", "@x", "puts", "x", "Foo", "::", "\"#{", "=begin", "\u{0}", "\u{FF}",
  ]

  /// The next input, as bytes (possibly invalid UTF-8).
  public mutating func next() -> [UInt8] {
    if Int.random(in: 0..<10, using: &random) == 0 { return tokenSoup() }
    var bytes = corpus[Int.random(in: 0..<corpus.count, using: &random)]
    let mutations = Int.random(in: 1...4, using: &random)
    for _ in 0..<mutations { mutate(&bytes) }
    return bytes
  }

  private mutating func tokenSoup() -> [UInt8] {
    var bytes: [UInt8] = []
    let count = Int.random(in: 0..<200, using: &random)
    for _ in 0..<count {
      bytes += Array(FuzzInputs.soupTokens[Int.random(in: 0..<FuzzInputs.soupTokens.count, using: &random)].utf8)
      if Bool.random(using: &random) { bytes.append(0x20) }
    }
    return bytes
  }

  private mutating func position(in bytes: [UInt8]) -> Int {
    Int.random(in: 0...bytes.count, using: &random)
  }

  private mutating func mutate(_ bytes: inout [UInt8]) {
    switch Int.random(in: 0..<9, using: &random) {
    case 0:  // flip a byte
      guard !bytes.isEmpty else { return }
      bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0...255, using: &random)
    case 1, 2:  // insert a fragment
      let fragment = FuzzInputs.fragments[Int.random(in: 0..<FuzzInputs.fragments.count, using: &random)]
      bytes.insert(contentsOf: Array(fragment.utf8), at: position(in: bytes))
    case 3:  // truncate
      bytes.removeLast(bytes.count - position(in: bytes))
    case 4:  // duplicate a slice
      let a = position(in: bytes)
      let b = position(in: bytes)
      let slice = Array(bytes[min(a, b)..<max(a, b)].prefix(4096))
      bytes.insert(contentsOf: slice, at: position(in: bytes))
    case 5:  // delete a slice
      let a = position(in: bytes)
      let b = min(bytes.count, a + Int.random(in: 0..<64, using: &random))
      bytes.removeSubrange(a..<b)
    case 6:  // deep nesting
      let opener = ["[", "{", "(", "x do\n", "[{", "x { "][Int.random(in: 0..<6, using: &random)]
      let depth = Int.random(in: 100..<1500, using: &random)
      bytes.insert(contentsOf: Array(String(repeating: opener, count: depth).utf8), at: position(in: bytes))
    case 7:  // splice another seed in
      let other = corpus[Int.random(in: 0..<corpus.count, using: &random)]
      let a = position(in: other)
      bytes.insert(contentsOf: other[a...].prefix(2048), at: position(in: bytes))
    default:  // a run of random bytes
      let count = Int.random(in: 1..<16, using: &random)
      let noise = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
      bytes.insert(contentsOf: noise, at: position(in: bytes))
    }
  }
}
