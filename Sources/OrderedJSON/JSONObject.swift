/// A JSON object that remembers the order in which keys were first inserted.
///
/// Equality ignores order (as Ruby's and JSON's object equality do); compare
/// `JSONValue.serialized()` when order matters.
///
/// Storage is one array of pairs; a key index is built only for objects
/// larger than `indexThreshold`. Most objects here are small (expression
/// attributes, workitem fields), and one allocation instead of an array plus
/// a dictionary is most of the cost of parsing a definition.
public struct JSONObject: Sendable, Hashable, Sequence {
  public typealias Element = (key: String, value: JSONValue)

  private var pairs: [Element] = []
  /// Key → position in `pairs`, kept only once the object is large.
  private var index: [String: Int]?

  static let indexThreshold = 12

  public init() {}

  /// Builds an object from pairs; a repeated key keeps its first position and its last value.
  public init(_ pairs: some Sequence<(String, JSONValue)>) {
    for (key, value) in pairs { self[key] = value }
  }

  public var keys: [String] { pairs.map(\.key) }
  public var values: [JSONValue] { pairs.map(\.value) }
  public var count: Int { pairs.count }
  public var isEmpty: Bool { pairs.isEmpty }

  /// Reserves room for `capacity` keys.
  public mutating func reserveCapacity(_ capacity: Int) { pairs.reserveCapacity(capacity) }

  private func position(of key: String) -> Int? {
    if let index { return index[key] }
    return pairs.firstIndex { $0.key == key }
  }

  /// The value for `key`; assigning nil removes the key.
  public subscript(key: String) -> JSONValue? {
    get { position(of: key).map { pairs[$0].value } }
    set {
      guard let newValue else {
        removeValue(forKey: key)
        return
      }
      if let position = position(of: key) {
        pairs[position].value = newValue
        return
      }
      pairs.append((key, newValue))
      if index != nil {
        index?[key] = pairs.count - 1
      } else if pairs.count > JSONObject.indexThreshold {
        rebuildIndex()
      }
    }
  }

  private mutating func rebuildIndex() {
    var built: [String: Int] = [:]
    built.reserveCapacity(pairs.count)
    for (offset, pair) in pairs.enumerated() { built[pair.key] = offset }
    index = built
  }

  @discardableResult
  public mutating func removeValue(forKey key: String) -> JSONValue? {
    guard let position = position(of: key) else { return nil }
    let old = pairs.remove(at: position).value
    if index != nil {
      if pairs.count > JSONObject.indexThreshold { rebuildIndex() } else { index = nil }
    }
    return old
  }

  /// Copies every pair of `other` over this object (later keys win, new keys go last).
  public mutating func merge(_ other: JSONObject) {
    for (key, value) in other { self[key] = value }
  }

  public func makeIterator() -> IndexingIterator<[Element]> {
    pairs.makeIterator()
  }

  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    guard lhs.count == rhs.count else { return false }
    for (key, value) in lhs.pairs where rhs[key] != value { return false }
    return true
  }

  public func hash(into hasher: inout Hasher) {
    // Order-independent, to agree with ==.
    var combined = 0
    for (key, value) in pairs {
      var pairHasher = Hasher()
      pairHasher.combine(key)
      pairHasher.combine(value)
      combined = combined &+ pairHasher.finalize()
    }
    hasher.combine(pairs.count)
    hasher.combine(combined)
  }
}

extension JSONObject: ExpressibleByDictionaryLiteral {
  public init(dictionaryLiteral elements: (String, JSONValue)...) { self.init(elements) }
}
