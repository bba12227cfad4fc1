/** A set of radio buttons in a `<fieldset>` whose `<legend>` names the choice; each option has its own `<label for>`. */
import { useId, type ReactNode } from 'react';

export interface RadioOption<T extends string> {
  value: T;
  label: string;
  hint?: ReactNode;
}

export interface RadioGroupProps<T extends string> {
  legend: string;
  value: T;
  options: ReadonlyArray<RadioOption<T>>;
  onChange: (value: T) => void;
  error?: string | undefined;
  inline?: boolean;
}

export function RadioGroup<T extends string>({ legend, value, options, onChange, error, inline }: RadioGroupProps<T>) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <fieldset className={`radio-group${inline ? ' radio-group--inline' : ''}${error ? ' field--invalid' : ''}`} aria-describedby={error ? errorId : undefined}>
      <legend className="field__label">{legend}</legend>
      {options.map((option) => (
        <div className="radio" key={option.value}>
          <input
            id={`${id}-${option.value}`}
            type="radio"
            name={id}
            value={option.value}
            checked={value === option.value}
            onChange={() => onChange(option.value)}
            aria-describedby={option.hint ? `${id}-${option.value}-hint` : undefined}
          />
          <label htmlFor={`${id}-${option.value}`}>{option.label}</label>
          {option.hint ? (
            <span className="radio__hint" id={`${id}-${option.value}-hint`}>
              {option.hint}
            </span>
          ) : null}
        </div>
      ))}
      {error ? (
        <p className="field__error" id={errorId}>
          {error}
        </p>
      ) : null}
    </fieldset>
  );
}
