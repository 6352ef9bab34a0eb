import OrderedJSON

/// Dotted-path writes into fields and variables (`set 'f:h.new'`, `'v:a.0'`),
/// with ruote's rule: when the container is missing, a top-level key named
/// with the whole path is written instead (spec §3.7).
enum JSONPaths {
  static func set(_ path: String, to value: JSONValue?, in object: inout JSONObject) {
    let segments = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard segments.count > 1 else {
      object[path] = value
      return
    }
    var root = JSONValue.object(object)
    if assign(value, at: segments[...], in: &root), case .object(let updated) = root {
      object = updated
    } else {
      object[path] = value
    }
  }

  /// Writes into an existing container; false when a container on the way is missing.
  private static func assign(_ value: JSONValue?, at path: ArraySlice<String>, in node: inout JSONValue) -> Bool {
    guard let key = path.first else { return false }
    let rest = path.dropFirst()
    switch node {
    case .object(var object):
      if rest.isEmpty {
        object[key] = value
      } else {
        guard var child = object[key], assign(value, at: rest, in: &child) else { return false }
        object[key] = child
      }
      node = .object(object)
      return true
    case .array(var array):
      guard var index = Int(key) else { return false }
      if index < 0 { index += array.count }
      guard index >= 0 else { return false }
      if rest.isEmpty {
        while array.count <= index { array.append(.null) }
        array[index] = value ?? .null
      } else {
        guard index < array.count, assign(value, at: rest, in: &array[index]) else { return false }
      }
      node = .array(array)
      return true
    default:
      return false
    }
  }
}
