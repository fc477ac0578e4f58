// What the router's own CLI says about the last NOTIFICATION a node's session received, and how
// many UPDATEs it took from that node: FRR `show bgp neighbors ADDR json`, BIRD `show protocols all
// NAME`. The drain test asserts the Cease, its RFC 9003 message and the withdrawal UPDATE on these.
import { BirdRouter, FrrRouter, type RouterDriver } from '@herald/lab';

export interface LastShutdown {
  /** The router's words for the NOTIFICATION (FRR "Cease/Administrative Shutdown", BIRD "Administrative shutdown"). */
  readonly reason: string | undefined;
  /** The shutdown communication the router shows (RFC 9003). */
  readonly message: string | undefined;
}

/** Parses `show bgp neighbors ADDR json` (FRR 8.4): the one neighbour's last notification. */
export function parseFrrLastShutdown(json: string): LastShutdown & { updatesReceived: number | undefined } {
  const o = JSON.parse(json) as Record<string, { lastNotificationReason?: string; lastShutdownDescription?: string; messageStats?: { updatesRecv?: number } }>;
  const n = Object.values(o)[0];
  return { reason: n?.lastNotificationReason, message: n?.lastShutdownDescription, updatesReceived: n?.messageStats?.updatesRecv };
}

/** Parses `show protocols all NAME` (BIRD 2): "Last error: Received: ..." and "Message: ...". */
export function parseBirdLastShutdown(text: string): LastShutdown {
  const reason = /Last error:\s+Received: (.+)$/m.exec(text)?.[1]?.trim();
  const message = /^\s+Message:\s+(.+)$/m.exec(text)?.[1]?.trim();
  return { reason, message };
}

export async function lastShutdown(r: RouterDriver, node: { name: string; ip4: string }): Promise<LastShutdown & { updatesReceived?: number | undefined }> {
  if (r instanceof FrrRouter) return parseFrrLastShutdown(await r.vtysh(`show bgp neighbors ${node.ip4} json`));
  if (r instanceof BirdRouter) return parseBirdLastShutdown(await r.birdc(`show protocols all ${node.name}`));
  throw new Error(`no shutdown reader for router ${r.kind}`);
}
