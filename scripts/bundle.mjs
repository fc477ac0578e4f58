#!/usr/bin/env node
// The shipped form of each program (issue 17): one esbuild bundle per program, built from the
// compiled dist/src (run after tsc -b; `make build` does both). The image and the lab run these,
// not the thousand-odd modules under node_modules: importing @kubernetes/client-node module by
// module keeps ~18 MB of source text in the heap, and a bundle holds only what is reachable.
//   controller/dist/bundle/herald-controller.js
//   speaker/dist/bundle/herald-speaker.js, speaker/dist/bundle/worker.js (the packet thread,
//     which fast-path.ts loads as ./worker.js beside the module that starts it)
// koffi stays external (a native addon, resolved from node_modules at run time). A createRequire
// banner gives the CommonJS parts of the dependencies a real `require` for Node's built-ins.
// Non-ASCII is escaped (charset ascii), so V8 keeps the source one byte per character.
import { build } from 'esbuild';
import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

export const BUNDLES = [
  { pkg: 'controller', entries: { 'herald-controller': 'controller/dist/src/bin.js' } },
  { pkg: 'speaker', entries: { 'herald-speaker': 'speaker/dist/src/bin.js', worker: 'speaker/dist/src/fastpath/worker.js' } },
];

const banner = "import { createRequire as __heraldCreateRequire } from 'node:module'; const require = __heraldCreateRequire(import.meta.url);";

for (const b of BUNDLES) {
  const t0 = Date.now();
  const res = await build({
    absWorkingDir: root,
    entryPoints: b.entries,
    outdir: `${b.pkg}/dist/bundle`,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    external: ['koffi'],
    banner: { js: banner },
    charset: 'ascii',
    // Whitespace and syntax only: names stay, so stack traces and logs still name functions.
    minifyWhitespace: true,
    minifySyntax: true,
    keepNames: true,
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  const sizes = Object.keys(b.entries).map((name) => `${name}.js ${(statSync(`${root}${b.pkg}/dist/bundle/${name}.js`).size / 1024 / 1024).toFixed(1)} MB`);
  process.stdout.write(`bundle ${b.pkg}: ${sizes.join(', ')}, ${Object.keys(res.metafile.inputs).length} modules, ${Date.now() - t0} ms\n`);
}
