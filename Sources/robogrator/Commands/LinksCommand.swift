import ArgumentParser
import OBSEvents
import OrderedJSON
import ProcessStore

struct LinksCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "links",
    abstract: "Show which definitions are linked where, as a tree.",
    discussion: "Without PROJECT, the whole store; with it, that project and its subprojects."
  )

  @Argument(help: ArgumentHelp("Only this project and its subprojects.", valueName: "project"))
  var project: String?

  @Flag(name: .long, help: "Print JSON: [{\"directory\", \"project\", \"for_subprojects\", \"definitions\": [...]}].")
  var json = false

  @OptionGroup var options: CommonOptions

  func validate() throws {
    if let project, let rule = ProjectName.brokenRule(project) {
      throw ValidationError("project \"\(project)\" is not a valid OBS project name: \(rule)")
    }
  }

  func run() throws {
    try runReportingFailures {
      let store = try options.openStore()
      let directories = store.links(under: try project.map { try ProjectName($0) })
      if json {
        let value = JSONValue.array(
          directories.map { directory in
            .object(
              JSONObject([
                ("directory", .string(directory.directory)), ("project", .string(directory.project)),
                ("for_subprojects", .bool(directory.isForSubprojects)),
                (
                  "definitions",
                  .array(
                    directory.definitions.map { definition in
                      .object(
                        JSONObject([
                          ("file", .string(definition.fileName)), ("label", .string(definition.label)),
                          ("link", definition.linkTarget.map(JSONValue.string) ?? .null),
                          ("conf", .bool(definition.hasConf)),
                        ]))
                    })
                ),
              ]))
          })
        print(value.serialized(pretty: true))
      } else {
        print(LinksTree.render(directories, storeRoot: store.root))
      }
      return 0
    }
  }
}
