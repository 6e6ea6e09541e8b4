/**
 * Tasks run at most `concurrency` at a time; a free slot goes to the key with the fewest tasks running
 * (the longest-waiting such key on a tie). So one key with thousands of tasks (one SQS message naming
 * thousands of tables) never holds more than its share: another key's single task starts at the next
 * free slot instead of after all of them. Within a key, tasks start in the order they were added.
 */
export class FairQueue {
  /** Keys with waiting tasks, longest-waiting first. */
  private readonly waiting = new Map<string, Array<() => void>>();
  private readonly runningByKey = new Map<string, number>();
  private running = 0;

  constructor(private readonly concurrency: number) {}

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const start = () => {
        this.running++;
        this.runningByKey.set(key, (this.runningByKey.get(key) ?? 0) + 1);
        task()
          .then(resolve, reject)
          .finally(() => {
            this.running--;
            const left = this.runningByKey.get(key)! - 1;
            if (left === 0) this.runningByKey.delete(key);
            else this.runningByKey.set(key, left);
            this.dispatch();
          });
      };
      const queue = this.waiting.get(key);
      if (queue) queue.push(start);
      else this.waiting.set(key, [start]);
      this.dispatch();
    });
  }

  /** Tasks waiting for a slot, over every key. */
  get pending(): number {
    let count = 0;
    for (const queue of this.waiting.values()) count += queue.length;
    return count;
  }

  private dispatch(): void {
    while (this.running < this.concurrency && this.waiting.size > 0) {
      let chosen: string | undefined;
      for (const key of this.waiting.keys()) {
        if (chosen === undefined || (this.runningByKey.get(key) ?? 0) < (this.runningByKey.get(chosen) ?? 0)) chosen = key;
      }
      const queue = this.waiting.get(chosen!)!;
      const start = queue.shift()!;
      // Back of the line for the next tie, or gone when it has nothing more waiting.
      this.waiting.delete(chosen!);
      if (queue.length > 0) this.waiting.set(chosen!, queue);
      start();
    }
  }
}
