// Runs the embedded API server in a worker thread for the benchmark, so the server has its own
// event loop (as it would in its own process) while the load generator runs on the main thread.

import { parentPort, workerData } from 'node:worker_threads';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger } from '@herald/shared';
import { startApiServer } from './server.js';

interface Data {
  historyWindow: number;
}

function gcFn(): (() => void) | undefined {
  try {
    setFlagsFromString('--expose_gc');
    const gc = runInNewContext('gc') as unknown;
    return typeof gc === 'function' ? () => { (gc as () => void)(); } : undefined;
  } catch {
    return undefined;
  }
}

const port = parentPort;
if (port !== null) {
  const data = workerData as Data;
  const gc = gcFn();
  const server = await startApiServer({ historyWindow: data.historyWindow, logger: createLogger({ component: 'apiserver-bench', level: 'error' }) });
  port.on('message', (m: unknown) => {
    if (m === 'heap') {
      gc?.();
      port.postMessage({ type: 'heap', bytes: getHeapStatistics().used_heap_size, gc: gc !== undefined });
    } else if (m === 'close') {
      server.close().then(() => port.close(), () => port.close());
    }
  });
  port.postMessage({ type: 'url', url: server.url });
}
