import { useEffect, useState } from 'react';

/**
 * The value, once it has stopped changing for `delayMs` (live previews and reach estimates ask the
 * server at most that often while typing). Values are compared by their JSON, so an object
 * rebuilt on every render with the same content counts as unchanged (no timer loop, no re-render).
 */
export function useDebounced<T>(value: T, delayMs: number): T {
  return useSettling(value, delayMs).settled;
}

/**
 * `useDebounced`, and whether the value has changed since it last settled (`settling`): a live
 * estimate shows its previous answer as out of date at once, not only once the request starts.
 */
export function useSettling<T>(value: T, delayMs: number): { settled: T; settling: boolean } {
  const [settled, setSettled] = useState(value);
  const key = JSON.stringify(value);
  const settledKey = JSON.stringify(settled);
  useEffect(() => {
    if (key === settledKey) return;
    const timer = setTimeout(() => setSettled(JSON.parse(key) as T), delayMs);
    return () => clearTimeout(timer);
  }, [key, settledKey, delayMs]);
  return { settled, settling: key !== settledKey };
}
