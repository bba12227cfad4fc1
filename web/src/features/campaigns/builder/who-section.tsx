import { useId, useState, type ChangeEvent } from 'react';
import { Link } from 'react-router-dom';
import { SelectField, TextAreaField } from '../../../components/field';
import { RadioGroup } from '../../../components/radio-group';
import { Alert } from '../../../components/alert';
import { useSettling } from '../../../components/use-debounced';
import { ApiError } from '../../../api/client';
import { useSegments } from '../../audience/segments.hooks';
import { audienceOf, frequencyCapOf, parseIdentities, type AudienceKind } from './builder-values';
import { AudienceReach } from './audience-reach';
import { BuilderSection } from './builder-section';
import type { SectionProps } from './section-props';

const AUDIENCE_OPTIONS: ReadonlyArray<{ value: AudienceKind; label: string }> = [
  { value: 'all', label: 'All opted-in users' },
  { value: 'segment', label: 'A segment' },
  { value: 'identities', label: 'An uploaded list of identities' },
];

/** Largest identity file read in the browser; larger audiences belong in a segment. */
const MAX_LIST_BYTES = 5 * 1024 * 1024;

function IdentityListInput({ values, set, errors }: SectionProps) {
  const fileId = useId();
  const [fileProblem, setFileProblem] = useState<string | null>(null);
  const list = parseIdentities(values.identitiesText);
  async function readFile(event: ChangeEvent<HTMLInputElement>) {
    const file = event.target.files?.[0];
    setFileProblem(null);
    if (!file) return;
    if (file.size > MAX_LIST_BYTES) {
      setFileProblem(`${file.name} is larger than 5 MB: use a segment for audiences that large.`);
      return;
    }
    set('identitiesText', await file.text());
  }
  return (
    <>
      <div className="field">
        <label htmlFor={fileId} className="field__label">
          Identity list file
        </label>
        <input id={fileId} type="file" accept=".csv,.txt,text/csv,text/plain" className="input input--file" onChange={(event) => void readFile(event)} />
        <p className="field__hint">A text file with one identity per line, or a CSV whose first column is the identity.</p>
        {fileProblem ? <p className="field__error">{fileProblem}</p> : null}
      </div>
      <TextAreaField
        label="Identities"
        value={values.identitiesText}
        onChange={(value) => set('identitiesText', value)}
        rows={6}
        spellCheck={false}
        hint={
          list.identities.length === 0
            ? 'Or paste identities here, one per line.'
            : `${list.identities.length.toLocaleString('en')} ${list.identities.length === 1 ? 'identity' : 'identities'}${list.duplicates > 0 ? ` (${list.duplicates} repeated ${list.duplicates === 1 ? 'line' : 'lines'} counted once)` : ''}.`
        }
        error={errors['audience.identities']}
      />
    </>
  );
}

/** Who: a segment, all opted-in users, or an uploaded list, with the estimated reach shown live. */
export function WhoSection(props: SectionProps) {
  const { values, set, errors } = props;
  const segments = useSegments();
  // The cap is set under Delivery; the reach shows how many it would skip (one request for both).
  const { settled: estimated, settling } = useSettling({ audience: audienceOf(values), frequencyCap: frequencyCapOf(values), providerId: values.providerId }, 300);
  const segmentsMissing = segments.error instanceof ApiError && segments.error.status === 404;
  return (
    <BuilderSection id="who" step={2} title="Who" description="Only profiles that opted in to WhatsApp and are not on do-not-disturb receive the message; the others are counted as skipped.">
      <RadioGroup legend="Audience" value={values.audienceKind} options={AUDIENCE_OPTIONS} onChange={(value) => set('audienceKind', value)} error={errors.audience ?? errors['audience.all']} />
      {values.audienceKind === 'segment' ? (
        segmentsMissing ? (
          <Alert kind="warning">Segments are not available on this server yet: choose all opted-in users or an uploaded list.</Alert>
        ) : (
          <SelectField
            label="Segment"
            value={values.segmentId}
            onChange={(value) => set('segmentId', value)}
            options={(segments.data ?? []).map((segment) => ({ value: segment.id, label: segment.name }))}
            placeholder={segments.isPending ? 'Loading segments…' : 'Choose a segment'}
            hint={
              <>
                Segments are saved filters over profiles and events. <Link to="/audience/segments/new">Build a new segment</Link>.
              </>
            }
            error={errors['audience.segmentId'] ?? (segments.isError ? segments.error.message : undefined)}
          />
        )
      ) : null}
      {values.audienceKind === 'identities' ? <IdentityListInput {...props} /> : null}
      <AudienceReach audience={estimated.audience} frequencyCap={estimated.frequencyCap} providerId={estimated.providerId} settling={settling} />
    </BuilderSection>
  );
}
