import { useId, useState } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useSwitchProject } from '../auth/auth.hooks';
import { useSession } from '../auth/session-context';
import { ConfirmDialog } from '../../components/confirm-dialog';
import { unsavedChanges } from '../../components/unsaved-changes';

/** The top-level section of a path: `/templates/abc` → `/templates`; settings pages keep their place. */
function sectionOf(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'settings') {
    // Settings sub-pages (channels, API credentials) exist in every project; a provider account does not.
    return '/' + parts.slice(0, parts[1] === 'channels' ? 3 : 2).join('/');
  }
  return parts[0] ? `/${parts[0]}` : '/';
}

/**
 * The select labelled "Project": switches the session to another project. The page is reloaded in
 * place for the new project, so unsaved changes on it would be lost without any navigation its
 * own guard sees: the switcher asks first.
 */
export function ProjectSwitcher() {
  const me = useSession();
  const switchProject = useSwitchProject();
  const navigate = useNavigate();
  const location = useLocation();
  const id = useId();
  /** The project chosen while changes are unsaved, waiting for the answer to the question. */
  const [asking, setAsking] = useState<{ projectId: string; what: string } | null>(null);
  if (me.projects.length === 0) return <span className="muted">No project</span>;
  const switchTo = (projectId: string) => switchProject.mutate(projectId, { onSuccess: () => navigate(sectionOf(location.pathname)) });
  return (
    <div className="project-switcher">
      <label htmlFor={id} className="project-switcher__label">
        Project
      </label>
      <select
        id={id}
        className="input input--select input--compact"
        value={me.currentProjectId ?? ''}
        disabled={switchProject.isPending}
        onChange={(event) => {
          const what = unsavedChanges();
          // The select stays on the current project until the switch is made (its value is the session's).
          if (what) setAsking({ projectId: event.target.value, what });
          else switchTo(event.target.value);
        }}
      >
        {me.projects.map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
      </select>
      <ConfirmDialog
        open={asking !== null}
        title="Switch project without saving?"
        confirmLabel="Switch project"
        danger
        onConfirm={() => {
          if (asking) switchTo(asking.projectId);
          setAsking(null);
        }}
        onCancel={() => setAsking(null)}
      >
        You have not saved {asking?.what}. Switching project discards them; Cancel keeps you here to save them.
      </ConfirmDialog>
      {switchProject.isError ? (
        <span className="field__error" role="alert">
          {switchProject.error.message}
        </span>
      ) : null}
    </div>
  );
}
