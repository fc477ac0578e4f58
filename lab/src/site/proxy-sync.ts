// Keeps every node's kube-proxy stand-in (kube-proxy.ts) in step with the API: Services of type
// LoadBalancer with their assigned IPs, and their EndpointSlices. Runs on the host and writes
// each node namespace's nftables ruleset when the inputs change.
import { CoreV1Api, DiscoveryV1Api, type KubeConfig, type V1EndpointSlice, type V1Service } from '@kubernetes/client-node';
import { ResilientInformer, systemClock, type Logger } from '@herald/shared';
import { nsRun } from '../netns/exec.js';
import { kubeProxyRules, type ProxiedService } from './kube-proxy.js';

export function proxiedServices(services: readonly V1Service[], slices: readonly V1EndpointSlice[]): ProxiedService[] {
  const out: ProxiedService[] = [];
  for (const svc of services) {
    if (svc.spec?.type !== 'LoadBalancer') continue;
    const ips = (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((x): x is string => !!x);
    if (ips.length === 0) continue;
    const ns = svc.metadata?.namespace ?? 'default';
    const name = svc.metadata?.name ?? '';
    const mine = slices.filter((s) => s.metadata?.namespace === ns && s.metadata?.labels?.['kubernetes.io/service-name'] === name);
    for (const p of svc.spec.ports ?? []) {
      if ((p.protocol ?? 'TCP') !== 'TCP') continue;
      const backends: { node: string; ip: string }[] = [];
      let targetPort = typeof p.targetPort === 'number' ? p.targetPort : p.port;
      for (const s of mine) {
        const sp = (s.ports ?? []).find((x) => (x.name ?? '') === (p.name ?? '')) ?? s.ports?.[0];
        if (sp?.port) targetPort = sp.port;
        for (const e of s.endpoints ?? []) {
          if (e.conditions?.ready === false) continue;
          for (const a of e.addresses) backends.push({ node: e.nodeName ?? '', ip: a });
        }
      }
      out.push({ ips, port: p.port, targetPort, externalTrafficPolicy: svc.spec.externalTrafficPolicy === 'Local' ? 'Local' : 'Cluster', backends });
    }
  }
  return out;
}

/** Starts the sync; resolves once the caches are synced, with a function that stops it. */
export async function runProxySync(kc: KubeConfig, nodes: readonly { name: string; ns: string }[], log: Logger): Promise<() => Promise<void>> {
  const core = kc.makeApiClient(CoreV1Api);
  const discovery = kc.makeApiClient(DiscoveryV1Api);
  const services = new ResilientInformer<V1Service>({
    name: 'services',
    kubeConfig: kc,
    path: '/api/v1/services',
    list: () => core.listServiceForAllNamespaces(),
    clock: systemClock,
    log,
  });
  const slices = new ResilientInformer<V1EndpointSlice>({
    name: 'endpointslices',
    kubeConfig: kc,
    path: '/apis/discovery.k8s.io/v1/endpointslices',
    list: () => discovery.listEndpointSliceForAllNamespaces(),
    clock: systemClock,
    log,
  });
  const last = new Map<string, string>();
  let timer: NodeJS.Timeout | undefined;
  let running = Promise.resolve();
  const sync = (): void => {
    running = running.then(async () => {
      const want = proxiedServices(services.list(), slices.list());
      for (const n of nodes) {
        const rules = kubeProxyRules('herald_lab', n.name, want);
        if (last.get(n.name) === rules) continue;
        try {
          await nsRun(n.ns, ['nft', '-f', '-'], { input: rules });
          last.set(n.name, rules);
          log.info('proxy-rules-applied', { node: n.name, services: want.length });
        } catch (err) {
          log.warn('proxy-rules-failed', { node: n.name, err });
        }
      }
    });
  };
  const poke = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(sync, 30);
  };
  for (const inf of [services, slices] as const) {
    (inf as ResilientInformer<V1Service | V1EndpointSlice>).on('add', poke);
    (inf as ResilientInformer<V1Service | V1EndpointSlice>).on('update', poke);
    (inf as ResilientInformer<V1Service | V1EndpointSlice>).on('delete', poke);
  }
  await Promise.all([services.start(), slices.start()]);
  poke();
  return async () => {
    if (timer) clearTimeout(timer);
    await Promise.all([services.stop(), slices.stop()]);
    await running;
  };
}
