/**
 * Form controls with a real `<label for>`, an optional hint and an error message, both tied to
 * the control with aria-describedby; errors set aria-invalid.
 */
import { useId, type ChangeEvent, type ReactNode } from 'react';

interface BaseProps {
  label: string;
  error?: string | undefined;
  hint?: ReactNode;
  /**
   * Extra controls shown beside the input (a copy button, "Replace"). A function gets the label's
   * id, for buttons described by it: their own names must not repeat the label, or a lookup by
   * label would find the button too.
   */
  addon?: ReactNode | ((ids: { labelId: string }) => ReactNode);
  className?: string;
}

function describedBy(hintId: string | undefined, errorId: string | undefined): string | undefined {
  const ids = [hintId, errorId].filter(Boolean).join(' ');
  return ids || undefined;
}

function FieldFrame(props: BaseProps & { id: string; hintId: string; errorId: string; children: ReactNode }) {
  return (
    <div className={`field${props.error ? ' field--invalid' : ''}${props.className ? ` ${props.className}` : ''}`}>
      <label htmlFor={props.id} id={`${props.id}-label`} className="field__label">
        {props.label}
      </label>
      <div className="field__control">
        {props.children}
        {typeof props.addon === 'function' ? props.addon({ labelId: `${props.id}-label` }) : props.addon}
      </div>
      {props.hint ? (
        <p className="field__hint" id={props.hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p className="field__error" id={props.errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}

function useFieldIds(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const hintId = `${id}-hint`;
  const errorId = `${id}-error`;
  return { id, hintId, errorId, describedBy: describedBy(hint ? hintId : undefined, error ? errorId : undefined) };
}

export interface TextFieldProps extends BaseProps {
  value: string;
  onChange?: (value: string) => void;
  type?: 'text' | 'password' | 'email' | 'url' | 'tel' | 'number' | 'time' | 'datetime-local' | 'search';
  readOnly?: boolean;
  required?: boolean;
  autoComplete?: string;
  placeholder?: string;
  min?: number;
  max?: number;
  inputMode?: 'text' | 'numeric' | 'tel' | 'email' | 'url';
  autoFocus?: boolean;
  spellCheck?: boolean;
  onBlur?: () => void;
  /** A `<datalist>` id offering suggestions (time zones, event names). */
  list?: string;
  step?: number;
}

export function TextField(props: TextFieldProps) {
  const ids = useFieldIds(props.hint, props.error);
  return (
    <FieldFrame {...props} id={ids.id} hintId={ids.hintId} errorId={ids.errorId}>
      <input
        id={ids.id}
        className="input"
        type={props.type ?? 'text'}
        value={props.value}
        onChange={(event: ChangeEvent<HTMLInputElement>) => props.onChange?.(event.target.value)}
        onBlur={props.onBlur}
        readOnly={props.readOnly}
        required={props.required}
        autoComplete={props.autoComplete}
        placeholder={props.placeholder}
        min={props.min}
        max={props.max}
        inputMode={props.inputMode}
        autoFocus={props.autoFocus}
        spellCheck={props.spellCheck}
        list={props.list}
        step={props.step}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={ids.describedBy}
      />
    </FieldFrame>
  );
}

export interface TextAreaFieldProps extends BaseProps {
  value: string;
  onChange?: (value: string) => void;
  rows?: number;
  readOnly?: boolean;
  required?: boolean;
  placeholder?: string;
  spellCheck?: boolean;
  maxLength?: number;
  onBlur?: () => void;
}

export function TextAreaField(props: TextAreaFieldProps) {
  const ids = useFieldIds(props.hint, props.error);
  return (
    <FieldFrame {...props} id={ids.id} hintId={ids.hintId} errorId={ids.errorId}>
      <textarea
        id={ids.id}
        className="input input--textarea"
        value={props.value}
        rows={props.rows ?? 4}
        onChange={(event) => props.onChange?.(event.target.value)}
        onBlur={props.onBlur}
        readOnly={props.readOnly}
        required={props.required}
        placeholder={props.placeholder}
        spellCheck={props.spellCheck}
        maxLength={props.maxLength}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={ids.describedBy}
      />
    </FieldFrame>
  );
}

export interface SelectOption {
  value: string;
  label: string;
}

export interface SelectFieldProps extends BaseProps {
  value: string;
  onChange: (value: string) => void;
  options: readonly SelectOption[];
  disabled?: boolean;
  required?: boolean;
  /** Shown as a first, empty choice (e.g. "Choose a template"). */
  placeholder?: string;
}

export function SelectField(props: SelectFieldProps) {
  const ids = useFieldIds(props.hint, props.error);
  return (
    <FieldFrame {...props} id={ids.id} hintId={ids.hintId} errorId={ids.errorId}>
      <select
        id={ids.id}
        className="input input--select"
        value={props.value}
        onChange={(event) => props.onChange(event.target.value)}
        disabled={props.disabled}
        required={props.required}
        aria-invalid={props.error ? true : undefined}
        aria-describedby={ids.describedBy}
      >
        {props.placeholder !== undefined ? <option value="">{props.placeholder}</option> : null}
        {props.options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </FieldFrame>
  );
}

export interface CheckboxFieldProps {
  label: string;
  checked: boolean;
  onChange: (checked: boolean) => void;
  hint?: ReactNode;
  error?: string | undefined;
  disabled?: boolean;
}

export function CheckboxField(props: CheckboxFieldProps) {
  const ids = useFieldIds(props.hint, props.error);
  return (
    <div className={`field field--checkbox${props.error ? ' field--invalid' : ''}`}>
      <div className="checkbox">
        <input
          id={ids.id}
          type="checkbox"
          checked={props.checked}
          disabled={props.disabled}
          onChange={(event) => props.onChange(event.target.checked)}
          aria-invalid={props.error ? true : undefined}
          aria-describedby={ids.describedBy}
        />
        <label htmlFor={ids.id}>{props.label}</label>
      </div>
      {props.hint ? (
        <p className="field__hint" id={ids.hintId}>
          {props.hint}
        </p>
      ) : null}
      {props.error ? (
        <p className="field__error" id={ids.errorId}>
          {props.error}
        </p>
      ) : null}
    </div>
  );
}
