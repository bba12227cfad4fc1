import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';
import { Loading, PageHeader } from '../../components/page';
import { Alert } from '../../components/alert';
import { QueryError } from '../../components/query-error';
import { useProviders } from '../providers/providers.hooks';
import { PROVIDERS_PATH } from '../providers/providers.page';
import { TemplateForm } from './template-form';
import { useTemplate } from './templates.hooks';
import { DeleteTemplateDialog } from './delete-template-dialog';

function BackLink() {
  return (
    <p className="breadcrumb">
      <Link to="/templates">← Back to the list</Link>
    </p>
  );
}

/** + Template. */
export function NewTemplatePage() {
  const providers = useProviders();
  const navigate = useNavigate();
  if (providers.isPending) return <Loading />;
  if (providers.isError) return <QueryError error={providers.error} onRetry={() => void providers.refetch()} />;
  return (
    <>
      <BackLink />
      <PageHeader title="New template" />
      {providers.data.length === 0 ? (
        <Alert kind="info">
          Templates belong to a provider account: <Link to={PROVIDERS_PATH}>add a provider account</Link> first.
        </Alert>
      ) : (
        <TemplateForm providers={providers.data} onSaved={() => navigate('/templates', { state: { saved: true } })} />
      )}
    </>
  );
}

export function TemplatePage() {
  const { templateId = '' } = useParams();
  const template = useTemplate(templateId);
  const providers = useProviders();
  const navigate = useNavigate();
  const [notice, setNotice] = useState<string | null>(null);
  const [deleting, setDeleting] = useState(false);

  if (template.isPending || providers.isPending) return <Loading what="Loading the template" />;
  if (template.isError || providers.isError) {
    return (
      <>
        <BackLink />
        <QueryError error={template.error ?? providers.error} onRetry={() => void template.refetch()} />
      </>
    );
  }
  return (
    <>
      <BackLink />
      <PageHeader
        title={template.data.namespace}
        actions={
          <button type="button" className="btn btn--danger-outline" onClick={() => setDeleting(true)}>
            Delete
          </button>
        }
      />
      {notice ? <Alert kind="success">{notice}</Alert> : null}
      {/* The notice is about the values just saved: a further edit makes it untrue, so it goes. */}
      <TemplateForm key={template.data.id} providers={providers.data} template={template.data} onSaved={() => setNotice('Changes saved.')} onEdited={() => setNotice(null)} />
      <DeleteTemplateDialog template={deleting ? template.data : null} onClose={() => setDeleting(false)} onDeleted={() => navigate('/templates', { replace: true })} />
    </>
  );
}
