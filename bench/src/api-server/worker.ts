// Runs the embedded API server in a worker thread for the benchmark, so the server has its own
// event loop (as it would in its own process) while the load generator runs on the main thread.
// Messages: 'heap' (used heap after a GC), 'stats' (start time, state writer figures and the
// event-loop delay since the last 'loop-reset'), 'loop-reset', 'close'.

import { parentPort, workerData } from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { createLogger } from '@herald/shared/log';
import { startApiServer, type StateWriterOptions } from '@herald/lab';

interface Data {
  historyWindow: number;
  stateFile?: string;
  stateWriter?: Partial<StateWriterOptions>;
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
  const server = await startApiServer({
    historyWindow: data.historyWindow, logger: createLogger({ component: 'apiserver-bench', level: 'error' }),
    ...(data.stateFile === undefined ? {} : { stateFile: data.stateFile }), ...(data.stateWriter === undefined ? {} : { stateWriter: data.stateWriter }),
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  port.on('message', (m: unknown) => {
    if (m === 'heap') {
      gc?.();
      port.postMessage({ type: 'heap', bytes: getHeapStatistics().used_heap_size, gc: gc !== undefined });
    } else if (m === 'stats') {
      port.postMessage({ type: 'stats', startupMs: server.startupMs(), writer: server.stateWriterStats() ?? null, loopMaxMs: loop.max / 1e6, loopP99Ms: loop.percentile(99) / 1e6 });
    } else if (m === 'loop-reset') {
      loop.reset();
    } else if (m === 'close') {
      loop.disable();
      server.close().then(() => port.close(), () => port.close());
    }
  });
  port.postMessage({ type: 'url', url: server.url });
}
