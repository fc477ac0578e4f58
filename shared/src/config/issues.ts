// Collects config errors, each located at a kind, an object and a field path.
import type { ConfigError } from './model.js';

export class Issues {
  readonly errors: ConfigError[] = [];

  /** The error sink of one object. */
  at(kind: string, namespace: string, name: string): Scope {
    return new Scope(this, kind, namespace, name);
  }
}

export class Scope {
  constructor(
    private readonly issues: Issues,
    readonly kind: string,
    readonly namespace: string,
    readonly name: string,
  ) {}

  private n = 0;

  error(field: string, message: string): void {
    this.n++;
    this.issues.errors.push({ kind: this.kind, namespace: this.namespace, name: this.name, field, message });
  }

  /** How many errors this object has had so far (to tell whether a part parsed). */
  get count(): number {
    return this.n;
  }
}
