import ArgumentParser
import Foundation
import OBSEvents
import ProcessStore

struct EnableCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "enable",
    abstract: "Link a process definition into a project for one event label.",
    discussion: """
      Creates the project's directory in the store (Chalk:Trunk -> processes/Chalk/Trunk) \
      and a relative symlink LABEL.PROCESS.pdef -> ../../PROCESS.pdef to the definition \
      at the store root. With --conf, copies a conf beside it (LABEL.PROCESS.conf). \
      With --subprojects, links into the project's _any folder instead, so the definition \
      serves every subproject that has no definition of its own for LABEL. \
      Example: robogrator enable Chalk:Trunk SRCSRV_REQUEST_CREATE BOSS_handle_SR
      """
  )

  @Argument(help: ArgumentHelp("The OBS project, such as Chalk:Trunk.", valueName: "project"))
  var project: String

  @Argument(help: ArgumentHelp("The event label, such as SRCSRV_REQUEST_CREATE.", valueName: "label"))
  var label: String

  @Argument(help: ArgumentHelp("The definition's name: PROCESS.pdef at the store root.", valueName: "process"))
  var process: String

  @Option(name: .long, help: ArgumentHelp("A conf to copy beside the link (JSON, # comment lines).", valueName: "file"))
  var conf: String?

  @Flag(name: .long, help: "Link into PROJECT's _any folder: for every subproject of PROJECT.")
  var subprojects = false

  @Flag(name: .long, help: "Replace an existing different link or conf.")
  var force = false

  @OptionGroup var options: CommonOptions

  func validate() throws {
    if let rule = ProjectName.brokenRule(project) {
      throw ValidationError("project \"\(project)\" is not a valid OBS project name: \(rule)")
    }
    if !EventLabel.isValid(label) {
      throw ValidationError("label \"\(label)\" is not an event label (upper case, such as REPO_PUBLISHED)")
    }
  }

  func run() throws {
    try runReportingFailures {
      let projectName = try ProjectName(project)
      let eventLabel = try EventLabel(label)
      if !eventLabel.isKnown { printError("warning: OBS never emits the label \(label); check its spelling") }
      let confText = try conf.map { String(decoding: try readInput($0), as: UTF8.self) }
      let linker = Linker(root: try options.settings().storeDirectory)
      do {
        let outcome = try linker.enable(
          project: projectName, label: eventLabel, process: process, confText: confText, subprojects: subprojects,
          force: force)
        outcome.actions.forEach { print($0) }
      } catch {
        throw UsageFailure("\(error)")
      }
      return 0
    }
  }
}

struct DisableCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "disable",
    abstract: "Remove the links that make a project launch definitions for a label.",
    discussion: """
      Removes LABEL.PROCESS.pdef (or, without PROCESS, every LABEL.*.pdef and a legacy \
      LABEL link) from the project's directory, then any directories left empty. Only \
      symlinks are removed: a regular file is reported and kept. Confs are kept unless \
      --purge is given.
      """
  )

  @Argument(help: ArgumentHelp("The OBS project, such as Chalk:Trunk.", valueName: "project"))
  var project: String

  @Argument(help: ArgumentHelp("The event label.", valueName: "label"))
  var label: String

  @Argument(help: ArgumentHelp("Only this definition (default: all for the label).", valueName: "process"))
  var process: String?

  @Flag(name: .long, help: "Act on PROJECT's _any folder (the links for every subproject).")
  var subprojects = false

  @Flag(name: .long, help: "Also remove the confs of the removed links.")
  var purge = false

  @OptionGroup var options: CommonOptions

  func validate() throws {
    if let rule = ProjectName.brokenRule(project) {
      throw ValidationError("project \"\(project)\" is not a valid OBS project name: \(rule)")
    }
    if !EventLabel.isValid(label) {
      throw ValidationError("label \"\(label)\" is not an event label (upper case, such as REPO_PUBLISHED)")
    }
  }

  func run() throws {
    try runReportingFailures {
      let linker = Linker(root: try options.settings().storeDirectory)
      do {
        let outcome = try linker.disable(
          project: try ProjectName(project), label: try EventLabel(label), process: process, subprojects: subprojects,
          purge: purge)
        outcome.actions.forEach { print($0) }
      } catch {
        throw UsageFailure("\(error)")
      }
      return 0
    }
  }
}
