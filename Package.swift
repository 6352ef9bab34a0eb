// swift-tools-version: 6.0
import PackageDescription

// Module layout: see README.md ("Repository layout"); pure logic in the middle, I/O at the edges.
// OrderedJSON is shared by every module that handles events, trees or
// workitems: it keeps key order, which users can see (Ruby `inspect`,
// `robogrator pdef --json`, participant workitems).
let package = Package(
  name: "robogrator",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "robogrator", targets: ["robogrator"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/swiftlang/swift-subprocess", exact: "1.0.2"),
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    // robogrator.toml (toml++ underneath: about 45 s of a clean debug build).
    .package(url: "https://github.com/LebJe/TOMLKit", exact: "0.6.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CSQLite",
      providers: [.apt(["libsqlite3-dev"])]
    ),
    .systemLibrary(
      name: "CInotifyTools",
      providers: [.apt(["libinotifytools0-dev"])]
    ),
    .target(name: "OrderedJSON"),
    // The finding type every lint reports (store, tree, conditions), shared like OrderedJSON.
    .target(name: "Lint"),
    .target(name: "OBSEvents", dependencies: ["OrderedJSON"]),
    .target(name: "ProcessStore", dependencies: ["OBSEvents", "OrderedJSON", "Lint", "CInotifyTools"]),
    .target(name: "PDef", dependencies: ["OrderedJSON", "Lint"]),
    // Fuzz input generation and invariant checks, shared by pdef-fuzz and the tests.
    .target(name: "PDefFuzzing", dependencies: ["PDef", "OrderedJSON"]),
    .executableTarget(name: "pdef-fuzz", dependencies: ["PDef", "PDefFuzzing"]),
    // Runs participants: executables with the workitem on stdin (more with the engine).
    .target(
      name: "Participants",
      dependencies: ["OrderedJSON", "Workflow", .product(name: "Subprocess", package: "swift-subprocess")]
    ),
    // The engine's pure half so far: ${} substitution and conditions (the engine itself arrives next).
    .target(name: "Workflow", dependencies: ["OrderedJSON", "PDef", "Lint"]),
    // SQLite storage of the engine's state and the event inbox (GRDB on the system libsqlite3).
    .target(
      name: "Storage",
      dependencies: ["Workflow", "PDef", "OrderedJSON", .product(name: "GRDB", package: "GRDB.swift")]
    ),
    .target(
      name: "Robogrator",
      dependencies: [
        "OBSEvents", "ProcessStore", "OrderedJSON", "PDef", "Workflow", "Lint", "Storage", "Participants",
        .product(name: "TOMLKit", package: "TOMLKit"),
      ]),
    .executableTarget(
      name: "robogrator",
      dependencies: [
        "OBSEvents", "ProcessStore", "OrderedJSON", "Robogrator", "PDef", "Workflow", "Lint", "Storage", "CSQLite",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ]
    ),
    .executableTarget(
      name: "robogrator-bench",
      dependencies: [
        "OBSEvents", "ProcessStore", "OrderedJSON", "PDef", "Participants", "Workflow", "Storage", "Robogrator",
      ]
    ),
    .testTarget(name: "OrderedJSONTests", dependencies: ["OrderedJSON"]),
    .testTarget(name: "ParticipantsTests", dependencies: ["Participants", "OrderedJSON", "Workflow", "PDef"]),
    .testTarget(
      name: "StorageTests",
      dependencies: ["Storage", "Workflow", "PDef", "OrderedJSON", .product(name: "GRDB", package: "GRDB.swift")]),
    .testTarget(name: "WorkflowTests", dependencies: ["Workflow", "OrderedJSON", "PDef"]),
    .testTarget(name: "PDefTests", dependencies: ["PDef", "PDefFuzzing", "OrderedJSON", "Lint"]),
    .testTarget(name: "OBSEventsTests", dependencies: ["OBSEvents", "OrderedJSON"]),
    .testTarget(name: "ProcessStoreTests", dependencies: ["ProcessStore", "OBSEvents", "OrderedJSON", "Lint"]),
    .testTarget(
      name: "RobogratorTests",
      dependencies: [
        "Robogrator", "OBSEvents", "OrderedJSON", "ProcessStore", "Lint", "Participants", "Storage", "Workflow",
      ]),
    .testTarget(name: "RobogratorCLITests", dependencies: ["OrderedJSON", "CSQLite"]),
  ],
  swiftLanguageModes: [.v6]
)
