// The ConfigurationState writer against the embedded API server when the answer is bad: its CRD
// not installed (a 404 in text/plain, no Status) and 429s with Retry-After. The report must not be
// lost (it is retried with backoff until it lands), each kind of failure is logged once per
// episode, and a 429's Retry-After is honoured. Time is a FakeClock; HTTP is real.
import assert from 'node:assert/strict';
import { CustomObjectsApi } from '@kubernetes/client-node';
import { ConfigurationStateWriter, FakeClock, PooledKubeConfig, Registry, createLogger, type ConfigState } from '@herald/shared';
import { applyObjects, heraldCrds, startApiServer, type ApiServer } from '@herald/lab';
import { waitFor } from '../../src/harness/wait.js';

const NS = 'herald-system';

interface Line { level: string; event: string; failure?: string; why?: string; retryInMs?: number }

function capture(): { lines: Line[]; log: ReturnType<typeof createLogger> } {
  const lines: Line[] = [];
  return { lines, log: createLogger({ component: 'test', level: 'debug', sink: (l) => lines.push(JSON.parse(l) as Line) }) };
}

const isStateCrd = (o: { kind: string; metadata: { name?: string } }): boolean => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'configurationstates.herald.dev';
const valid = { type: 'valid', config: {} } as unknown as ConfigState;

describe('ConfigurationState writer: a missing CRD and 429s', function () {
  this.timeout(60_000);
  let server: ApiServer;
  let kc: PooledKubeConfig;
  let custom: CustomObjectsApi;
  /** Requests to configurationstates the server answered. */
  let stateRequests = 0;

  beforeEach(async () => {
    stateRequests = 0;
    server = await startApiServer({
      logger: createLogger({ component: 'apiserver', level: 'error' }),
      onRequest: (r) => {
        if (r.path.includes('/configurationstates')) stateRequests++;
      },
    });
    // No client-side retries: the writer itself must see the 429 and wait.
    kc = new PooledKubeConfig({ retry: { maxRetries: 0 } });
    kc.loadFromString(server.kubeconfigYaml());
    custom = kc.makeApiClient(CustomObjectsApi);
  });
  afterEach(async () => {
    await server.close();
  });

  const stored = async (name: string): Promise<{ status?: { result?: string } } | undefined> => {
    try {
      return (await custom.getNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'configurationstates', name })) as { status?: { result?: string } };
    } catch {
      return undefined;
    }
  };

  it('herald_config_valid follows each report, whether or not its write has landed', async () => {
    // No CRDs at all: every write fails, and the metric must not wait for one to land.
    const registry = new Registry();
    const w = new ConfigurationStateWriter(kc, NS, 'speaker', 'node1', capture().log, { clock: new FakeClock(), registry });
    const value = async (): Promise<string | undefined> => /^herald_config_valid\{configurationstate="speaker-node1"\} (\S+)$/m.exec(await registry.metrics())?.[1];
    assert.doesNotMatch(await registry.metrics(), /^herald_config_valid/m, 'no series before the first report (a 0 would alert)');
    await w.report(valid);
    assert.equal(await value(), '1');
    const invalid = { type: 'invalid', config: undefined, errors: [{ kind: 'IPAddressPool', namespace: NS, name: 'p', field: 'spec.addresses[0]', message: 'invalid CIDR' }] } as unknown as ConfigState;
    await w.report(invalid);
    assert.equal(await value(), '0');
    await w.report(valid);
    assert.equal(await value(), '1');
    w.close();
  });

  it('waits for the CRD, says so once, and writes the report once the CRD is installed', async () => {
    const crds = heraldCrds();
    await applyObjects(kc, [...crds.filter((o) => !isStateCrd(o as never)), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    const clock = new FakeClock();
    const { lines, log } = capture();
    const w = new ConfigurationStateWriter(kc, NS, 'speaker', 'node1', log, { clock, minBackoffMs: 500, maxBackoffMs: 4000 });
    try {
      await w.report(valid);
      const failed = (): Line[] => lines.filter((l) => l.event === 'configuration-state-write-failed');
      assert.equal(failed().length, 1);
      assert.equal(failed()[0]!.level, 'warn');
      assert.equal(failed()[0]!.failure, 'not-served');
      assert.match(failed()[0]!.why ?? '', /is its CRD installed\?/);
      // Three more attempts, on the backoff (500, 1000, 2000 ms): logged at debug, not warn.
      for (const [i, ms] of [500, 1000, 2000].entries()) {
        clock.advance(ms);
        await waitFor(`retry ${i + 1}`, () => failed().length === i + 2);
      }
      assert.deepEqual(failed().map((l) => l.level), ['warn', 'debug', 'debug', 'debug']);
      assert.deepEqual(failed().map((l) => l.retryInMs), [500, 1000, 2000, 4000]);
      assert.equal(await stored('speaker-node1'), undefined);

      await applyObjects(kc, crds.filter((o) => isStateCrd(o as never)));
      clock.advance(4000);
      const s = await waitFor('ConfigurationState written after the CRD appeared', () => stored('speaker-node1').then((o) => (o?.status?.result ? o : undefined)));
      assert.equal(s.status?.result, 'Valid');
      assert.equal(lines.filter((l) => l.event === 'configuration-state-written' && l.level === 'info').length, 1);
    } finally {
      w.close();
    }
  });

  it('honours a 429 Retry-After and then writes; a newer report replaces the pending one', async () => {
    await applyObjects(kc, [...heraldCrds(), { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } }]);
    const clock = new FakeClock();
    const { lines, log } = capture();
    const w = new ConfigurationStateWriter(kc, NS, 'controller', undefined, log, { clock, minBackoffMs: 100, maxBackoffMs: 30_000 });
    try {
      server.forceTooManyRequests({ type: 'every', n: 1, form: 'status' });
      await w.report(valid);
      const failed = lines.filter((l) => l.event === 'configuration-state-write-failed');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.failure, 'too-many-requests');
      assert.equal(failed[0]!.retryInMs, 1000, 'Retry-After: 1 wins over the 100 ms backoff');

      // The result changes while the retry is pending: the newer one is what gets written.
      server.forceTooManyRequests(undefined);
      await w.report({ type: 'invalid', config: undefined, errors: [{ kind: 'IPAddressPool', namespace: NS, name: 'p', field: 'spec.addresses', message: 'bad' }] });
      const s = await waitFor('ConfigurationState written', () => stored('controller').then((o) => (o?.status?.result ? o : undefined)));
      assert.equal(s.status?.result, 'Invalid');
      // Nothing left pending: advancing past the old retry writes nothing more.
      assert.equal((await stored('controller'))?.status?.result, 'Invalid');
      const before = stateRequests;
      clock.advance(2000);
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(stateRequests, before, 'no request after the report landed');
    } finally {
      w.close();
    }
  });
});
