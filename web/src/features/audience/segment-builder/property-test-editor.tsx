import { SelectField, TextField } from '../../../components/field';
import type { PropertyOp } from '../../../api/audience.types';
import { OP_LABELS, opsFor, type PropertyTestNode, type ValueType } from './segment-model';

const TYPE_OPTIONS: ReadonlyArray<{ value: ValueType; label: string }> = [
  { value: 'text', label: 'Text' },
  { value: 'number', label: 'Number' },
  { value: 'boolean', label: 'True / false' },
  { value: 'date', label: 'Date' },
];

function valueHint(node: PropertyTestNode): string | undefined {
  if (node.op === 'in' || node.op === 'notIn') return 'Separate values with commas.';
  if (node.valueType === 'date' && node.op !== 'inLastDays') return 'A date such as 2030-01-31, a day in UTC (or a date-time, with its offset).';
  return undefined;
}

/** Name, type, operator and value(s) of one property test (on the profile, or on an event's properties). */
export function PropertyTestEditor({ node, onChange }: { node: PropertyTestNode; onChange: (node: PropertyTestNode) => void }) {
  const set = (patch: Partial<PropertyTestNode>) => onChange({ ...node, ...patch });
  const ops = opsFor(node.valueType);
  const inputType = node.valueType === 'number' || node.op === 'inLastDays' ? 'number' : 'text';
  const hasValue = node.op !== 'exists' && node.op !== 'notExists';
  return (
    <div className="condition-row">
      <TextField label="Property name" value={node.name} onChange={(name) => set({ name })} autoComplete="off" spellCheck={false} placeholder="City" />
      <SelectField
        label="Value type"
        value={node.valueType}
        onChange={(value) => {
          const valueType = value as ValueType;
          set({ valueType, op: opsFor(valueType).includes(node.op) ? node.op : opsFor(valueType)[0]!, value: valueType === 'boolean' ? 'true' : node.value });
        }}
        options={TYPE_OPTIONS}
      />
      <SelectField label="Operator" value={node.op} onChange={(op) => set({ op: op as PropertyOp })} options={ops.map((op) => ({ value: op, label: OP_LABELS[op] }))} />
      {hasValue ? (
        node.valueType === 'boolean' && (node.op === 'eq' || node.op === 'ne') ? (
          <SelectField
            label="Value"
            value={node.value}
            onChange={(value) => set({ value })}
            options={[
              { value: 'true', label: 'true' },
              { value: 'false', label: 'false' },
            ]}
          />
        ) : (
          <TextField
            label={node.op === 'between' ? 'From' : node.op === 'inLastDays' ? 'Days' : 'Value'}
            type={inputType}
            value={node.value}
            onChange={(value) => set({ value })}
            autoComplete="off"
            spellCheck={false}
            hint={valueHint(node)}
          />
        )
      ) : null}
      {node.op === 'between' ? <TextField label="To" type={inputType} value={node.to} onChange={(to) => set({ to })} autoComplete="off" spellCheck={false} /> : null}
    </div>
  );
}
