/** Runs `fn` over `items` with at most `lanes` calls in flight. Pure, so workflows may use it too. */
export async function forEachConcurrent<T>(
  items: readonly T[],
  lanes: number,
  fn: (item: T) => Promise<void>,
) {
  let next = 0;
  const lane = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, items.length) }, lane));
}
