import { useState } from 'react';
import { Link, useLocation } from 'react-router-dom';
import { EmptyState, Loading, PageHeader } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryError } from '../../components/query-error';
import type { Template } from '../../api/types';
import { useProviders } from '../providers/providers.hooks';
import { PROVIDERS_PATH } from '../providers/providers.page';
import { attachmentLabel } from './template-rules';
import { useTemplates } from './templates.hooks';
import { DeleteTemplateDialog } from './delete-template-dialog';
import { ColumnHeads } from '../../components/column-heads';

/** Templates tab: the approved templates registered per provider account. */
export function TemplatesPage() {
  const templates = useTemplates();
  const providers = useProviders();
  const location = useLocation();
  const justSaved = (location.state as { saved?: boolean } | null)?.saved === true;
  const [deleting, setDeleting] = useState<Template | null>(null);
  const nickname = (id: string) => providers.data?.find((provider) => provider.id === id)?.nickname ?? 'Deleted account';
  const noProviders = providers.data !== undefined && providers.data.length === 0;
  // A link styled as a button: it navigates, so it can open in a new tab and is announced as a link.
  // Without a provider account there is nowhere to go yet: the link is shown disabled, without a
  // target (the empty state says to add an account first).
  const addButton = noProviders ? (
    <a className="btn btn--primary" role="link" aria-disabled="true">
      + Template
    </a>
  ) : (
    <Link className="btn btn--primary" to="/templates/new">
      + Template
    </Link>
  );

  return (
    <>
      <PageHeader title="Templates" description="Register the message templates approved on your provider accounts; campaigns send them." actions={addButton} />
      {justSaved ? <Alert kind="success">Template saved.</Alert> : null}
      {noProviders ? (
        <EmptyState title="Connect a provider account first">
          <p>
            Templates belong to a provider account: <Link to={PROVIDERS_PATH}>add a provider account</Link> first.
          </p>
        </EmptyState>
      ) : templates.isPending || providers.isPending ? (
        <Loading what="Loading templates" />
      ) : templates.isError ? (
        <QueryError error={templates.error} onRetry={() => void templates.refetch()} />
      ) : providers.isError ? (
        <QueryError error={providers.error} onRetry={() => void providers.refetch()} />
      ) : templates.data.length === 0 ? (
        <EmptyState title="No templates yet">
          <p>Use + Template to add the templates approved on your provider, with their namespace and text.</p>
        </EmptyState>
      ) : (
        <div className="table-scroll">
          <table className="table">
            <caption className="visually-hidden">Templates</caption>
            <ColumnHeads columns={['Template namespace', 'Provider', 'Placeholders', 'Attachment', 'Language', { label: 'Actions', hidden: true }]} />
            <tbody>
              {templates.data.map((template) => (
                <tr key={template.id}>
                  <td>
                    <Link to={`/templates/${template.id}`} className="mono">
                      {template.namespace}
                    </Link>
                    <p className="table__secondary">{template.body}</p>
                  </td>
                  <td>{nickname(template.providerId)}</td>
                  <td>{template.placeholderCount}</td>
                  <td>{attachmentLabel(template.attachmentType)}</td>
                  <td>{template.language || '—'}</td>
                  <td className="table__actions">
                    <Link className="btn btn--ghost btn--small" to={`/templates/${template.id}`} aria-label={`Edit ${template.namespace}`}>
                      Edit
                    </Link>
                    <button type="button" className="btn btn--ghost btn--small btn--danger-text" aria-label={`Delete ${template.namespace}`} onClick={() => setDeleting(template)}>
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <DeleteTemplateDialog template={deleting} onClose={() => setDeleting(null)} />
    </>
  );
}
