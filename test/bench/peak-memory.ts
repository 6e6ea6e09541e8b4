// The connector's peak RSS over a phase of a benchmark that runs it in-process, sampled every 50 ms,
// with what V8 held at that moment: a peak far above the live heap is either V8's uncollected garbage
// (heap total well above heap used) or memory outside the JavaScript heap (RSS well above heap total).
const MB = 1024 * 1024;

export interface PeakMemoryFigures {
  readonly rssMb: number;
  /** At the peak: V8's heap as reserved, as used (live and not yet collected), and external memory. */
  readonly heapTotalMb: number;
  readonly heapUsedMb: number;
  readonly externalMb: number;
}

export class PeakMemory {
  private peak: NodeJS.MemoryUsage | undefined;
  private readonly timer = setInterval(() => this.sample(), 50);

  /** The peak since the last call (or since the start), then starts over. */
  take(): PeakMemoryFigures {
    this.sample();
    const peak = this.peak!;
    this.peak = undefined;
    return { rssMb: peak.rss / MB, heapTotalMb: peak.heapTotal / MB, heapUsedMb: peak.heapUsed / MB, externalMb: peak.external / MB };
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private sample(): void {
    const now = process.memoryUsage();
    if (!this.peak || now.rss > this.peak.rss) this.peak = now;
  }
}

/** "peak RSS 420 MB (V8 heap 300 MB reserved, 250 MB used; external 12 MB)". */
export function describePeak(p: PeakMemoryFigures): string {
  const mb = (n: number) => `${n.toFixed(0)} MB`;
  return `peak RSS ${mb(p.rssMb)} (V8 heap ${mb(p.heapTotalMb)} reserved, ${mb(p.heapUsedMb)} used; external ${mb(p.externalMb)})`;
}
