import { useRef, useState, type FormEvent } from 'react';
import { PageHeader } from '../../components/page';
import { TextAreaField } from '../../components/field';
import { Alert } from '../../components/alert';
import { QueryState } from '../../components/query-state';
import { useFocusFirstInvalid } from '../../components/use-focus-first-invalid';
import { UnsavedChangesGuard } from '../../components/unsaved-changes-guard';
import { noFormErrors, withoutEditedPaths } from '../../api/form-errors';
import type { KeywordSettings } from '../../api/types';
import {
  confirmationSent,
  hasUnsavedChanges,
  keywordFormErrors,
  keywordValuesFrom,
  MAX_KEYWORD_LENGTH,
  MAX_KEYWORDS,
  MAX_REPLY_LENGTH,
  OTHER_RULE,
  parseKeywords,
  RULES,
  toKeywordBody,
  type KeywordFormValues,
  type RuleName,
  type RuleValues,
} from './keyword-fields';
import { useKeywordSettings, useUpdateKeywordSettings } from './keywords.hooks';
import { useSession } from '../auth/session-context';

/** Settings → Keywords: the replies that opt a phone out of campaigns or back in (PRODUCT §1.5). */
export function KeywordsPage() {
  const settings = useKeywordSettings();
  const { currentProjectId } = useSession();
  return (
    <>
      <PageHeader
        title="Keywords"
        description="Replies that unsubscribe a phone from campaigns, or subscribe it again. An opt-out blocks every profile with that phone number."
      />
      <QueryState query={settings} loading="Loading keywords">
        {(data) => (
          // Keyed by project: after a project switch the form starts from that project's settings, not
          // from what was typed (and never saved) for the previous one.
          <KeywordsForm key={currentProjectId ?? ''} settings={data} />
        )}
      </QueryState>
    </>
  );
}

// Wording that differs between the two rules; everything else is shared.
const RULE_TEXT: Record<RuleName, { legend: string; does: string; example: string; sentWhen: string }> = {
  optOut: {
    legend: 'Opt-out',
    does: 'unsubscribes the phone',
    example: '“stop” and “ Stop ” match STOP; “please stop” does not',
    sentWhen: 'unsubscribes a phone (not again when it already was)',
  },
  optIn: {
    legend: 'Opt-in',
    does: 'subscribes the phone again',
    example: '“start” and “ Start ” match START; “start again” does not',
    sentWhen: 'subscribes an unsubscribed phone again',
  },
};

/**
 * The default confirmation names the other rule's first keyword when it is sent, so the text in
 * the box (START / STOP) is not what people get once those keywords changed: say what they get.
 */
function SentAs({ values, rule }: { values: KeywordFormValues; rule: RuleName }) {
  const sent = confirmationSent(values, rule);
  if (sent === values[rule].reply.trim()) return null;
  const other = RULE_TEXT[OTHER_RULE[rule]].legend.toLowerCase();
  const why = parseKeywords(values[OTHER_RULE[rule]].keywords).length > 0 ? `names your first ${other} keyword` : `offers no keyword while ${other} is off`;
  return (
    <>
      {' '}
      Sent as “{sent}”: the default text {why}.
    </>
  );
}

function KeywordsForm({ settings }: { settings: KeywordSettings }) {
  const formRef = useRef<HTMLFormElement>(null);
  const focusFirstInvalid = useFocusFirstInvalid(formRef);
  // Read once: a background refetch must not overwrite what is being typed. After a save the
  // form shows what the server stored (upper case, duplicates gone).
  const [values, setValues] = useState<KeywordFormValues>(() => keywordValuesFrom(settings));
  // What the server holds, as last loaded or saved: the form has unsaved changes while it differs.
  const [stored, setStored] = useState<KeywordFormValues>(() => keywordValuesFrom(settings));
  const [saved, setSaved] = useState(false);
  const update = useUpdateKeywordSettings();
  // Fields changed since the last save: the server's messages about them are retired.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  const errors = update.isError ? withoutEditedPaths(keywordFormErrors(update.error, update.variables), edited) : noFormErrors;
  const unsaved = hasUnsavedChanges(values, stored);

  function set(rule: RuleName, field: keyof RuleValues, value: string) {
    setValues((current) => ({ ...current, [rule]: { ...current[rule], [field]: value } }));
    setEdited((current) => new Set(current).add(`${rule}.${field}`));
    setSaved(false);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setEdited(new Set());
    update.mutate(toKeywordBody(values), {
      onSuccess: (settings) => {
        setValues(keywordValuesFrom(settings));
        setStored(keywordValuesFrom(settings));
        setSaved(true);
      },
      onError: focusFirstInvalid,
    });
  }

  return (
    <form ref={formRef} className="form" onSubmit={submit} noValidate>
      <UnsavedChangesGuard when={unsaved} what="your changes to the keywords" />
      {errors.summary ? <Alert>{errors.summary}</Alert> : null}
      {RULES.map((rule) => (
        <fieldset key={rule} className="fieldset">
          <legend className="fieldset__legend">{RULE_TEXT[rule].legend}</legend>
          <TextAreaField
            label={`${RULE_TEXT[rule].legend} keywords`}
            value={values[rule].keywords}
            onChange={(value) => set(rule, 'keywords', value)}
            rows={4}
            spellCheck={false}
            hint={
              <>
                One per line. A message {RULE_TEXT[rule].does} when the whole message, trimmed, equals a keyword — upper or lower
                case alike, runs of spaces counted as one: {RULE_TEXT[rule].example}. Saved in capitals; at most {MAX_KEYWORDS}{' '}
                keywords of {MAX_KEYWORD_LENGTH} characters. Leave empty to turn {RULE_TEXT[rule].legend.toLowerCase()} off.
              </>
            }
            error={errors.fields[`${rule}.keywords`]}
          />
          {rule === 'optOut' && parseKeywords(values.optOut.keywords).length === 0 ? (
            <Alert kind="warning">With no opt-out keywords, nobody can unsubscribe by replying.</Alert>
          ) : null}
          <TextAreaField
            label={`${RULE_TEXT[rule].legend} confirmation`}
            value={values[rule].reply}
            onChange={(value) => set(rule, 'reply', value)}
            rows={3}
            hint={
              <>
                Sent when a keyword {RULE_TEXT[rule].sentWhen}, as a session message within 24 hours of the keyword. Leave empty
                to send none; at most {MAX_REPLY_LENGTH} characters.
                <SentAs values={values} rule={rule} />
              </>
            }
            error={errors.fields[`${rule}.reply`]}
          />
        </fieldset>
      ))}
      {saved ? <Alert kind="success">Saved.</Alert> : null}
      <div className="actions">
        {unsaved ? (
          <span className="actions__note" role="status">
            Unsaved changes
          </span>
        ) : null}
        <button type="submit" className="btn btn--primary" disabled={update.isPending}>
          {update.isPending ? 'Saving…' : 'Save'}
        </button>
      </div>
    </form>
  );
}
