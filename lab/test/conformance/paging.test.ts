// Conformance: list paging (limit/continue) as kube-apiserver does it. Every page of one list
// comes from the snapshot of its first page; remainingItemCount on unfiltered lists; the Table
// form kubectl asks for keeps the token; a token whose snapshot is gone gets 410 Expired with an
// inconsistent token; kubectl get shows every object. Cases filter by the names they made (other
// writers exist on a live cluster).
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { missingTools } from '@herald/testkit';
import { ctx, freshNamespace, raw, SNAPSHOT_BYTES } from './harness.js';

const run = promisify(execFile);
const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
const q = (s: string): string => encodeURIComponent(s);

async function makeConfigMaps(ns: string, names: readonly string[], labels: Record<string, string> = {}): Promise<void> {
  for (const name of names) {
    const r = await raw('POST', `/api/v1/namespaces/${ns}/configmaps`, { metadata: { name, labels }, data: { v: '1' } });
    assert.equal(r.status, 201, r.text);
  }
}

/** Follows continue tokens to the end; returns each page's body. */
async function allPages(path: string, limit: number, accept = 'application/json'): Promise<any[]> {
  const pages: any[] = [];
  let cont = '';
  for (let i = 0; i < 1000; i++) {
    const sep = path.includes('?') ? '&' : '?';
    const r = await raw('GET', `${path}${sep}limit=${limit}${cont === '' ? '' : `&continue=${q(cont)}`}`, undefined, 'application/json', accept);
    assert.equal(r.status, 200, r.text);
    pages.push(r.body);
    cont = r.body.metadata.continue ?? '';
    if (cont === '') return pages;
  }
  throw new Error('more than 1000 pages');
}

const mine = (items: any[], re: RegExp): string[] => items.map((i: any) => i.metadata.name).filter((n: string) => re.test(n));

describe('conformance: list paging', function () {
  let ns = '';
  before(async function () {
    await ctx();
    ns = await freshNamespace('paging');
  });

  it('serves every object exactly once across pages, with remainingItemCount on an unfiltered list', async function () {
    const names = ['a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6'];
    await makeConfigMaps(ns, names);
    const whole = await raw('GET', `/api/v1/namespaces/${ns}/configmaps`);
    const pages = await allPages(`/api/v1/namespaces/${ns}/configmaps`, 2);
    const seen = pages.flatMap((p) => p.items.map((i: any) => i.metadata.name));
    assert.equal(new Set(seen).size, seen.length, 'no object twice');
    assert.deepEqual(mine(pages.flatMap((p) => p.items), /^a\d$/).sort(), names);
    assert.equal(seen.length, whole.body.items.length, 'the pages add up to the whole list');
    assert.ok(pages.length >= 4, `pages: ${pages.length}`);
    let served = 0;
    for (const p of pages.slice(0, -1)) {
      served += p.items.length;
      assert.equal(p.items.length, 2, 'a full page');
      assert.ok(p.metadata.continue, 'a continue token on every page but the last');
      assert.equal(p.metadata.remainingItemCount, whole.body.items.length - served, 'remainingItemCount counts what is left');
    }
    const last = pages[pages.length - 1];
    assert.equal(last.metadata.continue ?? '', '');
    assert.equal(last.metadata.remainingItemCount, undefined, 'no remainingItemCount on the last page');
  });

  it('serves later pages from the first page\'s snapshot: later creates, updates and deletes do not show', async function () {
    const names = ['b0', 'b1', 'b2', 'b3', 'b4', 'b5'];
    await makeConfigMaps(ns, names);
    const path = `/api/v1/namespaces/${ns}/configmaps?labelSelector=${q('!nope')}`;
    const first = await raw('GET', `${path}&limit=1`);
    assert.equal(first.status, 200);
    const rv = first.body.metadata.resourceVersion;
    const before = await raw('GET', `/api/v1/namespaces/${ns}/configmaps/b4`);
    // Changes after page 1: a new object, an update, a delete (all sort after page 1's items).
    await makeConfigMaps(ns, ['b9']);
    const upd = await raw('PATCH', `/api/v1/namespaces/${ns}/configmaps/b4`, { data: { v: 'changed' } }, 'application/merge-patch+json');
    assert.equal(upd.status, 200);
    const del = await raw('DELETE', `/api/v1/namespaces/${ns}/configmaps/b5`);
    assert.equal(del.status, 200);
    const rest: any[] = [];
    let cont = first.body.metadata.continue as string;
    for (let i = 0; i < 100 && cont; i++) {
      const r = await raw('GET', `${path}&limit=2&continue=${q(cont)}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.body.metadata.resourceVersion, rv, 'every page carries the first page\'s resourceVersion');
      rest.push(...r.body.items);
      cont = r.body.metadata.continue ?? '';
    }
    const got = mine([...first.body.items, ...rest], /^b\d$/);
    assert.deepEqual(got.sort(), names, 'b5 (deleted later) is there, b9 (created later) is not');
    const b4 = rest.find((i) => i.metadata.name === 'b4');
    assert.equal(b4.data.v, '1', 'b4 as it was at page 1');
    assert.equal(b4.metadata.resourceVersion, before.body.metadata.resourceVersion);
    const now = await raw('GET', `/api/v1/namespaces/${ns}/configmaps`);
    assert.deepEqual(mine(now.body.items, /^b\d$/).sort(), ['b0', 'b1', 'b2', 'b3', 'b4', 'b9'], 'a new list sees the changes');
  });

  it('sends no remainingItemCount when a selector filters the list, and pages only the matching objects', async function () {
    await makeConfigMaps(ns, ['c0', 'c1', 'c2', 'c3', 'c4'], { sel: 'yes' });
    const pages = await allPages(`/api/v1/namespaces/${ns}/configmaps?labelSelector=sel%3Dyes`, 2);
    assert.deepEqual(pages.flatMap((p) => p.items.map((i: any) => i.metadata.name)), ['c0', 'c1', 'c2', 'c3', 'c4']);
    for (const p of pages) assert.equal(p.metadata.remainingItemCount, undefined);
  });

  it('keeps the continue token in the Table form kubectl asks for', async function () {
    const pages = await allPages(`/api/v1/namespaces/${ns}/configmaps?labelSelector=sel%3Dyes`, 2, TABLE);
    for (const p of pages) assert.equal(p.kind, 'Table');
    assert.ok(pages.length >= 3, 'paged, not one Table');
    assert.ok(pages[0].metadata.continue);
    assert.deepEqual(pages.flatMap((p) => p.rows.map((r: any) => r.object.metadata.name)), ['c0', 'c1', 'c2', 'c3', 'c4']);
  });

  it('answers a continue token together with a resourceVersion with 400', async function () {
    const first = await raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`);
    const r = await raw('GET', `/api/v1/namespaces/${ns}/configmaps?limit=1&resourceVersion=${first.body.metadata.resourceVersion}&continue=${q(first.body.metadata.continue)}`);
    assert.equal(r.status, 400);
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /specifying resource version is not allowed when using continue/);
  });

  it('answers a token whose snapshot is gone with 410 Expired and an inconsistent token that serves the rest', async function () {
    const c = await ctx();
    if (c.real) {
      // A real server expires a token only when etcd compacts (every 5 min): not forced from here.
      process.stderr.write('\n!!! SKIPPED "expired continue token": a live cluster expires tokens only at etcd compaction\n\n');
      this.skip();
    }
    await makeConfigMaps(ns, ['d0', 'd1', 'd2', 'd3']);
    const path = `/api/v1/namespaces/${ns}/configmaps`;
    const first = await raw('GET', `${path}?limit=1`);
    const token = first.body.metadata.continue as string;
    // The embedded server drops a snapshot once SNAPSHOT_BYTES were written after it.
    const big = 'x'.repeat(300 * 1024);
    for (let i = 0; i * big.length <= SNAPSHOT_BYTES; i++) {
      const r = await raw('POST', `${path}`, { metadata: { name: `big${i}` }, data: { big } });
      assert.equal(r.status, 201);
    }
    const r = await raw('GET', `${path}?limit=1&continue=${q(token)}`);
    assert.equal(r.status, 410);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.reason, 'Expired');
    assert.equal(r.body.code, 410);
    assert.equal(r.body.message, 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.');
    const inconsistent = r.body.metadata.continue as string;
    assert.ok(inconsistent, 'a token to go on with');
    const rest = await raw('GET', `${path}?continue=${q(inconsistent)}`);
    assert.equal(rest.status, 200);
    const names = rest.body.items.map((i: any) => i.metadata.name);
    assert.ok(names.includes('big0'), 'the inconsistent remainder is read at the latest version');
    assert.ok(!names.includes(first.body.items[0].metadata.name), 'and starts after page 1');
  });

  it('shows every Service with kubectl get, by the default chunks of 500 and by --chunk-size=100', async function () {
    this.timeout(180_000);
    const missing = missingTools(['kubectl']);
    if (missing.length > 0) {
      process.stderr.write('\n!!! SKIPPED "kubectl get pages": kubectl is not installed\n\n');
      this.skip();
    }
    const c = await ctx();
    const sns = await freshNamespace('kubectl');
    const n = 1000;
    const lanes = Array.from({ length: 16 }, async (_, lane) => {
      for (let i = lane; i < n; i += 16) {
        const r = await raw('POST', `/api/v1/namespaces/${sns}/services`, { metadata: { name: `s${i}` }, spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
        assert.equal(r.status, 201, r.text);
      }
    });
    await Promise.all(lanes);
    const dir = mkdtempSync(join(tmpdir(), 'conf-kubectl-'));
    try {
      const kc = join(dir, 'kubeconfig');
      writeFileSync(kc, c.kc.exportConfig());
      const kubectl = async (...args: string[]): Promise<string[]> => {
        const { stdout } = await run('kubectl', ['--kubeconfig', kc, ...args], { maxBuffer: 64 * 1024 * 1024 });
        return stdout.split('\n').filter((l) => l.trim() !== '');
      };
      const all = await kubectl('get', 'svc', '-A', '--no-headers');
      assert.equal(all.filter((l) => l.split(/\s+/)[0] === sns).length, n, 'kubectl get svc -A');
      const chunked = await kubectl('get', 'svc', '-n', sns, '--chunk-size=100', '--no-headers');
      assert.equal(chunked.length, n, 'kubectl get svc --chunk-size=100');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
