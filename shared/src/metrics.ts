// The Prometheus registry the components share (prom-client), and a small HTTP server for
// /metrics plus health endpoints.
import { createServer, type Server } from 'node:http';
import { Registry, collectDefaultMetrics } from 'prom-client';

export { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A registry with Node's process metrics, prefixed with herald_<component>_. */
export function createRegistry(component: string, withDefaults = true): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ component });
  if (withDefaults) collectDefaultMetrics({ register: registry, prefix: 'herald_' });
  return registry;
}

export interface HealthState {
  /** Process is alive and its loops are turning. */
  live(): boolean;
  /** Caches synced and the component is doing its job. */
  ready(): boolean;
}

/** Serves GET /metrics, /healthz and /readyz on host:port. Resolves once listening. */
export async function serveMetrics(
  registry: Registry,
  health: HealthState,
  host: string,
  port: number,
): Promise<Server> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
      return;
    }
    if (path === '/metrics') {
      registry.metrics().then(
        (body) => res.writeHead(200, { 'content-type': registry.contentType }).end(body),
        (err: unknown) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    if (path === '/healthz' || path === '/livez') {
      const ok = health.live();
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not live');
      return;
    }
    if (path === '/readyz') {
      const ok = health.ready();
      res.writeHead(ok ? 200 : 503).end(ok ? 'ok' : 'not ready');
      return;
    }
    res.writeHead(404).end();
  });
  const listen = (h: string): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, h, () => {
        server.off('error', reject);
        resolve();
      });
    });
  try {
    await listen(host);
  } catch (err) {
    // A node with IPv6 disabled cannot listen on '::': fall back to every IPv4 address.
    const code = (err as NodeJS.ErrnoException).code;
    if (host !== '::' || (code !== 'EAFNOSUPPORT' && code !== 'EADDRNOTAVAIL')) throw err;
    await listen('0.0.0.0');
  }
  return server;
}

/**
 * Parses "host:port", "[v6]:port" or ":port". ":port" listens on "::", which on Linux also takes
 * IPv4, so probes work on IPv4-only, IPv6-only and dual-stack nodes alike.
 */
export function parseListenAddr(s: string): { host: string; port: number } {
  const i = s.lastIndexOf(':');
  if (i < 0) throw new Error(`invalid listen address ${JSON.stringify(s)}: want host:port`);
  const host = s.slice(0, i).replace(/^\[|\]$/g, '') || '::';
  const port = Number(s.slice(i + 1));
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`invalid listen address ${JSON.stringify(s)}: bad port`);
  }
  return { host, port };
}

/**
 * Serves /metrics, /healthz and /readyz on metricsAddr, and also on healthAddr when that is set
 * and different (probes on their own port). Returns the servers, to close on shutdown.
 */
export async function serveMetricsAndHealth(registry: Registry, health: HealthState, metricsAddr: string, healthAddr?: string): Promise<Server[]> {
  const m = parseListenAddr(metricsAddr);
  const servers = [await serveMetrics(registry, health, m.host, m.port)];
  if (healthAddr && healthAddr !== metricsAddr) {
    const h = parseListenAddr(healthAddr);
    servers.push(await serveMetrics(registry, health, h.host, h.port));
  }
  return servers;
}
