// What the speaker wants one peer to have, kept by the session across reconnects. Pure. Changes
// come in two forms: a whole table (setAdvertised) or a map of changes (updateAdvertised); both
// report, per key, only routes whose UPDATE would differ (prefix or attributes), so the cost of
// what follows is proportional to what changed. Keys identify prefixes: one key per prefix, by
// convention the prefix text (`Prefix.toString()`).
import { attributeSignature, sameAdvertisement, type Advertisement } from './advertisement.js';

export interface DesiredRoute {
  readonly adv: Advertisement;
  /** attributeSignature of adv: equal strings, equal attributes on the wire. */
  readonly sig: string;
}

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

  keys(): IterableIterator<string> {
    return this.routes.keys();
  }

  /** Applies changes (undefined: withdraw). Calls `changed` per key whose UPDATE differs; returns how many. */
  apply(changes: ReadonlyMap<string, Advertisement | undefined>, changed: (key: string) => void): number {
    let n = 0;
    for (const [k, a] of changes) {
      if (a === undefined ? this.routes.delete(k) : this.put(k, a)) {
        changed(k);
        n++;
      }
    }
    return n;
  }

  /**
   * Makes the table exactly `want`. Calls `changed` per key whose UPDATE differs; returns how
   * many. An identical table costs one cheap comparison per route and calls nothing.
   */
  replace(want: ReadonlyMap<string, Advertisement>, changed: (key: string) => void): number {
    const pass = ++this.pass;
    let n = 0;
    for (const [k, a] of want) {
      if (this.put(k, a, pass)) {
        changed(k);
        n++;
      }
    }
    // Every key of `want` is marked now; if that is all we hold, nothing is left to withdraw.
    if (this.routes.size === want.size) return n;
    for (const [k, e] of this.routes) {
      if (e.mark === pass) continue;
      this.routes.delete(k);
      changed(k);
      n++;
    }
    return n;
  }

  /** Stores a; true if the key is new or its UPDATE differs. */
  private put(k: string, a: Advertisement, pass = this.pass): boolean {
    const e = this.routes.get(k);
    if (!e) {
      this.routes.set(k, { adv: a, sig: this.signature(a), mark: pass });
      return true;
    }
    e.mark = pass;
    if (sameAdvertisement(e.adv, a)) {
      // Keep the newer object: a caller that passes the same objects again hits a === b.
      e.adv = a;
      return false;
    }
    const sig = this.signature(a);
    const differs = sig !== e.sig || !e.adv.prefix.equals(a.prefix);
    e.adv = a;
    e.sig = sig;
    return differs;
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
