import { SelectField } from '../../../components/field';
import { newEvent, newGroup, newPropertyTest, type FilterNode, type GroupNode } from './segment-model';
import { PropertyTestEditor } from './property-test-editor';
import { EventConditionEditor } from './event-condition-editor';
import { NodeProblems } from './node-problems';

/** Groups deeper than this cannot hold another group (the server allows 6 levels in all). */
const MAX_GROUP_DEPTH = 5;

export interface GroupEditorProps {
  group: GroupNode;
  /** "2.1" for the first condition of the second condition's group; '' for the root. */
  number: string;
  depth: number;
  onChange: (group: GroupNode) => void;
  onRemove?: () => void;
  problems: Map<string, string[]>;
}

/** A group of conditions joined by "all of" (and) or "any of" (or); conditions and groups can be added, changed and removed. */
export function GroupEditor({ group, number, depth, onChange, onRemove, problems }: GroupEditorProps) {
  const setChild = (index: number, child: FilterNode | null) => {
    const children = [...group.children];
    if (child) children[index] = child;
    else children.splice(index, 1);
    onChange({ ...group, children });
  };
  const add = (child: FilterNode) => onChange({ ...group, children: [...group.children, child] });
  const label = (index: number) => (number ? `${number}.${index + 1}` : String(index + 1));
  return (
    <div className="group">
      <div className="group__header">
        <SelectField
          label={number ? `Match (group ${number})` : 'Match'}
          value={group.combinator}
          onChange={(value) => onChange({ ...group, combinator: value as 'and' | 'or' })}
          options={[
            { value: 'and', label: 'All of these conditions (and)' },
            { value: 'or', label: 'Any of these conditions (or)' },
          ]}
        />
        {onRemove ? (
          <button type="button" className="btn btn--ghost btn--small btn--danger-text" onClick={onRemove}>
            Remove group {number}
          </button>
        ) : null}
      </div>
      <NodeProblems messages={problems.get(group.key)} />
      {group.children.map((child, index) =>
        child.kind === 'group' ? (
          <fieldset key={child.key} className="condition condition--group">
            <legend className="condition__legend">Condition {label(index)}: group</legend>
            <GroupEditor group={child} number={label(index)} depth={depth + 1} onChange={(next) => setChild(index, next)} onRemove={() => setChild(index, null)} problems={problems} />
          </fieldset>
        ) : (
          <fieldset key={child.key} className="condition">
            <legend className="condition__legend">
              Condition {label(index)}: {child.kind === 'event' ? 'event' : 'profile property'}
            </legend>
            {child.kind === 'event' ? (
              <EventConditionEditor node={child} onChange={(next) => setChild(index, next)} problems={problems} />
            ) : (
              <PropertyTestEditor node={child} onChange={(next) => setChild(index, next)} />
            )}
            <NodeProblems messages={problems.get(child.key)} />
            <div className="actions">
              <button type="button" className="btn btn--ghost btn--small btn--danger-text" onClick={() => setChild(index, null)}>
                Remove condition {label(index)}
              </button>
            </div>
          </fieldset>
        ),
      )}
      <div className="actions">
        <button type="button" className="btn btn--secondary btn--small" onClick={() => add(newPropertyTest())}>
          + Property condition{number ? ` in group ${number}` : ''}
        </button>
        <button type="button" className="btn btn--secondary btn--small" onClick={() => add(newEvent())}>
          + Event condition{number ? ` in group ${number}` : ''}
        </button>
        {depth < MAX_GROUP_DEPTH ? (
          <button type="button" className="btn btn--ghost btn--small" onClick={() => add(newGroup(group.combinator === 'and' ? 'or' : 'and', [newPropertyTest()]))}>
            + Group{number ? ` in group ${number}` : ''}
          </button>
        ) : null}
      </div>
    </div>
  );
}
