import OrderedJSON
import PDef
import Testing

/// The human rendering printed by `robogrator pdef FILE`.
@Suite struct DescriptionTests {
  @Test func oneNodePerLineChildrenIndentedByTwoSpaces() throws {
    let root = try Support.parse(
      """
      Ruote.process_definition 'BOSS_handle_SR', :revision => '0.2' do
        sequence do
          set 'status' => 'SUCCESS'
          wait '1m'
          _if '"${f:status}" != "SUCCESS"' do
            notify_irc :msg => 'failed', :flank => true
          end
        end
      end
      """)
    #expect(
      root.indentedDescription() == """
        define 'BOSS_handle_SR', :revision => '0.2'
          sequence
            set :status => 'SUCCESS'
            wait '1m'
            if '"${f:status}" != "SUCCESS"'
              notify_irc :msg => 'failed', :flank => true

        """)
  }

  @Test func valuesAreWrittenAsRubyLiterals() throws {
    let root = try Support.parse(
      "Ruote.process_definition 'p' do\n  x 'v:x' => [1, 2.5, nil, false], :h => {'k' => 'it\\'s'}, :t => \"a\\tb\", :big => 1e20\nend"
    )
    #expect(
      root.children[0].lineDescription
        == #"x 'v:x' => [1, 2.5, nil, false], :h => {'k' => 'it\'s'}, :t => "a\tb", :big => 1.0e+20"#)
  }

  @Test func renderingOfADescribedTreeParsesBackAsDSL() throws {
    // Each line is a valid call, so the rendering can be pasted into a definition.
    let root = try Support.parse(
      "Ruote.process_definition 'p' do\n  alpha 'x', 'v:y' => ['a', {'b' => nil}], :z => \"q\\n\\\"#{w}\"\nend")
    let line = root.children[0].lineDescription
    let reparsed = try Support.parse("Ruote.process_definition 'p' do\n  \(line)\nend")
    #expect(reparsed == root)
  }
}
