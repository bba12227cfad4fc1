import { SelectField, TextField } from '../../../components/field';
import { newPropertyTest, type EventNode, type EventWindowKind, type PropertyTestNode } from './segment-model';
import { PropertyTestEditor } from './property-test-editor';
import { NodeProblems } from './node-problems';

const WINDOW_OPTIONS: ReadonlyArray<{ value: EventWindowKind; label: string }> = [
  { value: 'any', label: 'At any time' },
  { value: 'lastDays', label: 'In the last N days' },
  { value: 'range', label: 'Between two dates' },
];

/** Did / did not do an event, at least K times, in a window, with filters on the event's properties. */
export function EventConditionEditor({ node, onChange, problems }: { node: EventNode; onChange: (node: EventNode) => void; problems: Map<string, string[]> }) {
  const set = (patch: Partial<EventNode>) => onChange({ ...node, ...patch });
  const setTest = (index: number, test: PropertyTestNode | null) => {
    const where = [...node.where];
    if (test) where[index] = test;
    else where.splice(index, 1);
    set({ where });
  };
  return (
    <div className="stack">
      <div className="condition-row">
        <SelectField
          label="Did or did not"
          value={node.did ? 'did' : 'didNot'}
          onChange={(value) => set({ did: value === 'did' })}
          options={[
            { value: 'did', label: 'Did' },
            { value: 'didNot', label: 'Did not do' },
          ]}
        />
        <TextField label="Event name" value={node.name} onChange={(name) => set({ name })} autoComplete="off" spellCheck={false} placeholder="Charged" />
        <TextField
          label="At least (times)"
          type="number"
          min={1}
          value={node.atLeast}
          onChange={(atLeast) => set({ atLeast })}
          hint={node.did ? undefined : 'Did not do: fewer times than this.'}
        />
        <SelectField label="When" value={node.window} onChange={(value) => set({ window: value as EventWindowKind })} options={WINDOW_OPTIONS} />
        {node.window === 'lastDays' ? <TextField label="Last N days" type="number" min={1} value={node.lastDays} onChange={(lastDays) => set({ lastDays })} /> : null}
        {node.window === 'range' ? (
          <>
            <TextField label="From date" value={node.from} onChange={(from) => set({ from })} placeholder="2030-01-01" autoComplete="off" hint="From the start of that day, in UTC." />
            <TextField label="To date" value={node.to} onChange={(to) => set({ to })} placeholder="2030-01-31" autoComplete="off" hint="To the end of that day, in UTC." />
          </>
        ) : null}
      </div>
      {node.where.map((test, index) => (
        <fieldset key={test.key} className="condition condition--nested">
          <legend className="condition__legend">Event property filter {index + 1}</legend>
          <PropertyTestEditor node={test} onChange={(next) => setTest(index, next)} />
          <NodeProblems messages={problems.get(test.key)} />
          <div className="actions">
            <button type="button" className="btn btn--ghost btn--small btn--danger-text" onClick={() => setTest(index, null)}>
              Remove event property filter {index + 1}
            </button>
          </div>
        </fieldset>
      ))}
      <div className="actions">
        <button type="button" className="btn btn--ghost btn--small" onClick={() => set({ where: [...node.where, newPropertyTest()] })}>
          + Event property filter
        </button>
      </div>
    </div>
  );
}
