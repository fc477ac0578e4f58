# syntax=docker/dockerfile:1
# Herald: one image, two programs. The first argument picks one:
#   herald-controller [flags]    herald-speaker [flags]
# Build:  docker build -t ghcr.io/herald-lb/herald:0.1.0 .
# (ghcr.io/herald-lb is a placeholder registry.) On machines with no registry, `make image` builds
# the same layout on a base assembled from Debian packages (scripts/image/, README "Deploy").
# shared/test/manifests/dockerfile.test.ts checks this file's structure, and that
# scripts/image/Containerfile lays the runtime out the same way.
#
# Node.js: the same major as the node devDependency the repository pins (24). The runtime uses
# the base's own node at /usr/local/bin/node; the `node` npm package is a devDependency and is
# pruned away. BASE is the runtime base: it needs only node (no shell: every RUN of the runtime
# stage is exec form, and the entrypoint is JavaScript). BUILDER needs node, npm and a shell.
ARG BUILDER=node:24-slim
ARG BASE=node:24-slim

FROM ${BUILDER} AS build
WORKDIR /src
# Every workspace's package.json first, so `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json .npmrc lerna.json tsconfig.base.json tsconfig.json ./
COPY testkit/package.json testkit/
COPY shared/package.json shared/
COPY controller/package.json controller/
COPY speaker/package.json speaker/
COPY lab/package.json lab/
COPY cli/package.json cli/
COPY bench/package.json bench/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY shared/ shared/
COPY controller/ controller/
COPY speaker/ speaker/
RUN npx tsc -b shared controller speaker
# The shipped form (issue 17): one esbuild bundle per program, which the entrypoint runs; koffi
# stays in node_modules (a native addon), the rest of node_modules is not loaded.
COPY scripts/bundle.mjs scripts/
RUN node scripts/bundle.mjs
RUN npm prune --omit=dev --no-audit --no-fund
# The entrypoint (a tiny JS dispatch to the bins of @herald/controller and @herald/speaker), and
# the trim both image paths share: no lab/test/cli/bench/testkit links (those workspaces hold the
# benchmarks and test helpers; product src/ has none, shared/test/layout checks it).
COPY scripts/image/herald-entrypoint scripts/image/trim-app.sh /src/
RUN sh /src/trim-app.sh /src

FROM ${BASE} AS runtime
ENV NODE_ENV=production
# Memory (issue 17): one glibc malloc arena, and 1 MB V8 semi-spaces (8 MB commit 16 MB of young
# generation). The manifests set both again, NODE_OPTIONS with the heap caps.
ENV MALLOC_ARENA_MAX=1
ENV NODE_OPTIONS=--max-semi-space-size=1
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/shared/package.json shared/
COPY --from=build /src/shared/dist/src shared/dist/src
COPY --from=build /src/controller/package.json controller/
COPY --from=build /src/controller/dist/src controller/dist/src
COPY --from=build /src/controller/dist/bundle controller/dist/bundle
COPY --from=build /src/speaker/package.json speaker/
COPY --from=build /src/speaker/dist/src speaker/dist/src
COPY --from=build /src/speaker/dist/bundle speaker/dist/bundle
COPY --from=build /src/herald-entrypoint /usr/local/bin/herald
# Fail the build if the pinned-node devDependency, test code or the lab survived, or the base's
# node is not 24 (exec form: the base may have no shell).
RUN ["node", "-e", "const fs = require('fs'); const bad = ['node_modules/node', 'node_modules/mocha', 'node_modules/@herald/lab', 'node_modules/@herald/e2e', 'node_modules/@herald/cli', 'node_modules/@herald/bench', 'node_modules/@herald/testkit', 'lab', 'test', 'bench', 'testkit', 'shared/dist/test', 'controller/dist/test', 'speaker/dist/test'].filter((p) => fs.existsSync(p)); if (bad.length) throw new Error('not for the image: ' + bad.join(', ')); if (!process.versions.node.startsWith('24.')) throw new Error('node ' + process.version + ' is not 24');"]
# Non-root by default (the controller). The speaker's pod sets runAsUser 0 with every capability
# dropped but NET_RAW and NET_ADMIN (config/speaker/daemonset.yaml explains why).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/herald"]
CMD ["herald-controller"]
