/**
 * Which mounted pages hold unsaved changes, for controls outside them that would discard the
 * changes without a navigation the page's own guard sees — the project switcher reloads the page
 * in place. UnsavedChangesGuard registers here while its `when` holds.
 */
const unsaved = new Map<symbol, string>();

/** Registers `what` would be lost; the returned function withdraws it. */
export function registerUnsavedChanges(what: string): () => void {
  const key = Symbol(what);
  unsaved.set(key, what);
  return () => unsaved.delete(key);
}

/** What would be lost now ("your changes to the keywords"), or null when nothing is unsaved. */
export function unsavedChanges(): string | null {
  for (const what of unsaved.values()) return what;
  return null;
}
