// JSON-line logging with levels. One object per line on stderr (or an injected sink), carrying a
// component, an event name and ids. Pure code never logs; shells do. Secrets never reach here.

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogFields = Record<string, unknown>;

export interface Logger {
  readonly level: LogLevel;
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
  /** A logger that adds these fields to every line. */
  child(fields: LogFields): Logger;
}

export type LogSink = (line: string) => void;

export function parseLogLevel(s: string): LogLevel {
  if (s === 'debug' || s === 'info' || s === 'warn' || s === 'error') return s;
  throw new Error(`invalid log level ${JSON.stringify(s)}: want debug, info, warn or error`);
}

function errorFields(v: unknown): unknown {
  if (v instanceof Error) {
    const out: Record<string, unknown> = { message: v.message, name: v.name };
    if (v.cause !== undefined) out['cause'] = errorFields(v.cause);
    return out;
  }
  return v;
}

export function createLogger(opts: {
  component: string;
  level?: LogLevel;
  sink?: LogSink;
  now?: () => Date;
  fields?: LogFields;
}): Logger {
  const level = opts.level ?? 'info';
  const sink: LogSink = opts.sink ?? ((line) => process.stderr.write(line + '\n'));
  const now = opts.now ?? (() => new Date());
  const base: LogFields = { component: opts.component, ...opts.fields };
  const emit = (lvl: LogLevel, event: string, fields?: LogFields): void => {
    if (levelRank[lvl] < levelRank[level]) return;
    const rec: LogFields = { ts: now().toISOString(), level: lvl, ...base, event };
    if (fields) for (const [k, v] of Object.entries(fields)) rec[k] = errorFields(v);
    let line: string;
    try {
      line = JSON.stringify(rec, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
    } catch {
      line = JSON.stringify({ ts: rec['ts'], level: lvl, ...base, event, note: 'fields not serialisable' });
    }
    sink(line);
  };
  return {
    level,
    debug: (e, f) => emit('debug', e, f),
    info: (e, f) => emit('info', e, f),
    warn: (e, f) => emit('warn', e, f),
    error: (e, f) => emit('error', e, f),
    child: (fields) => createLogger({ ...opts, level, sink, now, fields: { ...opts.fields, ...fields } }),
  };
}
