import ArgumentParser

/// The `robogrator` command: routes OBS events to BOSS process definitions.
struct Robogrator: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "robogrator",
    abstract: "Route Open Build Service events to BOSS process definitions.",
    discussion: """
      robogrator reads OBS events, finds the process definitions linked for each \
      event's project in the BOSS process store (/srv/BOSS/processes), and runs them \
      durably (robogrator serve), calling participants. See robogrator(1) for every command.
      """,
    version: RobogratorVersion.text,
    subcommands: [
      RouteCommand.self, EnableCommand.self, DisableCommand.self, LinksCommand.self, LintCommand.self,
      PDefCommand.self, ServeCommand.self, EmitCommand.self, EventsCommand.self, PsCommand.self, ShowCommand.self,
      CancelCommand.self, ReplayCommand.self, LaunchCommand.self, RerouteCommand.self, VersionCommand.self,
    ]
  )
}
