import { useId, useMemo } from 'react';
import { CheckboxField, SelectField, TextField } from '../../../components/field';
import { RadioGroup } from '../../../components/radio-group';
import { browserTimeZone, type DndAction } from './builder-values';
import { BuilderSection } from './builder-section';
import type { SectionProps } from './section-props';

const DND_ACTIONS: ReadonlyArray<{ value: DndAction; label: string }> = [
  { value: 'delay', label: 'Delay: send when the DND hours end' },
  { value: 'discard', label: 'Discard: do not send messages that fall in the DND hours' },
];

function timeZones(): string[] {
  const intl = Intl as typeof Intl & { supportedValuesOf?: (key: string) => string[] };
  return intl.supportedValuesOf ? intl.supportedValuesOf('timeZone') : [browserTimeZone()];
}

/** When: now or at a date/time; optional DND hours (delay or discard) and an optional cut-off. */
export function WhenSection({ values, set, errors }: SectionProps) {
  const zone = browserTimeZone();
  return (
    <BuilderSection id="when" step={4} title="When">
      <RadioGroup
        legend="Send"
        inline
        value={values.when}
        options={[
          { value: 'now', label: 'Now' },
          { value: 'later', label: 'At a date and time' },
        ]}
        onChange={(value) => set('when', value)}
      />
      {values.when === 'later' ? (
        <TextField label="Send at" type="datetime-local" value={values.sendAt} onChange={(value) => set('sendAt', value)} hint={`Your time zone: ${zone}.`} error={errors.sendAt} />
      ) : (
        errors.sendAt ? <p className="field__error">{errors.sendAt}</p> : null
      )}
      <DndFields values={values} set={set} errors={errors} />
      <CutoffFields values={values} set={set} errors={errors} />
    </BuilderSection>
  );
}

/** Do-not-disturb hours: the checkbox and, when on, the daily window, its time zone and the action. */
export function DndFields({ values, set, errors }: SectionProps) {
  const zonesId = useId();
  const zones = useMemo(timeZones, []);
  return (
    <>
      <CheckboxField
        label="Do not disturb hours"
        checked={values.dndEnabled}
        onChange={(checked) => set('dndEnabled', checked)}
        hint="A daily window in which nothing is sent, e.g. 21:00 to 09:00 in the recipients' time zone."
        error={errors.dnd}
      />
      {values.dndEnabled ? (
        <div className="field-row">
          <TextField label="DND from" type="time" value={values.dndFrom} onChange={(value) => set('dndFrom', value)} error={errors['dnd.from']} />
          <TextField label="DND to" type="time" value={values.dndTo} onChange={(value) => set('dndTo', value)} error={errors['dnd.to']} />
          <TextField
            label="DND time zone"
            value={values.dndTimezone}
            onChange={(value) => set('dndTimezone', value)}
            list={zonesId}
            autoComplete="off"
            spellCheck={false}
            hint="An IANA time zone, e.g. Asia/Kolkata."
            error={errors['dnd.timezone']}
          />
          <datalist id={zonesId}>
            {zones.map((name) => (
              <option key={name} value={name} />
            ))}
          </datalist>
          <SelectField label="During DND hours" value={values.dndAction} onChange={(value) => set('dndAction', value as DndAction)} options={DND_ACTIONS} error={errors['dnd.action']} />
        </div>
      ) : null}
    </>
  );
}

/** The optional cut-off: the checkbox and, when on, the time after which nothing more is sent. */
export function CutoffFields({ values, set, errors }: SectionProps) {
  const zone = browserTimeZone();
  return (
    <>
      <CheckboxField label="Stop sending at a cut-off time" checked={values.cutoffEnabled} onChange={(checked) => set('cutoffEnabled', checked)} hint="Messages not sent by then are cancelled." />
      {values.cutoffEnabled ? (
        <TextField label="Cut-off at" type="datetime-local" value={values.cutoffAt} onChange={(value) => set('cutoffAt', value)} hint={`Your time zone: ${zone}.`} error={errors.cutoffAt} />
      ) : null}
    </>
  );
}
