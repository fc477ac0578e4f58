# syntax=docker/dockerfile:1
# Herald: one image, two programs. The first argument picks one:
#   herald-controller [flags]    herald-speaker [flags]
# Build:  docker build -t ghcr.io/herald-lb/herald:0.1.0 .
# (ghcr.io/herald-lb is a placeholder registry. This file is not built in CI, which has no
# container engine; shared/test/manifests/dockerfile.test.ts checks its structure.)
#
# Node.js: the same major as the node devDependency the repository pins (24). The runtime uses
# the image's own node; the `node` npm package is a devDependency and is pruned away.

FROM node:24-slim AS build
WORKDIR /src
# Every workspace's package.json first, so `npm ci` is cached until a dependency changes.
COPY package.json package-lock.json .npmrc lerna.json tsconfig.base.json tsconfig.json ./
COPY shared/package.json shared/
COPY controller/package.json controller/
COPY speaker/package.json speaker/
COPY lab/package.json lab/
COPY test/package.json test/
RUN npm ci --no-audit --no-fund
COPY shared/ shared/
COPY controller/ controller/
COPY speaker/ speaker/
RUN npx tsc -b shared controller speaker
RUN npm prune --omit=dev --no-audit --no-fund
# The entrypoint: a two-line dispatch to the bins of @herald/controller and @herald/speaker.
RUN printf '%s\n' '#!/bin/sh' 'set -e' 'case "$1" in' \
      '  herald-controller) shift; exec node /app/controller/dist/src/bin.js "$@" ;;' \
      '  herald-speaker) shift; exec node /app/speaker/dist/src/bin.js "$@" ;;' \
      '  *) echo "usage: herald-controller|herald-speaker [flags]" >&2; exit 64 ;;' \
      'esac' > /src/herald-entrypoint \
 && chmod 0755 /src/herald-entrypoint

FROM node:24-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/shared/package.json shared/
COPY --from=build /src/shared/dist/src shared/dist/src
COPY --from=build /src/controller/package.json controller/
COPY --from=build /src/controller/dist/src controller/dist/src
COPY --from=build /src/speaker/package.json speaker/
COPY --from=build /src/speaker/dist/src speaker/dist/src
COPY --from=build /src/herald-entrypoint /usr/local/bin/herald
# Fail the build if the pinned-node devDependency survived the prune, or the base is not 24.
RUN test ! -e node_modules/node && node --version | grep -q '^v24\.'
# Non-root by default (the controller). The speaker's pod sets runAsUser 0 with every capability
# dropped but NET_RAW and NET_ADMIN (config/speaker/daemonset.yaml explains why).
USER 65532:65532
ENTRYPOINT ["/usr/local/bin/herald"]
CMD ["herald-controller"]
