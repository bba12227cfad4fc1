import { useCallback, useEffect, useState, type RefObject } from 'react';

/**
 * After a failed submit, moves keyboard focus to the first field marked aria-invalid, so nobody
 * has to hunt for what to fix. Focus moves after React has rendered the error (an effect), not
 * before.
 */
export function useFocusFirstInvalid(formRef: RefObject<HTMLFormElement | null>): () => void {
  const [request, setRequest] = useState(0);
  useEffect(() => {
    if (request === 0) return;
    formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus();
  }, [request, formRef]);
  return useCallback(() => setRequest((count) => count + 1), []);
}
