// The supervisor's control socket: the CLI's status and scenario commands are HTTP requests over
// a Unix socket in the lab's directory, answered by the process that owns the lab.
import { createServer, request, type Server } from 'node:http';
import { rmSync } from 'node:fs';
import type { Lab } from './lab.js';

export type ControlRequest =
  | { readonly op: 'status' }
  | { readonly op: 'speaker'; readonly node: string; readonly action: 'stop' | 'kill' | 'start' | 'freeze' | 'thaw' }
  | { readonly op: 'link'; readonly node: string; readonly up: boolean }
  | { readonly op: 'controller-restart' }
  | { readonly op: 'scale'; readonly service: string; readonly nodes: readonly string[] }
  | { readonly op: 'down' };

export async function serveControl(path: string, lab: Lab, onDown: () => void): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      void (async () => {
        try {
          const r = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as ControlRequest;
          let out: unknown = { ok: true };
          switch (r.op) {
            case 'status':
              out = await lab.status();
              break;
            case 'speaker':
              await lab.speaker(r.node, r.action);
              break;
            case 'link':
              await lab.link(r.node, r.up);
              break;
            case 'controller-restart':
              await lab.restartController();
              break;
            case 'scale':
              await lab.scale(r.service, r.nodes);
              break;
            case 'down':
              res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ ok: true }));
              onDown();
              return;
            default:
              throw new Error(`unknown op ${JSON.stringify((r as { op?: unknown }).op)}`);
          }
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out));
        } catch (err) {
          res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: err instanceof Error ? err.message : String(err) }));
        }
      })();
    });
  });
  rmSync(path, { force: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  return server;
}

/** Sends one control request to a running lab. */
export function callControl<T>(path: string, body: ControlRequest, timeoutMs = 30_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath: path, path: '/', method: 'POST', headers: { 'content-type': 'application/json' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        try {
          const v = JSON.parse(text) as T & { error?: string };
          if (res.statusCode !== 200) reject(new Error(v.error ?? text));
          else resolve(v);
        } catch {
          reject(new Error(`bad answer from the lab: ${text.slice(0, 200)}`));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('the lab did not answer in time')));
    req.on('error', (err) => reject(new Error(`no lab is running (${err.message}); start one with make lab`)));
    req.end(JSON.stringify(body));
  });
}
