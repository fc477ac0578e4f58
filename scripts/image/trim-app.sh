#!/bin/sh
# Trims a built tree (npm ci, tsc -b, npm prune --omit=dev) down to what the image holds. Both the
# Dockerfile's build stage and `make image` (build.sh) run it, so both images have one layout.
#   trim-app.sh DIR
# Removes the workspace links of lab, cli, test, bench and testkit (their folders are never copied, so
# the links would dangle). Product src/ holds no bench, probe or test-helper module (they live in
# bench/, testkit/ and test/fixtures; shared/test/layout/product-src.test.ts fails if one comes
# back), so the find below only drops stale outputs that an older build left in a developer's
# dist/src (tsc -b never deletes). POSIX sh: the release base's build stage has no bash.
set -eu
dir="$1"
rm -f "$dir/node_modules/@herald/lab" "$dir/node_modules/@herald/e2e" "$dir/node_modules/.bin/herald-lab" "$dir/node_modules/@herald/cli" "$dir/node_modules/.bin/kubectl-herald" "$dir/node_modules/@herald/bench" "$dir/node_modules/@herald/testkit"
for pkg in shared controller speaker; do
  d="$dir/$pkg/dist/src"
  [ -d "$d" ] || { echo "trim-app: no $d (build first)" >&2; exit 1; }
  find "$d" \( -name bench -o -name testing \) -type d -prune -exec rm -rf {} +
  find "$d" -type f \( -name 'bench.*' -o -name 'bench-*' -o -name '*-bench.*' -o -name 'probe.*' -o -name 'probe-*' -o -name 'standalone.*' \) -exec rm -f {} +
done
for bad in node_modules/node node_modules/mocha node_modules/typescript; do
  if [ -e "$dir/$bad" ]; then echo "trim-app: $bad is still in $dir: was it pruned (npm prune --omit=dev)?" >&2; exit 1; fi
done
