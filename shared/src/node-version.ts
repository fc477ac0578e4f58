// Herald runs on Node.js 24 (the Kubernetes client needs >= 22.19). The bins call this before
// loading anything else, so an older node on PATH gets a clear message instead of a crash deep
// inside a dependency. This module imports nothing, on purpose.

export function requireNodeMajor(command: string, min = 24): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= min) return;
  process.stderr.write(
    `${command} needs Node.js ${min} or newer, and this is ${process.version}. Run it through the project's pinned Node: npx ${command}, or node_modules/.bin/node.\n`,
  );
  process.exit(1);
}
