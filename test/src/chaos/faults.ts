// The fault catalogue: how each scheduled fault is injected into the lab and healed. Thin: every
// step is one call on the ChaosSite (the Lab, and the API for Service and slice churn), so the
// catalogue reads as the list of faults. inject() resolves with what it did (the target it
// resolved, the roles it took down) and the heal to run later.
import type { Fault, NodeTarget } from './schedule.js';

export interface ChaosSite {
  speaker(node: string, action: 'stop' | 'kill' | 'start' | 'freeze' | 'thaw'): Promise<void>;
  link(node: string, up: boolean): Promise<void>;
  restartController(): Promise<void>;
  restartApiServer(stallMs: number): Promise<void>;
  stopRouter(): Promise<void>;
  startRouter(): Promise<void>;
  /** The node the latest API read names as the L2 owner of a Service, if exactly one. */
  ownerOf(service: string): string | undefined;
  nodes(): readonly string[];
  /** A temporary L2 Service (and its EndpointSlice on every node); deleteTempService removes both. */
  createTempService(name: string): Promise<void>;
  deleteTempService(name: string): Promise<void>;
  /** The churn Service's requested pool and ETP (merge patches). */
  setPool(service: string, pool: 'lab-l2' | 'lab-bgp'): Promise<void>;
  setEtp(service: string, etp: 'Cluster' | 'Local'): Promise<void>;
  poolOf(service: string): 'lab-l2' | 'lab-bgp';
  etpOf(service: string): 'Cluster' | 'Local';
  /** Backends of a Service on these nodes (its EndpointSlice); backendsOf: where they are now. */
  scale(service: string, nodes: readonly string[]): Promise<void>;
  backendsOf(service: string): readonly string[];
}

export interface Applied {
  readonly label: string;
  readonly cutNode?: string;
  readonly downRoles: readonly string[];
  heal(): Promise<void>;
}

const nothing = (): Promise<void> => Promise.resolve();

function resolveNode(site: ChaosSite, t: NodeTarget): { node: string; label: string } {
  if (t.type === 'node') return { node: t.node, label: t.node };
  const owner = site.ownerOf(t.service);
  // No single owner right now (the Service is between owners): fall back to the first node.
  if (owner === undefined) return { node: site.nodes()[0]!, label: `${site.nodes()[0]!} (${t.service} had no single owner)` };
  return { node: owner, label: `${owner} (owner of ${t.service})` };
}

export async function inject(site: ChaosSite, f: Fault, index: number): Promise<Applied> {
  switch (f.type) {
    case 'speaker-kill':
    case 'speaker-stop': {
      const { node, label } = resolveNode(site, f.target);
      await site.speaker(node, f.type === 'speaker-kill' ? 'kill' : 'stop');
      return { label: `${f.type} ${label}`, downRoles: [`speaker-${node}`], heal: () => site.speaker(node, 'start') };
    }
    case 'speaker-freeze': {
      const { node, label } = resolveNode(site, f.target);
      await site.speaker(node, 'freeze');
      return { label: `${f.type} ${label}`, downRoles: [], heal: () => site.speaker(node, 'thaw') };
    }
    case 'link-flap': {
      const { node, label } = resolveNode(site, f.target);
      await site.link(node, false);
      return { label: `${f.type} ${label}`, cutNode: node, downRoles: [], heal: () => site.link(node, true) };
    }
    case 'controller-restart':
      await site.restartController();
      return { label: f.type, downRoles: ['controller'], heal: nothing };
    case 'apiserver-restart':
      await site.restartApiServer(0);
      return { label: f.type, downRoles: [], heal: nothing };
    case 'apiserver-stall':
      await site.restartApiServer(f.stallMs);
      return { label: `${f.type} ${f.stallMs} ms`, downRoles: [], heal: nothing };
    case 'router-restart':
      await site.stopRouter();
      return { label: f.type, downRoles: [], heal: () => site.startRouter() };
    case 'service-churn':
      switch (f.change) {
        case 'create-delete': {
          const name = `chaos-tmp-${index}`;
          await site.createTempService(name);
          return { label: `${f.type} create ${name}, then delete it`, downRoles: [], heal: () => site.deleteTempService(name) };
        }
        case 'pool': {
          const was = site.poolOf(f.service);
          const to = was === 'lab-l2' ? 'lab-bgp' : 'lab-l2';
          await site.setPool(f.service, to);
          return { label: `${f.type} ${f.service} pool ${was} -> ${to}, then back`, downRoles: [], heal: () => site.setPool(f.service, was) };
        }
        case 'etp': {
          const was = site.etpOf(f.service);
          const to = was === 'Cluster' ? 'Local' : 'Cluster';
          await site.setEtp(f.service, to);
          return { label: `${f.type} ${f.service} ETP ${was} -> ${to}, then back`, downRoles: [], heal: () => site.setEtp(f.service, was) };
        }
      }
      break;
    case 'slice-churn': {
      const was = site.backendsOf(f.service);
      await site.scale(f.service, f.nodes);
      return { label: `${f.type} ${f.service} backends ${was.join(',')} -> ${f.nodes.join(',')}, then back`, downRoles: [], heal: () => site.scale(f.service, was) };
    }
  }
  throw new Error(`unknown fault ${JSON.stringify(f)}`);
}
