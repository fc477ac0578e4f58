# Herald. Every target runs on the Node.js 24 pinned in devDependencies (node_modules/.bin/node).
SHELL := /bin/bash
export PATH := $(CURDIR)/node_modules/.bin:$(PATH)

.PHONY: all test check deps apt build lint lab lab-down bench soak conformance conformance-real crds clean image

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
	@# The shipped form of each program (issue 17): the image and the lab run these bundles.
	node scripts/bundle.mjs
	@# npm links a workspace's bin only if the file exists, and npm ci runs before the build.
	@npm rebuild --ignore-scripts @herald/lab @herald/controller @herald/speaker @herald/cli >/dev/null 2>&1
	@# npm sets the mode only when it creates a link; tsc may have re-emitted a bin since.
	@chmod +x lab/dist/src/bin.js controller/dist/src/bin.js speaker/dist/src/bin.js cli/dist/src/bin.js

lint:
	eslint --max-warnings 0 .

crds: build
	node shared/dist/src/api/generate-crds.js config/crd

## make lab [ROUTER=bird|frr|gobgp]: bring the lab up, then show it live (Ctrl-C leaves it running).
lab: deps apt build
	@herald-lab up $(if $(ROUTER),--router $(ROUTER)) && herald-lab status --watch

lab-down:
	@herald-lab down

bench: build
	node scripts/run-bench.mjs

## make soak: 30 minutes of seeded chaos (every fault kind) in a lab of its own (root); its table
## goes into BENCHMARKS.md (area "chaos soak"), the report and timeline into chaos-soak-report/.
## HERALD_CHAOS_SOAK_MINUTES and HERALD_CHAOS_SEED change the length and the seed.
soak: build
	node scripts/run-bench.mjs 'chaos soak'

conformance: build
	node scripts/run-tests.mjs --suite conformance

## make image [IMAGE=localhost/herald:dev]: the container image, from Debian packages and the pinned
## Node 24 alone (no registry; scripts/image/build.sh). The release path is the Dockerfile.
image: build
	bash scripts/image/build.sh

## make conformance-real: the conformance suite and the controller's allocation test against a real
## kube-apiserver 1.20 (built once from Debian's source package, cached) and etcd, on loopback.
conformance-real: build
	node scripts/run-tests.mjs --suite conformance-real

clean:
	tsc -b --clean
	rm -rf controller/dist/bundle speaker/dist/bundle
