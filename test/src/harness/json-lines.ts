// A child process's JSON-lines output (the test probes print one JSON object per line): calls
// `each` with every parsed line, in order, across chunk boundaries; blank lines are skipped.
import type { Readable } from 'node:stream';

export function onJsonLines<T>(stream: Readable | null | undefined, each: (value: T) => void): void {
  let buf = '';
  stream?.on('data', (b: Buffer) => {
    buf += b.toString('utf8');
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (line) each(JSON.parse(line) as T);
    }
  });
}
