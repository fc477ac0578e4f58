// `herald-lab up --image REF`: the controller and the speakers run from a container image instead
// of the repository's dist/, as a cluster would run them. Each is `podman run --network ns:/run/netns/NS`,
// the namespace the plain process would run in (so it sees that namespace's links and addresses;
// `ip netns exec NS podman run --network host` fails here: ip remounts /sys, and runc then finds no
// cgroup mount),
// with the privileges the manifests give it: the controller non-root (the image's USER 65532) with
// no capability, the speaker root with only NET_RAW and NET_ADMIN; both with a read-only root
// filesystem and no privilege escalation. The files they need (kubeconfig, heartbeat key) are
// mounted read-only at the paths the flags name, so the flags are the ones the lab passes today.
// runc, not crun: crun fails on these machines' hybrid cgroups (LAB-NOTES "Containers").
import { readFileSync } from 'node:fs';
import { run } from '../netns/exec.js';
import type { ManagedSpec, SignalHow } from './processes.js';

/** Label on every container a lab starts: its value is the lab's namespace prefix. */
export const LAB_LABEL = 'dev.herald.lab';

export type ContainerPrivileges =
  /** The controller: the image's non-root user, no capability. */
  | { readonly type: 'none' }
  /** The speaker: root with every capability dropped but NET_RAW and NET_ADMIN (the DaemonSet's). */
  | { readonly type: 'net' };

export interface ContainerSpec {
  readonly image: string;
  /** The lab's namespace prefix: it names and labels the container. */
  readonly labPrefix: string;
  readonly role: string;
  readonly ns: string | undefined;
  readonly program: 'herald-controller' | 'herald-speaker';
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Host files mounted read-only at the same path inside. */
  readonly mounts: readonly string[];
  readonly privileges: ContainerPrivileges;
  /** --ulimit flags (podman needs them here: see ulimitFlags). */
  readonly ulimits: readonly string[];
}

export function containerName(labPrefix: string, role: string): string {
  return `${labPrefix}-${role}`;
}

/** The podman command line for one lab component (pure). */
export function podmanRunArgv(s: ContainerSpec): string[] {
  const priv =
    s.privileges.type === 'net'
      ? ['--user', '0:0', '--cap-drop=all', '--cap-add=NET_RAW,NET_ADMIN']
      : ['--cap-drop=all'];
  const env = Object.entries(s.env).flatMap(([k, v]) => (v === undefined ? [] : ['--env', `${k}=${v}`]));
  return [
    'podman', '--runtime', 'runc', 'run',
    '--rm', '--replace', '--pull', 'never',
    '--name', containerName(s.labPrefix, s.role),
    '--label', `${LAB_LABEL}=${s.labPrefix}`,
    '--network', s.ns === undefined ? 'host' : `ns:/run/netns/${s.ns}`,
    '--read-only',
    '--security-opt', 'no-new-privileges',
    ...s.ulimits,
    ...priv,
    ...s.mounts.flatMap((m) => ['--volume', `${m}:${m}:ro`]),
    ...env,
    s.image,
    s.program,
    ...s.args,
  ];
}

/**
 * --ulimit flags from /proc/self/limits: without them podman's setrlimit fails here ("OCI
 * permission denied"); each is capped at the current hard limit (pure: takes the file's text).
 */
export function ulimitFlags(limits: string, want: { nofile: number; nproc: number } = { nofile: 65_536, nproc: 4096 }): string[] {
  const hard = (label: string): number => {
    const m = new RegExp(`^${label}\\s+\\S+\\s+(\\S+)`, 'm').exec(limits);
    if (!m) return Number.POSITIVE_INFINITY;
    return m[1] === 'unlimited' ? Number.POSITIVE_INFINITY : Number(m[1]);
  };
  const n = (w: number, h: number): number => (Number.isFinite(h) ? Math.min(w, h) : w);
  const nofile = n(want.nofile, hard('Max open files'));
  const nproc = n(want.nproc, hard('Max processes'));
  return ['--ulimit', `nofile=${nofile}:${nofile}`, '--ulimit', `nproc=${nproc}:${nproc}`];
}

export function hostUlimitFlags(): string[] {
  return ulimitFlags(readFileSync('/proc/self/limits', 'utf8'));
}

/**
 * Signals for a container go through podman: a SIGKILL or SIGSTOP to the podman client would
 * leave the container running (podman proxies only the signals it can catch).
 */
export function containerSignaller(name: string): (how: SignalHow) => Promise<void> {
  return async (how) => {
    const argv = {
      stop: ['podman', 'kill', '--signal', 'TERM', name],
      kill: ['podman', 'kill', '--signal', 'KILL', name],
      freeze: ['podman', 'pause', name],
      thaw: ['podman', 'unpause', name],
    }[how];
    await run(argv, { timeoutMs: 30_000 });
  };
}

/** A ProcessSet spec that runs the component from the image. */
export function containerManagedSpec(s: ContainerSpec): ManagedSpec {
  // podman joins the namespace itself (podmanRunArgv), so the client runs on the host.
  return { role: s.role, ns: undefined, argv: podmanRunArgv(s), deliver: containerSignaller(containerName(s.labPrefix, s.role)) };
}

/** The host pid of a lab container's main process (its `node`), or undefined if it is not running. */
export async function containerPid(name: string): Promise<number | undefined> {
  const out = await run(['podman', 'inspect', '--format', '{{.State.Pid}}', name], { timeoutMs: 15_000 }).catch(() => '');
  const pid = Number(out.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Removes every container labelled with this lab's prefix (a lab stopped or killed halfway). */
export async function removeLabContainers(labPrefix: string): Promise<string[]> {
  const list = await run(['podman', 'ps', '-a', '--filter', `label=${LAB_LABEL}=${labPrefix}`, '--format', '{{.Names}}'], { timeoutMs: 30_000 }).catch(() => '');
  const names = list.split('\n').map((l) => l.trim()).filter(Boolean);
  if (names.length) await run(['podman', 'rm', '--force', '--time', '2', ...names], { timeoutMs: 60_000 });
  return names;
}
