import { TextAreaField, TextField } from '../../components/field';
import type { CredentialField } from './provider-fields';

export interface SecretFieldProps {
  field: CredentialField;
  /** The masked stored value (`••••1234`), when the account has one. */
  stored: string | undefined;
  replacing: boolean;
  onReplacingChange: (replacing: boolean) => void;
  /** Whether the stored value may be removed (the account can work without it). */
  clearable: boolean;
  /** The user chose to remove the stored value: it is gone once the form is saved. */
  clearing: boolean;
  onClearingChange: (clearing: boolean) => void;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
}

/**
 * A write-only credential. Once saved it shows only its mask and can be replaced, never read back:
 * the server does not return it, and this field never asks for it. An optional one can also be
 * removed: the mask goes, and the stored value is deleted when the form is saved.
 */
export function SecretField({ field, stored, replacing, onReplacingChange, clearable, clearing, onClearingChange, value, onChange, error }: SecretFieldProps) {
  if (stored && clearable && clearing) {
    return (
      <TextField
        label={field.label}
        value=""
        readOnly
        className="field--masked"
        hint="Removed when you save. Until then the stored value is kept."
        error={error}
        addon={({ labelId }) => (
          <button type="button" className="btn btn--ghost btn--small" aria-describedby={labelId} onClick={() => onClearingChange(false)}>
            Keep current
          </button>
        )}
      />
    );
  }
  if (stored && !replacing) {
    return (
      <TextField
        label={field.label}
        value={stored}
        readOnly
        className="field--masked"
        hint={clearable ? 'Stored encrypted. It can be replaced or removed, not shown.' : 'Stored encrypted. It can be replaced, not shown.'}
        error={error}
        addon={({ labelId }) => (
          <>
            <button type="button" className="btn btn--secondary btn--small" aria-describedby={labelId} onClick={() => onReplacingChange(true)}>
              Replace
            </button>
            {clearable ? (
              <button type="button" className="btn btn--ghost btn--small btn--danger-text" aria-describedby={labelId} onClick={() => onClearingChange(true)}>
                Clear
              </button>
            ) : null}
          </>
        )}
      />
    );
  }
  const keep = stored
    ? ({ labelId }: { labelId: string }) => (
        <button
          type="button"
          className="btn btn--ghost btn--small"
          aria-describedby={labelId}
          onClick={() => {
            onChange('');
            onReplacingChange(false);
          }}
        >
          Keep current
        </button>
      )
    : undefined;
  if (field.kind === 'textarea') {
    return (
      <TextAreaField
        label={field.label}
        value={value}
        onChange={onChange}
        rows={6}
        spellCheck={false}
        className="field--mono"
        hint={field.hint}
        error={error}
        addon={keep}
      />
    );
  }
  return <TextField label={field.label} type="password" value={value} onChange={onChange} autoComplete="new-password" hint={field.hint} error={error} addon={keep} />;
}
