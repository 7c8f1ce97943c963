/**
 * A meeting point for the VMs of one batch (a control trio): no member powers down for its reboot, or at the
 * end, until every member still booting has reported. Without it the member that reports last is reported
 * alone, its peers already powered down, and a quorum member then answers "not currently serving"
 * (docs/boot-test.md, "The OpenStack control trio").
 */
export class Barrier {
  private waiting: (() => void)[] = [];
  private arrived = 0;

  /** @param parties members that will call `arrive` or `leave` once per phase */
  public constructor(private parties: number) {
    if (!Number.isInteger(parties) || parties < 1) throw new Error(`barrier: parties must be ≥ 1, not ${parties}`);
  }

  /** Resolves when every remaining member has arrived at this phase. */
  public arrive(): Promise<void> {
    return new Promise((resolve) => {
      this.waiting.push(resolve);
      this.arrived++;
      this.releaseIfComplete();
    });
  }

  /** A member that stopped (its boot failed) no longer counts, so the others do not wait for it. */
  public leave(): void {
    this.parties--;
    this.releaseIfComplete();
  }

  private releaseIfComplete(): void {
    if (this.arrived < this.parties || this.waiting.length === 0) return;
    const release = this.waiting;
    this.waiting = [];
    this.arrived = 0;
    for (const resolve of release) resolve();
  }
}
