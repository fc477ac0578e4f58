// A speaker core against the embedded API server, with fake BGP sessions it drives by hand: its
// BGPSessionState objects appear, follow the session's state, and go with the peer; a stale one
// left by a previous speaker on this node is deleted at start.
import assert from 'node:assert/strict';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import { createLogger, systemClock, type BGPPeer, type BGPSessionStateStatus, type EventRecorder } from '@herald/shared';
import { applyObjects, startTestCluster, type TestCluster } from '@herald/lab';
import { Speaker, StaticMembership, type Advertisement, type BgpSessionLike, type SessionStatus } from '@herald/speaker';
import { heraldObject, readyNodes } from '../../src/harness/objects.js';
import { waitFor } from '../../src/harness/wait.js';

const log = createLogger({ component: 'test', level: 'error' });
const NS = 'herald-system';

type SessionState = SessionStatus['state'];

class FakeSession implements BgpSessionLike {
  state: SessionState = 'idle';
  lastError: SessionStatus['lastError'];
  establishedAt: number | undefined;
  routes = 0;
  stopped = false;
  constructor(
    readonly peer: BGPPeer,
    private readonly onState: (s: SessionState, detail: string) => void,
  ) {}
  start(): void {
    this.set('connect');
  }
  stop(): void {
    this.stopped = true;
    this.set('idle');
  }
  setAdvertised(want: ReadonlyMap<string, Advertisement>): void {
    this.routes = want.size;
  }
  set(s: SessionState, err?: SessionStatus['lastError']): void {
    this.state = s;
    this.establishedAt = s === 'established' ? systemClock.now() : undefined;
    if (err) this.lastError = err;
    this.onState(s, err ? JSON.stringify(err) : 'progress');
  }
  status(): SessionStatus {
    const up = this.state === 'established';
    return {
      state: this.state,
      establishedAt: this.establishedAt,
      prefixesSent: up ? this.routes : 0,
      updatesSent: up ? 1 : 0,
      updatesReceived: 0,
      prefixesReceived: 0,
      lastError: this.lastError,
      negotiated: undefined,
    };
  }
}

describe('speaker core: BGPSessionState objects against the embedded API server', function () {
  this.timeout(60_000);
  let cluster: TestCluster;
  let kc: KubeConfig;
  let custom: CustomObjectsApi;
  let speaker: Speaker;
  const sessions: FakeSession[] = [];
  const live = (peer: string): FakeSession => {
    const s = sessions.filter((x) => x.peer.name === peer && !x.stopped).at(-1);
    assert.ok(s, `a live session for ${peer}`);
    return s;
  };
  const list = async (): Promise<{ name: string; labels: Record<string, string>; status: BGPSessionStateStatus }[]> => {
    const l = (await custom.listNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'bgpsessionstates' })) as {
      items: { metadata: { name: string; labels?: Record<string, string> }; status?: BGPSessionStateStatus }[];
    };
    return l.items.map((i) => ({ name: i.metadata.name, labels: i.metadata.labels ?? {}, status: i.status ?? {} })).sort((a, b) => (a.name < b.name ? -1 : 1));
  };
  const object = (name: string, ok: (s: BGPSessionStateStatus) => boolean, what: string): Promise<BGPSessionStateStatus> =>
    waitFor(what, async () => (await list()).find((o) => o.name === name && ok(o.status))?.status);

  before(async () => {
    cluster = await startTestCluster({ log });
    kc = cluster.kubeConfig;
    custom = kc.makeApiClient(CustomObjectsApi);
    await applyObjects(kc, [
      heraldObject('IPAddressPool', 'prod', { addresses: ['203.0.113.0/28'] }),
      heraldObject('BGPAdvertisement', 'bgp', { ipAddressPools: ['prod'] }),
      heraldObject('BGPPeer', 'r1', { myASN: 64512, peerASN: 64500, peerAddress: '192.0.2.1' }),
    ]);
    await readyNodes(kc, ['node1']);
    // What a crashed speaker on node1 left behind (a session with a peer that is gone), and
    // another node's object, which is not ours to touch.
    for (const [node, peer] of [['node1', 'old'], ['node2', 'r1']] as const) {
      await custom.createNamespacedCustomObject({
        group: 'herald.dev',
        version: 'v1beta1',
        namespace: NS,
        plural: 'bgpsessionstates',
        body: { apiVersion: 'herald.dev/v1beta1', kind: 'BGPSessionState', metadata: { name: `${node}.${peer}`, namespace: NS, labels: { 'herald.dev/node': node, 'herald.dev/peer': peer } }, spec: {} },
      });
    }
    const events: EventRecorder = { record: () => undefined };
    speaker = new Speaker({
      kubeConfig: kc,
      namespace: NS,
      node: 'node1',
      lbClass: undefined,
      clock: systemClock,
      log,
      membership: new StaticMembership(['node1']),
      l2: undefined,
      sessionFactory: (p, on) => {
        const s = new FakeSession(p, on);
        sessions.push(s);
        return s;
      },
      events,
    });
    await speaker.start();
  });

  after(async () => {
    await speaker?.stop();
    await cluster?.close();
  });

  it('appears for the peer, labelled, in Connect; the stale object of node1 goes, node2\'s stays', async () => {
    const st = await object('node1.r1', (s) => s.state === 'Connect', 'node1.r1 in Connect');
    assert.equal(st.node, 'node1');
    assert.equal(st.peer, 'r1');
    assert.equal(st.peerAddress, '192.0.2.1');
    assert.equal(st.establishedAt, undefined);
    assert.match(st.lastTransitionTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    await waitFor('the stale node1.old deleted', async () => ((await list()).some((o) => o.name === 'node1.old') ? undefined : true));
    const all = await list();
    assert.deepEqual(
      all.map((o) => o.name),
      ['node1.r1', 'node2.r1'],
    );
    assert.deepEqual(all[0]!.labels, { 'herald.dev/node': 'node1', 'herald.dev/peer': 'r1' });
  });

  it('Established: the object says so, with establishedAt', async () => {
    live('r1').set('established');
    const st = await object('node1.r1', (s) => s.state === 'Established', 'node1.r1 Established');
    assert.match(st.establishedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.ok(Math.abs(Date.parse(st.establishedAt!) - Date.now()) < 60_000, `establishedAt ${st.establishedAt} is about now`);
    assert.equal(st.updatesSent, 1);
  });

  it('down with a NOTIFICATION: Active, the reason readable, establishedAt gone', async () => {
    live('r1').set('active', { type: 'notification-received', code: 6, subcode: 2, data: '' });
    const st = await object('node1.r1', (s) => s.state === 'Active', 'node1.r1 Active');
    assert.equal(st.lastError, 'NOTIFICATION received: 6/2 administrative shutdown');
    assert.equal(st.establishedAt, undefined);
  });

  it('the peer deleted: its object is removed', async () => {
    await custom.deleteNamespacedCustomObject({ group: 'herald.dev', version: 'v1beta1', namespace: NS, plural: 'bgppeers', name: 'r1' });
    await waitFor('node1.r1 deleted', async () => ((await list()).some((o) => o.name === 'node1.r1') ? undefined : true));
    assert.deepEqual(
      (await list()).map((o) => o.name),
      ['node2.r1'],
    );
  });
});
