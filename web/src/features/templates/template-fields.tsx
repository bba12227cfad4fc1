import { useState } from 'react';
import { SelectField, TextField } from '../../components/field';
import { useTemplates } from './templates.hooks';

/** Which of an account's templates is chosen and the values typed for its placeholders. */
export function useTemplateChoice(providerId: string) {
  const templates = useTemplates();
  const [templateId, setTemplateId] = useState('');
  const [params, setParams] = useState<string[]>([]);
  const mine = (templates.data ?? []).filter((template) => template.providerId === providerId);
  const template = mine.find((candidate) => candidate.id === templateId);
  const count = template?.placeholderCount ?? 0;
  return {
    templates,
    mine,
    templateId,
    template,
    params,
    /** Error paths the server may name for these fields. */
    paths: ['templateId', 'params', ...Array.from({ length: count }, (_, index) => `params.${index}`)],
    /** One value per placeholder of the chosen template (empty where nothing was typed). */
    values: () => Array.from({ length: count }, (_, index) => params[index] ?? ''),
    choose: (id: string) => {
      setTemplateId(id);
      setParams([]);
    },
    setParam: (index: number, value: string) =>
      setParams((current) => {
        const next = [...current];
        next[index] = value;
        return next;
      }),
    clearParams: () => setParams([]),
  };
}

export type TemplateChoice = ReturnType<typeof useTemplateChoice>;

/** The same choice, calling `onEdit` before each change (a form drops the server's verdict on values the user is fixing). */
export function withEdits(choice: TemplateChoice, onEdit: () => void): TemplateChoice {
  return {
    ...choice,
    choose: (id) => {
      onEdit();
      choice.choose(id);
    },
    setParam: (index, value) => {
      onEdit();
      choice.setParam(index, value);
    },
  };
}

/** The template picker, its body as a preview, and one field per placeholder (values sent as typed: an Inbox reply, a test message). */
export function TemplateFields({ label, choice, errors }: { label: string; choice: TemplateChoice; errors: Record<string, string> }) {
  return (
    <>
      <SelectField
        label={label}
        value={choice.templateId}
        onChange={choice.choose}
        options={choice.mine.map((candidate) => ({ value: candidate.id, label: candidate.namespace }))}
        placeholder="Choose a template"
        error={errors.templateId}
      />
      {choice.template ? <p className="template-preview">{choice.template.body}</p> : null}
      {choice.values().map((value, index) => (
        <TextField
          key={`${choice.templateId}-${index}`}
          label={`Value for {{${index + 1}}}`}
          // Unlike a campaign's values, these are not Liquid: the server refuses {{ … }} here.
          hint="Sent exactly as typed."
          value={value}
          onChange={(next) => choice.setParam(index, next)}
          error={errors[`params.${index}`]}
        />
      ))}
      {errors.params ? <p className="field__error">{errors.params}</p> : null}
    </>
  );
}
