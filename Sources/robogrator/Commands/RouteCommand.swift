import ArgumentParser
import Foundation
import OBSEvents
import OrderedJSON
import ProcessStore

struct RouteCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "route",
    abstract: "Show what would launch for an OBS event, and why.",
    discussion: """
      Reads an event in any shape robogrator accepts (a BOSS launch item, a bare \
      obsEvent of format 1 or 2, a workitem carrying fields.obsEvent, a message-bus \
      body with --routing-key or as {"routing_key": ..., "body": ...}) and prints the \
      decoded event, its target projects, and for each project the definitions that \
      launch, the conf used, the launch fields, and what was skipped and why. \
      Nothing is launched. Exit status: 0 routed, 1 some launch or target failed \
      (bad conf, invalid project name), 2 the event cannot be decoded.
      """
  )

  @Argument(help: ArgumentHelp("The event file, or - for standard input.", valueName: "event.json"))
  var event: String

  @OptionGroup var options: CommonOptions

  @Flag(name: .long, help: "Print one JSON object (its shape is documented in robogrator(1)).")
  var json = false

  @Option(name: .long, help: ArgumentHelp("The message-bus routing key of a bare bus body.", valueName: "key"))
  var routingKey: String?

  @OptionGroup var eventOptions: EventOptions

  func run() throws {
    try runReportingFailures {
      let bytes = try readInput(event)
      var settings = try options.settings()
      try eventOptions.apply(to: &settings)
      let decoder = settings.decoder
      let decoded: OBSEvent
      do {
        decoded = try decoder.decode(bytes: bytes, routingKey: routingKey)
      } catch {
        throw UsageFailure("\(event): \(error)")
      }
      let store = try options.openStore()
      let plan = store.plan(decoded)
      print(json ? plan.toJSON().serialized(pretty: true) : plan.humanDescription())
      return plan.hasErrors ? 1 : 0
    }
  }
}
