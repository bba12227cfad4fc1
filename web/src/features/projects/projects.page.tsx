import { useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/page';
import { TextField } from '../../components/field';
import { Alert } from '../../components/alert';
import { QueryState } from '../../components/query-state';
import { formatDateTime } from '../../components/format';
import { formErrorsOf, noFormErrors } from '../../api/form-errors';
import { useCreateProject, useProjects } from './projects.hooks';
import { useSwitchProject } from '../auth/auth.hooks';
import { useSession } from '../auth/session-context';
import type { Project } from '../../api/types';
import { ColumnHeads } from '../../components/column-heads';

/** Instance admins: every project, and a form to create one. */
export function ProjectsPage() {
  const me = useSession();
  const projects = useProjects();
  const create = useCreateProject();
  const switchProject = useSwitchProject();
  const [name, setName] = useState('');
  const [created, setCreated] = useState<Project | null>(null);
  const errors = create.isError ? formErrorsOf(create.error, ['name']) : noFormErrors;

  function submit(event: FormEvent) {
    event.preventDefault();
    create.mutate(name, {
      onSuccess: (project) => {
        setCreated(project);
        setName('');
      },
    });
  }

  return (
    <>
      <PageHeader title="Projects" description="Each project has its own provider accounts, templates, audience, campaigns and API credentials." />
      <section className="panel">
        <h2 className="panel__title">Create a project</h2>
        <form className="inline-form" onSubmit={submit} noValidate>
          <TextField label="Name" value={name} onChange={setName} required error={errors.fields.name} />
          <button type="submit" className="btn btn--primary" disabled={create.isPending}>
            {create.isPending ? 'Creating…' : 'Create project'}
          </button>
        </form>
        {errors.summary && !errors.fields.name ? <Alert>{errors.summary}</Alert> : null}
        {created ? (
          <Alert kind="success">
            Project “{created.name}” created.{' '}
            {me.currentProjectId !== created.id ? (
              <button type="button" className="btn btn--secondary btn--small" onClick={() => switchProject.mutate(created.id)}>
                Switch to it
              </button>
            ) : null}
          </Alert>
        ) : null}
      </section>
      <QueryState query={projects} loading="Loading projects">
        {(data) => (
          <table className="table">
            <caption className="visually-hidden">Projects</caption>
            <ColumnHeads columns={['Name', 'Created', 'Status']} />
            <tbody>
              {data.map((project) => (
                <tr key={project.id}>
                  <td>{project.name}</td>
                  <td>{formatDateTime(project.createdAt)}</td>
                  <td>{project.id === me.currentProjectId ? 'Current project' : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </QueryState>
    </>
  );
}
