import ArgumentParser
import Foundation
import PDef

struct PDefCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "pdef",
    abstract: "Show the tree robogrator reads from a process definition.",
    discussion: """
      Parses a definition (the ruote Ruby DSL, or a JSON tree) without running any \
      Ruby, and prints the tree the engine will run: indented by default; with --json, \
      the canonical ruote tree [name, {attributes}, [children]] as JSON on one line \
      (root named "define", positional arguments as keys with a null value, attributes \
      in source order). A definition that does not parse exits 1 with FILE:LINE:COLUMN \
      and the reason on standard error.
      """
  )

  @Argument(help: ArgumentHelp("The definition file, or - for standard input.", valueName: "file"))
  var file: String

  @Flag(name: .long, help: "Print the canonical JSON tree.")
  var json = false

  func run() throws {
    try runReportingFailures {
      let text = String(decoding: try readInput(file), as: UTF8.self)
      do {
        let tree = try PDefParser.parse(text, file: file == "-" ? "<stdin>" : file)
        let text = json ? tree.toJSON().serialized() : tree.indentedDescription()
        print(text, terminator: text.hasSuffix("\n") ? "" : "\n")
        return 0
      } catch {
        printError("\(error)")
        return 1
      }
    }
  }
}
