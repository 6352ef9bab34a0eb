import ArgumentParser

Robogrator.main()
