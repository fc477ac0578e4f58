// What our own heard-lists told our peers, for corroboration: we count ourselves as a witness of
// a subject's silence only once the lists we *sent* have left it out for `corroboration`, exactly
// as we count a peer (liveness.ts, THE RULE: the case R = O). Pure; part of the liveness core.
export class OwnLists {
  private lastSendAt: number | undefined;
  /** Subject -> time of our first sent list of the current run that leaves it out. */
  private readonly omitSince = new Map<string, number>();

  constructor(private readonly corroborationMs: number) {}

  /** The list being sent at `now` names `subject` (heard) or leaves it out. */
  note(subject: string, heard: boolean, now: number): void {
    if (heard) this.omitSince.delete(subject);
    else if (!this.omitSince.has(subject)) this.omitSince.set(subject, now);
  }

  /** A list-bearing message (heartbeat, leaving) went out at `now`. */
  sent(now: number): void {
    this.lastSendAt = now;
  }

  /** Forgets subjects that are no longer members. */
  retain(isMember: (subject: string) => boolean): void {
    for (const subject of [...this.omitSince.keys()]) if (!isMember(subject)) this.omitSince.delete(subject);
  }

  /** Our lists have left `subject` out for corroboration (or we never sent a list at all). */
  corroborates(subject: string): boolean {
    if (this.lastSendAt === undefined) return true;
    const since = this.omitSince.get(subject);
    return since !== undefined && this.lastSendAt - since >= this.corroborationMs;
  }
}
