// Loud skips for suites that need root or a tool. A skipped test is reported as skipped (mocha
// "pending"), never as passed, and says on stderr what was skipped and why.
import { execFileSync } from 'node:child_process';

export function missingTools(tools: readonly string[]): string[] {
  return tools.filter((t) => {
    try {
      execFileSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' });
      return false;
    } catch {
      return true;
    }
  });
}

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Why a suite cannot run here, or undefined if it can. */
export function whyCannotRun(opts: { root?: boolean; tools?: readonly string[] }): string | undefined {
  const reasons: string[] = [];
  if (opts.root && !isRoot()) reasons.push('needs root');
  const missing = missingTools(opts.tools ?? []);
  if (missing.length) reasons.push(`missing tools: ${missing.join(', ')}`);
  return reasons.length ? reasons.join('; ') : undefined;
}

/**
 * In a mocha `before` hook: skips the whole suite loudly if it cannot run here.
 * Usage: before(function () { skipUnless(this, { root: true, tools: ['bird'] }); });
 */
export function skipUnless(
  ctx: { skip(): void; currentTest?: { parent?: { fullTitle(): string } } | undefined; test?: { parent?: { fullTitle(): string } } | undefined },
  opts: { root?: boolean; tools?: readonly string[] },
): void {
  const why = whyCannotRun(opts);
  if (why === undefined) return;
  const title = ctx.test?.parent?.fullTitle() ?? 'suite';
  process.stderr.write(`\n!!! SKIPPED "${title}": ${why}\n\n`);
  ctx.skip();
}
