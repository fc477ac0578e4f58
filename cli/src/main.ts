// kubectl-herald: wires commander to the commands. Thin: each action reads its input (files or
// the API), calls a pure function, and prints what that returns. `run` returns the exit code
// instead of exiting, so tests drive the real command line in-process.
import { DEFAULT_NAMESPACE } from '@herald/shared/api';
import { Command, CommanderError, Option } from 'commander';
import { connect, type ConnectionFlags } from './cluster/connect.js';
import { readCluster } from './cluster/read-cluster.js';
import { CliError } from './errors.js';
import { formatRefusal, migrate, renderDocuments } from './migrate/migrate.js';
import { readDocuments } from './objects/read-objects.js';
import { parseOutputFormat } from './output/format.js';
import { renderValidate } from './validate/render-validate.js';
import { validate } from './validate/validate.js';
import { liveObjects } from './validate/live-objects.js';
import { renderStatus } from './status/render-status.js';
import { statusView } from './status/status-model.js';
import { explainService } from './explain/explain-model.js';
import { renderExplain } from './explain/render-explain.js';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Wall clock (ms); tests fix it. */
  now(): number;
  /** Waits between --watch refreshes; tests make it return at once. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
}

interface GlobalFlags extends ConnectionFlags {
  readonly namespace?: string;
  readonly allNamespaces?: boolean;
  readonly output?: string;
  readonly heraldNamespace: string;
}

/** --watch stops by itself after this many refreshes (a day at 2 s): every loop is bounded. */
const MAX_WATCH_REFRESHES = 43_200;

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function buildProgram(io: Io, signal: AbortSignal): Command {
  const program = new Command('kubectl-herald');
  program
    .description("Herald's view of your cluster: why an IP is (not) answered or routed, and by which node")
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, in-cluster, ~/.kube/config)')
    .option('--context <name>', 'the kubeconfig context to use')
    .option('-n, --namespace <ns>', 'the namespace of the Services to show')
    .option('-A, --all-namespaces', 'Services of every namespace')
    .addOption(new Option('-o, --output <format>', 'output format').choices(['table', 'wide', 'json', 'yaml']).default('table'))
    .option('--herald-namespace <ns>', "Herald's own namespace, where its objects live", DEFAULT_NAMESPACE)
    .showHelpAfterError()
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();

  const globals = (cmd: Command): GlobalFlags => cmd.optsWithGlobals<GlobalFlags>();

  program
    .command('validate')
    .description('check Herald or MetalLB YAML offline with the config model the components run; --cluster merges the live objects first')
    .requiredOption('-f, --filename <file|dir>', 'a file or directory (recursive) of YAML; repeatable', collect, [])
    .option('--cluster', 'merge into the live objects first, and say what applying would change')
    .action(async (opts: { filename: string[]; cluster?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const format = parseOutputFormat(g.output);
      const docs = readDocuments(opts.filename);
      const live = opts.cluster ? liveObjects(await readCluster(connect(g), { namespace: g.heraldNamespace, now: () => io.now() })) : undefined;
      const r = validate(docs, { namespace: g.heraldNamespace, ...(live ? { live } : {}) });
      io.out(renderValidate(r, format, live !== undefined));
      if (!r.valid) throw new CliError('', 1);
    });

  program
    .command('migrate')
    .description('write Herald YAML from MetalLB YAML (apiVersion and namespace mapped, annotations untouched); refuses by name what has no mapping')
    .requiredOption('-f, --filename <file|dir>', 'a file or directory (recursive) of MetalLB YAML; repeatable', collect, [])
    .option('--from-namespace <ns>', "MetalLB's namespace in the input", 'metallb-system')
    .action((opts: { filename: string[]; fromNamespace: string }, cmd: Command) => {
      const g = globals(cmd);
      const r = migrate(readDocuments(opts.filename), { fromNamespace: opts.fromNamespace, toNamespace: g.heraldNamespace });
      if (r.refusals.length > 0) {
        for (const x of r.refusals) io.err(`${formatRefusal(x)}\n`);
        throw new CliError(`refused ${r.refusals.length} field(s) with no Herald mapping; nothing written`, 1);
      }
      io.out(renderDocuments(r.documents));
    });

  program
    .command('status')
    .description('pools (size, used, free), Services (IP, mode, owner or announcers), BGP sessions and each component\'s config validity')
    .option('-w, --watch', 'refresh until interrupted')
    .option('--interval <seconds>', 'seconds between refreshes with --watch', '2')
    .action(async (opts: { watch?: boolean; interval: string }, cmd: Command) => {
      const g = globals(cmd);
      const format = parseOutputFormat(g.output);
      const interval = Number(opts.interval);
      if (!Number.isFinite(interval) || interval < 0.2 || interval > 3600) throw new CliError(`--interval ${opts.interval}: give seconds between 0.2 and 3600`);
      const kc = connect(g);
      const serviceNamespace = g.allNamespaces ? undefined : g.namespace;
      for (let i = 0; ; i++) {
        const snap = await readCluster(kc, { namespace: g.heraldNamespace, now: () => io.now() });
        const text = renderStatus(statusView(snap, { serviceNamespace }), format);
        io.out(opts.watch && format !== 'json' && format !== 'yaml' ? `\x1b[H\x1b[2J${new Date(snap.now).toISOString()}\n${text}` : text);
        if (!opts.watch || signal.aborted || i >= MAX_WATCH_REFRESHES) break;
        await io.sleep(interval * 1000, signal);
        if (signal.aborted) break;
      }
    });

  const explain = program.command('explain').description('why an IP is (not) answered or routed, from the live objects, by the components\' own functions');
  explain
    .command('service')
    .description('a Service: its allocation (each other pool: why not), its L2 owner or BGP announcers (each other node: why not), its last Events')
    .argument('<ns/name>', 'the Service, as NS/NAME, or NAME with -n')
    .action(async (ref: string, _opts: unknown, cmd: Command) => {
      const g = globals(cmd);
      const format = parseOutputFormat(g.output);
      const kc = connect(g);
      const key = serviceRef(ref, g.namespace ?? (kc.getContextObject(kc.getCurrentContext())?.namespace || 'default'));
      const snap = await readCluster(kc, { namespace: g.heraldNamespace, eventsFor: key, endpointSlices: true, now: () => io.now() });
      io.out(renderExplain(explainService(snap, key), format));
    });

  return program;
}

function serviceRef(ref: string, ns: string): string {
  const parts = ref.split('/');
  if (parts.length === 1 && parts[0]) return `${ns}/${parts[0]}`;
  if (parts.length === 2 && parts[0] && parts[1]) return `${parts[0]}/${parts[1]}`;
  throw new CliError(`${JSON.stringify(ref)}: give the Service as NS/NAME, or NAME with -n NS`);
}

export async function run(argv: readonly string[], io: Io, signal: AbortSignal = new AbortController().signal): Promise<number> {
  const program = buildProgram(io, signal);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof CliError) {
      if (err.message) io.err(`error: ${err.message}\n`);
      return err.exitCode;
    }
    io.err(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    return 2;
  }
}
