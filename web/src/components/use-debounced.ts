import { useEffect, useState } from 'react';

/** The value, once it has stopped changing for `delayMs` (live previews and reach estimates ask the server at most that often while typing). */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
