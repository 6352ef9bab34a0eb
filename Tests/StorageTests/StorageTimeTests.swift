import Foundation
import GRDB
import Testing

@testable import Storage

@Suite struct StorageTimeTests {
  @Test func datesAreWrittenExactlyAsGRDBWritesThem() {
    var dates = [
      Date(timeIntervalSince1970: 0), Date(timeIntervalSince1970: 1_795_421_974.4229),
      Date(timeIntervalSince1970: 1_795_421_974.9999), Date(timeIntervalSince1970: 951_782_400),  // 2000-02-29
      Date(timeIntervalSince1970: -1.5),
    ]
    var generator = SystemRandomNumberGenerator()
    for _ in 0..<500 {
      dates.append(Date(timeIntervalSince1970: Double.random(in: 0...4_102_444_800, using: &generator)))
    }
    for date in dates {
      #expect(StorageTime.text(date) == String.fromDatabaseValue(date.databaseValue), "\(date.timeIntervalSince1970)")
    }
  }
}
