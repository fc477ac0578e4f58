// The release Dockerfile needs a registry (node:24-slim), so here its structure is checked: Node
// 24 slim as the default of both base ARGs, the stages hang together, the runtime holds only what
// the programs need and runs non-root, and the entrypoint's programs are the bins the packages
// declare and the manifests call. `make image` builds the same runtime from scripts/image/
// Containerfile on a Debian-built base (test/test/image builds and runs it): the last group of
// tests checks that the two lay the image out the same way.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { containersOf } from './kustomize.js';
import { ROOT, rendered } from './fixtures.js';

interface Instr { op: string; args: string }
interface Stage { from: string; name: string | undefined; instrs: Instr[] }
interface Dockerfile { args: Map<string, string | undefined>; stages: Stage[] }

/** Dockerfile -> global ARGs and stages of instructions (comments dropped, continuations joined). */
export function parseDockerfile(text: string): Dockerfile {
  const logical = text.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const args = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  for (const line of logical) {
    const m = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile: cannot read ${JSON.stringify(line)}`);
    const op = m[1]!.toUpperCase();
    const rest = m[2]!;
    if (op === 'FROM') {
      const f = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(rest);
      if (!f) throw new Error(`Dockerfile: FROM ${rest}`);
      stages.push({ from: f[1]!, name: f[2], instrs: [] });
    } else if (stages.length === 0) {
      if (op !== 'ARG') throw new Error(`Dockerfile: ${op} before FROM`);
      const a = /^([A-Za-z_][A-Za-z0-9_]*)(?:=(\S*))?$/.exec(rest);
      if (!a) throw new Error(`Dockerfile: ARG ${rest}`);
      args.set(a[1]!, a[2]);
    } else stages.at(-1)!.instrs.push({ op, args: rest });
  }
  return { args, stages };
}

/** A FROM's image with global ARGs expanded to their defaults (`${BASE}` -> node:24-slim). */
export function resolveFrom(from: string, args: Map<string, string | undefined>): string {
  return from.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (_, name: string) => {
    const v = args.get(name);
    if (v === undefined) throw new Error(`FROM ${from}: ARG ${name} has no default`);
    return v;
  });
}

function json(file: string): any {
  return JSON.parse(readFileSync(join(ROOT, file), 'utf8'));
}

const runs = (s: Stage | undefined): string[] => (s?.instrs ?? []).filter((i) => i.op === 'RUN').map((i) => i.args);
/** COPY instructions as [source, destination] (flags dropped). */
const copies = (s: Stage): [string, string][] =>
  s.instrs
    .filter((i) => i.op === 'COPY')
    .map((i) => {
      const words = i.args.split(/\s+/).filter((a) => !a.startsWith('--'));
      return [words.slice(0, -1).join(' '), words.at(-1)!];
    });

describe('Dockerfile', () => {
  const { args, stages } = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const build = stages.find((s) => s.name === 'build');
  const runtime = stages.at(-1)!;
  const pinnedMajor = /(\d+)/.exec(json('package.json').devDependencies.node as string)?.[1];

  it('has a build stage and a final runtime stage', () => {
    assert.ok(build, 'no stage named build');
    assert.ok(stages.length >= 2);
    assert.notEqual(runtime, build);
  });

  it(`uses node:${pinnedMajor}-slim, the pinned major, in every stage by default, and the runtime base is an ARG`, () => {
    assert.ok(pinnedMajor, 'no node devDependency in package.json');
    assert.deepEqual(stages.map((s) => resolveFrom(s.from, args)), stages.map(() => `node:${pinnedMajor}-slim`));
    assert.match(runtime.from, /^\$\{?BASE\}?$/, 'the runtime stage is not FROM ${BASE}');
  });

  it('copies --from only stages defined before', () => {
    stages.forEach((s, i) => {
      for (const c of s.instrs.filter((x) => x.op === 'COPY')) {
        const from = /--from=(\S+)/.exec(c.args)?.[1];
        if (from !== undefined) assert.ok(stages.slice(0, i).some((p) => p.name === from), `COPY --from=${from} in stage ${i}`);
      }
    });
  });

  it('builds with npm ci, then tsc -b, then npm prune --omit=dev, then the shared trim', () => {
    const r = runs(build).join('\n');
    const at = ['npm ci', 'tsc -b', 'npm prune --omit=dev', 'trim-app.sh'].map((s) => r.indexOf(s));
    assert.ok(at.every((x) => x >= 0), `missing step: ${JSON.stringify(at)}`);
    assert.deepEqual([...at].sort((a, b) => a - b), at, 'steps out of order');
  });

  it('copies every workspace package.json before npm ci (npm ci needs them all)', () => {
    const before = build!.instrs.slice(0, build!.instrs.findIndex((i) => i.op === 'RUN' && i.args.includes('npm ci')));
    const copied = before.filter((i) => i.op === 'COPY').map((i) => i.args).join(' ');
    for (const ws of json('package.json').workspaces as string[]) assert.match(copied, new RegExp(`(^|\\s)${ws}/package\\.json(\\s|$)`), ws);
  });

  it('runtime: non-root, exec-form entrypoint and RUNs (the base may have no shell), only package files, node_modules, dist/src and the bundles', () => {
    const user = runtime.instrs.filter((i) => i.op === 'USER').at(-1)?.args;
    assert.equal(user, '65532:65532');
    const ep = runtime.instrs.find((i) => i.op === 'ENTRYPOINT')?.args ?? '';
    assert.ok(Array.isArray(JSON.parse(ep)), 'ENTRYPOINT is not exec form');
    for (const [src] of copies(runtime)) {
      assert.match(src, /^\/src\/(package\.json|node_modules|herald-entrypoint|(shared|controller|speaker)\/(package\.json|dist\/src)|(controller|speaker)\/dist\/bundle)$/, src);
    }
    const rs = runs(runtime);
    assert.ok(rs.length > 0);
    for (const r of rs) assert.ok(Array.isArray(JSON.parse(r)), `RUN ${r} is not exec form`);
    assert.match(rs.join('\n'), /node_modules\/node'/, 'the runtime does not check that the node devDependency is gone');
  });

  it('the entrypoint runs the bundles of the bins the packages declare, and the manifests call them by name', () => {
    const path = join(ROOT, 'scripts/image/herald-entrypoint');
    const script = readFileSync(path, 'utf8');
    assert.match(script.split('\n')[0]!, /^#!\/usr\/local\/bin\/node$/, 'the entrypoint is not run by the base\'s node');
    assert.ok((statSync(path).mode & 0o111) !== 0, 'the entrypoint is not executable');
    const programs = new Map([...script.matchAll(/'(herald-[a-z]+)': '\/app\/([a-z]+)\/(\S+)'/g)].map((m) => [m[1]!, `${m[2]}/${m[3]}`]));
    assert.ok(programs.size >= 2, 'no programs found in the entrypoint');
    // Each program runs as its bundle (scripts/bundle.mjs), built from the bin its package declares.
    const bundler = readFileSync(join(ROOT, 'scripts/bundle.mjs'), 'utf8');
    for (const pkg of ['controller', 'speaker']) {
      const bin = json(`${pkg}/package.json`).bin as Record<string, string>;
      for (const [name, p] of Object.entries(bin)) {
        assert.equal(programs.get(name), `${pkg}/dist/bundle/${name}.js`, name);
        assert.ok(bundler.includes(`'${name}': '${pkg}/${p}'`), `scripts/bundle.mjs does not bundle ${pkg}/${p} as ${name}`);
      }
    }
    const built = build!.instrs.filter((i) => i.op === 'RUN').map((i) => i.args);
    assert.ok(built.some((r) => r.includes('scripts/bundle.mjs')), 'the build stage never runs scripts/bundle.mjs');
    const called = rendered('default').flatMap((o) => containersOf(o).map((c) => (c.args as string[])[0]));
    assert.ok(called.length >= 2);
    for (const name of called) assert.ok(programs.has(name!), `the manifests call ${name}, the entrypoint knows ${[...programs.keys()].join(', ')}`);
  });

  it('.dockerignore keeps host builds and modules out of the context, and not scripts/image', () => {
    const path = join(ROOT, '.dockerignore');
    assert.ok(existsSync(path));
    const lines = readFileSync(path, 'utf8').split('\n').map((l) => l.trim());
    for (const want of ['.git', '**/node_modules', '**/dist']) assert.ok(lines.includes(want), want);
    for (const l of lines) assert.ok(!/^scripts(\/image)?\/?$/.test(l), `.dockerignore drops ${l}, which the build stage copies from`);
  });

  describe('make image (scripts/image/Containerfile) lays the runtime out as the Dockerfile does', () => {
    const cf = parseDockerfile(readFileSync(join(ROOT, 'scripts/image/Containerfile'), 'utf8'));
    const app = cf.stages.at(-1)!;
    const pick = (s: Stage, op: string): string[] => s.instrs.filter((i) => i.op === op).map((i) => i.args);

    it('one stage on ${BASE}', () => {
      assert.equal(cf.stages.length, 1);
      assert.match(app.from, /^\$\{?BASE\}?$/);
    });

    it('the same destinations, from the same paths of the staged build stage', () => {
      assert.deepEqual(copies(app).map(([s, d]) => [s.replace(/^src\//, '/src/'), d]), copies(runtime));
    });

    for (const op of ['ENV', 'WORKDIR', 'USER', 'ENTRYPOINT', 'CMD', 'RUN']) {
      it(`the same ${op}`, () => {
        assert.ok(pick(runtime, op).length > 0, `the Dockerfile's runtime has no ${op}`);
        assert.deepEqual(pick(app, op), pick(runtime, op));
      });
    }
  });

  const parse: { desc: string; input: string; want?: string[]; wantError?: RegExp }[] = [
    { desc: 'stages and continuation lines', input: 'FROM a:1 AS x\nRUN a \\\n  b\nFROM b:2\n', want: ['a:1 x RUN a    b', 'b:2 - '] },
    { desc: 'global ARGs before the first FROM', input: 'ARG B=c:3\nARG X\nFROM ${B}\n', want: ['ARG B=c:3', 'ARG X=', '${B} - '] },
    { desc: 'an instruction other than ARG before FROM', input: 'RUN x\n', wantError: /before FROM/ },
  ];
  for (const tc of parse) {
    it(`parseDockerfile: ${tc.desc}`, () => {
      if (tc.wantError) assert.throws(() => parseDockerfile(tc.input), tc.wantError);
      else {
        const d = parseDockerfile(tc.input);
        const got = [...[...d.args].map(([k, v]) => `ARG ${k}=${v ?? ''}`), ...d.stages.map((s) => `${s.from} ${s.name ?? '-'} ${s.instrs.map((i) => `${i.op} ${i.args}`).join(';')}`)];
        assert.deepEqual(got, tc.want);
      }
    });
  }

  const resolve: { desc: string; from: string; args: [string, string | undefined][]; want?: string; wantError?: RegExp }[] = [
    { desc: '${NAME}', from: '${BASE}', args: [['BASE', 'node:24-slim']], want: 'node:24-slim' },
    { desc: '$NAME', from: '$BASE', args: [['BASE', 'x:1']], want: 'x:1' },
    { desc: 'a literal image', from: 'node:24-slim', args: [], want: 'node:24-slim' },
    { desc: 'an ARG without a default', from: '${BASE}', args: [['BASE', undefined]], wantError: /no default/ },
  ];
  for (const tc of resolve) {
    it(`resolveFrom: ${tc.desc}`, () => {
      if (tc.wantError) assert.throws(() => resolveFrom(tc.from, new Map(tc.args)), tc.wantError);
      else assert.equal(resolveFrom(tc.from, new Map(tc.args)), tc.want);
    });
  }
});
