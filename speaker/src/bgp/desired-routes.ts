// What the speaker wants one peer to have, kept by the session across reconnects. Pure. Changes
// come in two forms: a whole table (setAdvertised) or a map of changes (updateAdvertised); both
// report, per key, only routes whose UPDATE would differ (prefix or attributes), so the cost of
// what follows is proportional to what changed. Keys identify prefixes: one key per prefix, the
// same in every call (the reconciler uses the prefix text, `Prefix.toString()`).
import { attributeSignature, sameAdvertisement, type Advertisement } from './advertisement.js';

export interface DesiredRoute {
  readonly adv: Advertisement;
  /** attributeSignature of adv: equal strings, equal attributes on the wire. */
  readonly sig: string;
}

/** Told, per key whose UPDATE differs, the key's route now (undefined: withdrawn). */
export type Changed = (key: string, route: DesiredRoute | undefined) => void;

interface Entry {
  adv: Advertisement;
  sig: string;
  /** The replace() pass that last saw the key. */
  mark: number;
}

/** Distinct signatures kept for sharing (they are few; the bound only guards odd inputs). */
const MAX_INTERNED = 4096;

export class DesiredRoutes {
  private readonly routes = new Map<string, Entry>();
  private readonly interned = new Map<string, string>();
  private pass = 0;

  constructor(private readonly ibgp: boolean) {}

  get size(): number {
    return this.routes.size;
  }

  get(key: string): DesiredRoute | undefined {
    return this.routes.get(key);
  }

  entries(): IterableIterator<[string, DesiredRoute]> {
    return this.routes.entries();
  }

  /**
   * Applies changes (undefined: withdraw). Calls `changed` per key whose UPDATE differs, with the
   * key's route now (undefined: gone); returns how many.
   */
  apply(changes: ReadonlyMap<string, Advertisement | undefined>, changed: Changed): number {
    let n = 0;
    for (const [k, a] of changes) {
      if (a === undefined) {
        if (!this.routes.delete(k)) continue;
        changed(k, undefined);
        n++;
      } else {
        const e = this.put(k, a);
        if (!e) continue;
        changed(k, e);
        n++;
      }
    }
    return n;
  }

  /**
   * Makes the table exactly `want`. Calls `changed` per key whose UPDATE differs; returns how
   * many. An identical table costs one cheap comparison per route and calls nothing.
   */
  replace(want: ReadonlyMap<string, Advertisement>, changed: Changed): number {
    const pass = ++this.pass;
    let n = 0;
    for (const [k, a] of want) {
      const e = this.put(k, a, pass);
      if (!e) continue;
      changed(k, e);
      n++;
    }
    // Every key of `want` is marked now; if that is all we hold, nothing is left to withdraw.
    if (this.routes.size === want.size) return n;
    for (const [k, e] of this.routes) {
      if (e.mark === pass) continue;
      this.routes.delete(k);
      changed(k, undefined);
      n++;
    }
    return n;
  }

  /** Stores a; its entry if the key is new or its UPDATE differs, else undefined. */
  private put(k: string, a: Advertisement, pass = this.pass): Entry | undefined {
    const e = this.routes.get(k);
    if (!e) {
      const n: Entry = { adv: a, sig: this.signature(a), mark: pass };
      this.routes.set(k, n);
      return n;
    }
    e.mark = pass;
    if (sameAdvertisement(e.adv, a)) {
      // Keep the newer object: a caller that passes the same objects again hits a === b.
      e.adv = a;
      return undefined;
    }
    const sig = this.signature(a);
    const differs = sig !== e.sig || !e.adv.prefix.equals(a.prefix);
    e.adv = a;
    e.sig = sig;
    return differs ? e : undefined;
  }

  private signature(a: Advertisement): string {
    const s = attributeSignature(a, this.ibgp);
    const have = this.interned.get(s);
    if (have !== undefined) return have;
    if (this.interned.size >= MAX_INTERNED) this.interned.clear();
    this.interned.set(s, s);
    return s;
  }
}
