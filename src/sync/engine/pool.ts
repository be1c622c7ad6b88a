/** Runs `work` for every item with at most `workers` at once; stops taking new items when `stop()` says so. */
export async function forEachConcurrently<T>(
  items: readonly T[],
  workers: number,
  work: (item: T) => Promise<void>,
  stop: () => boolean = () => false,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length && !stop()) {
      const item = items[next++]!;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
}
