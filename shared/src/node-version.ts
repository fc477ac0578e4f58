// Herald runs on Node.js 24 (the Kubernetes client needs >= 22.19). The bins call this before
// loading anything else. Started by an older node (`node_modules/.bin/herald-lab` with the
// machine's Node 20 first on PATH: the bins say `#!/usr/bin/env node`), it runs the same command
// again on the Node 24 pinned in the repository's devDependencies (the `node` package), so both
// `npx herald-lab` and `node_modules/.bin/herald-lab` work. Where there is no pinned Node (an
// image, a global install) it says so clearly instead of crashing deep inside a dependency.
// This module imports only Node built-ins, on purpose: it must load on any old Node.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';

/** Set on the re-run, so that a pinned Node that is itself too old cannot loop. */
const REEXEC_ENV = 'HERALD_NODE_REEXEC';

/** The repository's pinned node binary, if this module sits in a checkout that has one. */
export function pinnedNode(): string | undefined {
  try {
    const pkg = createRequire(import.meta.url).resolve('node/package.json');
    return join(dirname(pkg), 'bin', 'node');
  } catch {
    return undefined;
  }
}

export function requireNodeMajor(command: string, min = 24): void {
  const major = Number(process.versions.node.split('.')[0]);
  if (major >= min) return;
  const pinned = process.env[REEXEC_ENV] === undefined ? pinnedNode() : undefined;
  const script = process.argv[1];
  if (pinned !== undefined && script !== undefined) {
    const r = spawnSync(pinned, [...process.execArgv, script, ...process.argv.slice(2)], { stdio: 'inherit', env: { ...process.env, [REEXEC_ENV]: process.version } });
    if (r.error === undefined) process.exit(r.status ?? 128 + (r.signal ? constants.signals[r.signal] : 0));
  }
  process.stderr.write(
    `${command} needs Node.js ${min} or newer, and this is ${process.version}${pinned === undefined ? '' : ` (the pinned ${pinned} did not run)`}. Run it through the project's pinned Node: npx ${command}, or node_modules/.bin/node.\n`,
  );
  process.exit(1);
}
