import { useEffect } from 'react';
import { TextField } from '../../../components/field';
import { useDebounced } from '../../../components/use-debounced';
import type { Template } from '../../../api/types';
import { useCampaignPreview } from '../campaigns.hooks';

/** Why the sample profile's message cannot be rendered (`Cannot render for u6: …`), or null when it can. */
export type PreviewProblem = string | null;

/**
 * The message as a sample profile would receive it, rendered by the server as the user types.
 * `onProblem` hears whether it renders, for the Publish section to warn before publishing.
 */
export function MessagePreview({
  template,
  params,
  identity,
  setIdentity,
  onProblem,
}: {
  template: Template;
  params: string[];
  identity: string;
  setIdentity: (identity: string) => void;
  onProblem?: (problem: PreviewProblem) => void;
}) {
  const input = useDebounced({ templateId: template.id, params, ...(identity.trim() ? { identity: identity.trim() } : {}) }, 400);
  const preview = useCampaignPreview(input);
  const result = preview.data;
  const problem = result && !result.ok ? `Cannot render for ${result.identity || 'an empty profile'}: ${result.error}` : null;
  useEffect(() => {
    onProblem?.(problem);
  }, [onProblem, problem]);
  useEffect(() => () => onProblem?.(null), [onProblem]);
  return (
    <div className="panel panel--inset" data-testid="message-preview">
      <h3 className="panel__title">Preview</h3>
      <TextField
        label="Sample profile identity"
        value={identity}
        onChange={setIdentity}
        autoComplete="off"
        spellCheck={false}
        hint="Optional: the profile to render the message for. Empty: the first profile of the project."
        error={preview.isError ? preview.error.message : undefined}
      />
      <div aria-live="polite">
        {!result ? (
          <p className="muted">{preview.isError ? 'No preview.' : 'Rendering…'}</p>
        ) : result.ok ? (
          <>
            <p className="muted">For {result.identity ? <span className="mono">{result.identity}</span> : 'an empty profile (the project has no profiles yet)'}:</p>
            <p className="template-preview" data-testid="preview-body">
              {result.body}
            </p>
          </>
        ) : (
          <p className="alert alert--warning" data-testid="preview-error">
            Cannot render for {result.identity ? <span className="mono">{result.identity}</span> : 'an empty profile'}: {result.error}
          </p>
        )}
      </div>
    </div>
  );
}
