# robogrator: the two set-up commands (make run, make test) and helpers.
# Every target first installs the Debian packages the build links against
# (and groff-base, with which the tests check the man pages), so a fresh
# machine needs nothing but Swift.

SWIFT        ?= swift
APT_PACKAGES := libsqlite3-dev libinotifytools0-dev groff-base
ROOT         ?= srv-layout
STATE        ?= state
SUDO         := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
FUZZ_COUNT   ?= 100000

.PHONY: run test bench fuzz build deps format lint-format clean

## run: install what is missing, build, and serve the embedded srv-layout/
run: deps build
	.build/debug/robogrator serve --root $(ROOT) --state $(STATE)

## test: install what is missing, build, a short fuzz run of the definition parser, the whole test suite
## (the test summary stays the last line: CI reads it)
test: deps
	$(SWIFT) build --build-tests
	.build/debug/pdef-fuzz --count 10000 --seed $$(date +%s)
	$(SWIFT) test

## fuzz: feed the definition parser random and mutated definitions (release build)
fuzz: deps
	$(SWIFT) build -c release --product pdef-fuzz
	.build/release/pdef-fuzz --count $(FUZZ_COUNT) --seed $$(date +%s)

## bench: measure routing, language, participants and the engine in release mode; writes BENCHMARKS.md
bench: deps
	$(SWIFT) build -c release --product robogrator-bench
	.build/release/robogrator-bench --output BENCHMARKS.md

build: deps
	$(SWIFT) build --product robogrator

## deps: apt-get update once, then install only the packages that are missing
deps:
	@missing=""; \
	for package in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$package 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$package"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

format:
	$(SWIFT) format -i -r Package.swift Sources Tests

lint-format:
	$(SWIFT) format lint -r Package.swift Sources Tests

clean:
	rm -rf .build
