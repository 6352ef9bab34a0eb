/// A JSON object that remembers the order in which keys were first inserted.
///
/// Equality ignores order (as Ruby's and JSON's object equality do); compare
/// `JSONValue.serialized()` when order matters.
public struct JSONObject: Sendable, Hashable, Sequence {
  public typealias Element = (key: String, value: JSONValue)

  private var orderedKeys: [String] = []
  private var storage: [String: JSONValue] = [:]

  public init() {}

  /// Builds an object from pairs; a repeated key keeps its first position and its last value.
  public init(_ pairs: some Sequence<(String, JSONValue)>) {
    for (key, value) in pairs { self[key] = value }
  }

  public var keys: [String] { orderedKeys }
  public var values: [JSONValue] { orderedKeys.map { storage[$0] ?? .null } }
  public var count: Int { orderedKeys.count }
  public var isEmpty: Bool { orderedKeys.isEmpty }

  /// The value for `key`; assigning nil removes the key.
  public subscript(key: String) -> JSONValue? {
    get { storage[key] }
    set {
      if let newValue {
        if storage.updateValue(newValue, forKey: key) == nil { orderedKeys.append(key) }
      } else {
        removeValue(forKey: key)
      }
    }
  }

  @discardableResult
  public mutating func removeValue(forKey key: String) -> JSONValue? {
    guard let old = storage.removeValue(forKey: key) else { return nil }
    if let index = orderedKeys.firstIndex(of: key) { orderedKeys.remove(at: index) }
    return old
  }

  /// Copies every pair of `other` over this object (later keys win, new keys go last).
  public mutating func merge(_ other: JSONObject) {
    for (key, value) in other { self[key] = value }
  }

  public func makeIterator() -> some IteratorProtocol<Element> {
    var index = 0
    let keys = orderedKeys
    let storage = storage
    return AnyIterator {
      guard index < keys.count else { return nil }
      defer { index += 1 }
      let key = keys[index]
      return (key, storage[key] ?? .null)
    }
  }

  public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
    lhs.storage == rhs.storage
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(storage)
  }
}
