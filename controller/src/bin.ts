#!/usr/bin/env node
// The herald-controller command. Herald runs on Node.js 24 (the Kubernetes client needs it); an older node
// on PATH gets a clear message here instead of a crash deep inside a dependency.
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `herald-controller needs Node.js 24 or newer, and this is ${process.version}. Run it through the project's pinned Node: npx herald-controller, or node_modules/.bin/node.\n`,
  );
  process.exit(1);
}
await import('./main.js');
