# Herald. Every target runs on the Node.js 24 pinned in devDependencies (node_modules/.bin/node).
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: all test check deps apt build lint lab lab-down bench conformance crds clean

all: build

## make test: from a fresh clone: install (npm, apt when root), build, lint, run every suite.
test: deps apt build lint
	node scripts/run-tests.mjs

## make check: build and test without reinstalling (the inner loop).
check: build
	node scripts/run-tests.mjs

deps:
	npm ci --no-audit --no-fund

apt:
	@bash scripts/apt-deps.sh

build:
	tsc -b

lint:
	eslint --max-warnings 0 .

crds: build
	node shared/dist/src/api/generate-crds.js config/crd

lab: deps apt build
	@node lab/dist/src/main.js up $(if $(ROUTER),--router $(ROUTER)) && node lab/dist/src/main.js status --watch

lab-down:
	@node lab/dist/src/main.js down

bench: build
	node scripts/run-bench.mjs

conformance: build
	node scripts/run-tests.mjs --suite conformance

clean:
	tsc -b --clean
