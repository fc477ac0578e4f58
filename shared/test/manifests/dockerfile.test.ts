// The Dockerfile cannot be built here (no container engine), so its structure is checked: Node
// 24 slim in every stage, the stages hang together, the runtime holds only what the programs
// need and runs non-root, and the entrypoint's programs are the bins the packages declare and
// the manifests call.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { containersOf } from './kustomize.js';
import { ROOT, rendered } from './fixtures.js';

interface Instr { op: string; args: string }
interface Stage { from: string; name: string | undefined; instrs: Instr[] }

/** Dockerfile -> stages of instructions (comments dropped, continuations joined). */
export function parseDockerfile(text: string): Stage[] {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`);
    const op = m[1]!.toUpperCase();
    const args = m[2]!;
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!f) throw new Error(`Dockerfile: FROM ${args}`);
      stages.push({ from: f[1]!, name: f[2], instrs: [] });
    } else {
      if (stages.length === 0) throw new Error(`Dockerfile: ${op} before FROM`);
      stages.at(-1)!.instrs.push({ op, args });
    }
  }
  return stages;
}

function json(file: string): any {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
}

describe('Dockerfile', () => {
  const stages = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const build = stages.find((s) => s.name === 'build');
  const runtime = stages.at(-1)!;
  const runs = (s: Stage | undefined): string[] => (s?.instrs ?? []).filter((i) => i.op === 'RUN').map((i) => i.args);
  const pinnedMajor = /(\d+)/.exec(json('package.json').devDependencies.node as string)?.[1];

  it('has a build stage and a final runtime stage', () => {
    assert.ok(build, 'no stage named build');
    assert.ok(stages.length >= 2);
    assert.notEqual(runtime, build);
  });

  it(`uses node:${pinnedMajor}-slim, the pinned major, in every stage`, () => {
    assert.ok(pinnedMajor, 'no node devDependency in package.json');
    assert.deepEqual(stages.map((s) => s.from), stages.map(() => `node:${pinnedMajor}-slim`));
  });

  it('copies --from only stages defined before', () => {
    stages.forEach((s, i) => {
      for (const c of s.instrs.filter((x) => x.op === 'COPY')) {
        const from = /--from=(\S+)/.exec(c.args)?.[1];
        if (from !== undefined) assert.ok(stages.slice(0, i).some((p) => p.name === from), `COPY --from=${from} in stage ${i}`);
      }
    });
  });

  it('builds with npm ci, then tsc -b, then npm prune --omit=dev', () => {
    const r = runs(build).join('\n');
    const at = ['npm ci', 'tsc -b', 'npm prune --omit=dev'].map((s) => r.indexOf(s));
    assert.ok(at.every((x) => x >= 0), `missing step: ${JSON.stringify(at)}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'steps out of order');
  });

  it('copies every workspace package.json before npm ci (npm ci needs them all)', () => {
    const before = build!.instrs.slice(0, build!.instrs.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci')));
    const copied = before.filter((i) => i.op === 'COPY').map((i) => i.args).join(' ');
    for (const ws of json('package.json').workspaces as string[]) assert.match(copied, new RegExp(`(^|\\s)${ws}/package\\.json(\\s|$)`), ws);
  });

  it('runtime: non-root, exec-form entrypoint, only package files, node_modules and dist/src', () => {
    const user = runtime.instrs.filter((i) => i.op === 'USER').at(-1)?.args;
    assert.equal(user, '65532:65532');
    const ep = runtime.instrs.find((i) => i.op === 'ENTRYPOINT')?.args ?? '';
    assert.ok(Array.isArray(JSON.parse(ep)), 'ENTRYPOINT is not exec form');
    for (const c of runtime.instrs.filter((i) => i.op === 'COPY')) {
      const src = c.args.split(/\s+/).filter((a) => !a.startsWith('--'))[0]!;
      assert.match(src, /^\/src\/(package\.json|node_modules|herald-entrypoint|(shared|controller|speaker)\/(package\.json|dist\/src))$/, c.args);
    }
    assert.match(runs(runtime).join('\n'), /test ! -e node_modules\/node/, 'the runtime does not check that the node devDependency is gone');
  });

  it('the entrypoint runs the bins the packages declare, and the manifests call them by name', () => {
    const script = runs(build).find((r) => r.includes('herald-entrypoint')) ?? '';
    const programs = new Map([...script.matchAll(/(herald-[a-z]+)\) shift; exec node \/app\/([a-z]+)\/(\S+) /g)].map((m) => [m[1]!, `${m[2]}/${m[3]}`]));
    for (const pkg of ['controller', 'speaker']) {
      const bin = json(`${pkg}/package.json`).bin as Record<string, string>;
      for (const [name, path] of Object.entries(bin)) assert.equal(programs.get(name), `${pkg}/${path}`, name);
    }
    const called = rendered('default').flatMap((o) => containersOf(o).map((c) => (c.args as string[])[0]));
    assert.ok(called.length >= 2);
    for (const name of called) assert.ok(programs.has(name!), `the manifests call ${name}, the entrypoint knows ${[...programs.keys()].join(', ')}`);
  });

  it('.dockerignore keeps host builds and modules out of the context', () => {
    const path = join(ROOT, '.dockerignore');
    assert.ok(existsSync(path));
    const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.trim());
    for (const want of ['.git', '**/node_modules', '**/dist']) assert.ok(lines.includes(want), want);
  });

  const parse: { desc: string; input: string; want?: string[]; wantError?: RegExp }[] = [
    { desc: 'stages and continuation lines', input: 'FROM a:1 AS x\nRUN a \\\n  b\nFROM b:2\n', want: ['a:1 x RUN a    b', 'b:2 - '] },
    { desc: 'an instruction before FROM', input: 'RUN x\n', wantError: /before FROM/ },
  ];
  for (const tc of parse) {
    it(`parseDockerfile: ${tc.desc}`, () => {
      if (tc.wantError) assert.throws(() => parseDockerfile(tc.input), tc.wantError);
      else assert.deepEqual(parseDockerfile(tc.input).map((s) => `${s.from} ${s.name ?? '-'} ${s.instrs.map((i) => `${i.op} ${i.args}`).join(';')}`), tc.want);
    });
  }
});
