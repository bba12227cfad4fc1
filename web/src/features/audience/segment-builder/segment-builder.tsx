import { useMemo, useRef, useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { TextField } from '../../../components/field';
import { Alert } from '../../../components/alert';
import { useSettling } from '../../../components/use-debounced';
import { ApiError } from '../../../api/client';
import type { Segment } from '../../../api/audience.types';
import { useFocusFirstInvalid } from '../../../components/use-focus-first-invalid';
import { useCreateSegment, useFilterEstimate, useUpdateSegment } from '../segments.hooks';
import { fromFilter, isIncomplete, isUnder, newGroup, newPropertyTest, problemsByNode, toFilter, type GroupNode } from './segment-model';
import { GroupEditor } from './group-editor';
import { SegmentReach } from './segment-reach';

/** Property and event conditions combined with and/or, the live reach, and Save. */
export function SegmentBuilder({ segment }: { segment?: Segment }) {
  const formRef = useRef<HTMLFormElement>(null);
  const focusInvalid = useFocusFirstInvalid(formRef);
  const navigate = useNavigate();
  const [name, setName] = useState(segment?.name ?? '');
  const [root, setRoot] = useState<GroupNode>(() => (segment ? (fromFilter(segment.filter) as GroupNode) : newGroup('and', [newPropertyTest()])));
  const create = useCreateSegment();
  const update = useUpdateSegment();
  const save = segment ? update : create;

  const filter = useMemo(() => toFilter(root), [root]);
  const incomplete = isIncomplete(root);
  const { settled, settling } = useSettling(incomplete ? null : filter, 500);
  // The same query the reach panel runs: its 422 names the offending part while the user edits.
  const estimate = useFilterEstimate(settled);
  const estimateProblems = estimate.error instanceof ApiError ? estimate.error.problems : [];
  const saveProblems = save.error instanceof ApiError ? save.error.problems : [];
  const problems = problemsByNode(root, save.isError ? saveProblems : estimateProblems, save.isError ? 'filter' : '');
  const nameError = save.isError ? saveProblems.find((problem) => problem.path === 'name')?.message : undefined;
  // What the save said about neither the name nor the filter has no field to sit next to: it is spelt out at the top.
  const elsewhere = saveProblems.filter((problem) => problem.path !== 'name' && !isUnder(problem.path, 'filter'));
  const summary = save.isError && saveProblems.length === 0 ? save.error.message : null;

  function submit(event: FormEvent) {
    event.preventDefault();
    const input = { name: name.trim(), filter };
    const done = (saved: Segment) => void navigate('/audience/segments', { state: { notice: `Segment ${saved.name} saved.` } });
    if (segment) update.mutate({ id: segment.id, patch: input }, { onSuccess: done, onError: focusInvalid });
    else create.mutate(input, { onSuccess: done, onError: focusInvalid });
  }

  return (
    <form ref={formRef} className="form segment-builder" onSubmit={submit} noValidate>
      {summary ? <Alert>{summary}</Alert> : null}
      {save.isError && saveProblems.length > 0 ? (
        <Alert>
          The segment was not saved:{' '}
          {elsewhere.length > 0
            ? elsewhere.map((problem) => (problem.path ? `${problem.path}: ${problem.message}` : problem.message)).join('; ')
            : 'see the messages next to the name and the conditions.'}
        </Alert>
      ) : null}
      <TextField
        label="Segment name"
        value={name}
        onChange={(value) => {
          if (save.isError) save.reset();
          setName(value);
        }}
        autoComplete="off"
        error={nameError}
      />
      <SegmentReach filter={settled} incomplete={incomplete} settling={settling} />
      <GroupEditor
        group={root}
        number=""
        depth={1}
        onChange={(next) => {
          // The save's verdict is about the filter as it was; the live estimate judges the new one.
          if (save.isError) save.reset();
          setRoot(next);
        }}
        problems={problems}
      />
      <div className="actions">
        <button type="submit" className="btn btn--primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save segment'}
        </button>
      </div>
    </form>
  );
}
