/**
 * Asks before a page with unsaved changes is left: the browser's own prompt when the tab is
 * closed or reloaded (`beforeunload`), and a dialog when a link or Back would move to another page
 * of the dashboard (React Router's blocker). It also registers the changes (unsaved-changes.ts)
 * for the project switcher, which asks on its own.
 */
import { useCallback, useEffect, useRef } from 'react';
import { NavigationType, useBlocker, type BlockerFunction } from 'react-router-dom';
import { ConfirmDialog } from './confirm-dialog';
import { registerUnsavedChanges } from './unsaved-changes';

export interface UnsavedChangesGuardProps {
  /** Whether the page holds changes that leaving would lose. */
  when: boolean;
  /** What would be lost, for the dialog: "your changes to the keywords". */
  what: string;
}

export function UnsavedChangesGuard({ when, what }: UnsavedChangesGuardProps) {
  useEffect(() => {
    if (!when) return;
    // Browsers show their own wording; preventDefault (and returnValue for older engines) asks for it.
    const ask = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = '';
    };
    window.addEventListener('beforeunload', ask);
    const unregister = registerUnsavedChanges(what);
    return () => {
      window.removeEventListener('beforeunload', ask);
      unregister();
    };
  }, [when, what]);

  // Read when a navigation starts, from the latest render: a page that saves and then navigates
  // in one handler renders "nothing unsaved" first (flushSync), and must not be asked about it.
  const unsaved = useRef(when);
  unsaved.current = when;
  const shouldBlock: BlockerFunction = useCallback(
    ({ currentLocation, nextLocation, historyAction }) =>
      unsaved.current &&
      currentLocation.pathname !== nextLocation.pathname &&
      // Replacing navigations are the app's own redirects after the fact (log out, an expired
      // session): the user did not choose to leave, and staying would not undo them.
      historyAction !== NavigationType.Replace,
    [],
  );
  const blocker = useBlocker(shouldBlock);

  return (
    <ConfirmDialog
      open={blocker.state === 'blocked'}
      title="Leave without saving?"
      confirmLabel="Leave page"
      danger
      onConfirm={() => blocker.proceed?.()}
      onCancel={() => blocker.reset?.()}
    >
      You have not saved {what}. Leaving this page discards them; Cancel keeps you here to save them.
    </ConfirmDialog>
  );
}
