// Watches Herald's config objects (and the Secrets of its namespace), parses them into the
// validated model on every change, and keeps the last good config in force when a change is
// invalid. Each component reports the result in a ConfigurationState object.
import { CoreV1Api, CustomObjectsApi, type KubeConfig, type KubernetesListObject, type KubernetesObject, type V1Secret } from '@kubernetes/client-node';
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import { GROUP, VERSION } from '../api/constants.js';
import { parseConfig } from '../config/parse-config.js';
import { formatConfigError, type Config, type ConfigError } from '../config/model.js';
import type { ConfigInput } from '../config/input.js';
import { ResilientInformer } from './informer.js';

const configKinds = [
  { plural: 'ipaddresspools', field: 'ipAddressPools' },
  { plural: 'l2advertisements', field: 'l2Advertisements' },
  { plural: 'bgpadvertisements', field: 'bgpAdvertisements' },
  { plural: 'bgppeers', field: 'bgpPeers' },
  { plural: 'bfdprofiles', field: 'bfdProfiles' },
  { plural: 'communities', field: 'communities' },
] as const;

export type ConfigState =
  | { readonly type: 'none-yet'; readonly errors: readonly ConfigError[] }
  | { readonly type: 'valid'; readonly config: Config }
  /** The latest objects are invalid; `config` is the last good one, still in force. */
  | { readonly type: 'invalid'; readonly config: Config | undefined; readonly errors: readonly ConfigError[] };

export interface ConfigWatcherOptions {
  readonly kubeConfig: KubeConfig;
  readonly namespace: string;
  readonly clock: Clock;
  readonly log: Logger;
  /** Called after each re-parse (debounced), with the state now in force. */
  readonly onChange: (state: ConfigState) => void;
  readonly debounceMs?: number;
  /** false: do not read Secrets (BGP passwords are then not resolved). Default true. */
  readonly watchSecrets?: boolean;
}

export class ConfigWatcher {
  private readonly informers: { field: string; inf: ResilientInformer<KubernetesObject> }[] = [];
  private readonly secrets: ResilientInformer<V1Secret> | undefined;
  private state: ConfigState = { type: 'none-yet', errors: [] };
  private pending: ReturnType<Clock['setTimeout']> | undefined;
  private started = false;

  constructor(private readonly o: ConfigWatcherOptions) {
    const custom = o.kubeConfig.makeApiClient(CustomObjectsApi);
    const core = o.kubeConfig.makeApiClient(CoreV1Api);
    for (const k of configKinds) {
      const inf = new ResilientInformer<KubernetesObject>({
        name: k.plural,
        kubeConfig: o.kubeConfig,
        path: `/apis/${GROUP}/${VERSION}/namespaces/${o.namespace}/${k.plural}`,
        list: () =>
          custom.listNamespacedCustomObject({ group: GROUP, version: VERSION, namespace: o.namespace, plural: k.plural }) as Promise<
            KubernetesListObject<KubernetesObject>
          >,
        clock: o.clock,
        log: o.log,
      });
      this.informers.push({ field: k.field, inf });
    }
    this.secrets = o.watchSecrets === false ? undefined : new ResilientInformer<V1Secret>({
      name: 'secrets',
      kubeConfig: o.kubeConfig,
      path: `/api/v1/namespaces/${o.namespace}/secrets`,
      list: () => core.listNamespacedSecret({ namespace: o.namespace }),
      clock: o.clock,
      log: o.log,
    });
    const poke = (): void => this.schedule();
    for (const { inf } of this.informers) for (const ev of ['add', 'update', 'delete'] as const) inf.on(ev, poke);
    for (const ev of ['add', 'update', 'delete'] as const) this.secrets?.on(ev, poke);
  }

  /** Resolves once every informer has synced and the first parse is done. */
  async start(): Promise<ConfigState> {
    await Promise.all([...this.informers.map((i) => i.inf.start()), this.secrets?.start()]);
    this.started = true;
    this.reparse();
    return this.state;
  }

  async stop(): Promise<void> {
    if (this.pending) this.o.clock.clearTimeout(this.pending);
    await Promise.all([...this.informers.map((i) => i.inf.stop()), this.secrets?.stop()]);
  }

  current(): ConfigState {
    return this.state;
  }

  /** The raw objects as cached (for status writers that need names and uids). */
  objects(field: (typeof configKinds)[number]['field']): readonly KubernetesObject[] {
    return this.informers.find((i) => i.field === field)?.inf.list() ?? [];
  }

  private schedule(): void {
    if (!this.started) return;
    if (this.pending) this.o.clock.clearTimeout(this.pending);
    this.pending = this.o.clock.setTimeout(() => {
      this.pending = undefined;
      this.reparse();
    }, this.o.debounceMs ?? 20);
  }

  private reparse(): void {
    const input: ConfigInput & Record<string, unknown> = { namespace: this.o.namespace, secrets: this.secrets?.list() };
    for (const { field, inf } of this.informers) input[field] = inf.list();
    const result = parseConfig(input);
    const prev = this.state;
    if (result.ok) {
      this.state = { type: 'valid', config: result.config };
      if (prev.type !== 'valid') this.o.log.info('config-valid', {});
    } else {
      const lastGood = prev.type === 'none-yet' ? undefined : prev.config;
      this.state = lastGood ? { type: 'invalid', config: lastGood, errors: result.errors } : { type: 'none-yet', errors: result.errors };
      this.o.log.warn('config-invalid', { errors: result.errors.map(formatConfigError), lastGoodInForce: lastGood !== undefined });
    }
    this.o.onChange(this.state);
  }
}
