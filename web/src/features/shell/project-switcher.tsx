import { useId } from 'react';
import { useLocation, useNavigate } from 'react-router-dom';
import { useSwitchProject } from '../auth/auth.hooks';
import { useSession } from '../auth/session-context';

/** The top-level section of a path: `/templates/abc` → `/templates`; settings pages keep their place. */
function sectionOf(pathname: string): string {
  const parts = pathname.split('/').filter(Boolean);
  if (parts[0] === 'settings') {
    // Settings sub-pages (channels, API credentials) exist in every project; a provider account does not.
    return '/' + parts.slice(0, parts[1] === 'channels' ? 3 : 2).join('/');
  }
  return parts[0] ? `/${parts[0]}` : '/';
}

/** The select labelled "Project": switches the session to another project. */
export function ProjectSwitcher() {
  const me = useSession();
  const switchProject = useSwitchProject();
  const navigate = useNavigate();
  const location = useLocation();
  const id = useId();
  if (me.projects.length === 0) return <span className="muted">No project</span>;
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
          switchProject.mutate(event.target.value, {
            onSuccess: () => navigate(sectionOf(location.pathname)),
          });
        }}
      >
        {me.projects.map((project) => (
          <option key={project.id} value={project.id}>
            {project.name}
          </option>
        ))}
      </select>
      {switchProject.isError ? (
        <span className="field__error" role="alert">
          {switchProject.error.message}
        </span>
      ) : null}
    </div>
  );
}
