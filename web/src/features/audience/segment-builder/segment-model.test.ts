import { describe, expect, it } from 'vitest';
import type { SegmentFilter } from '../../../api/audience.types';
import { fromFilter, isIncomplete, newEvent, newGroup, newPropertyTest, nodePaths, problemsByNode, toFilter, updateNode, type GroupNode } from './segment-model';

const filter: SegmentFilter = {
  type: 'and',
  filters: [
    { type: 'property', name: 'City', op: 'in', value: ['Mumbai', 'Pune'] },
    {
      type: 'or',
      filters: [
        { type: 'property', name: 'Age', op: 'between', from: 18, to: 30 },
        { type: 'property', name: 'Plan', op: 'exists' },
      ],
    },
    { type: 'event', name: 'Charged', atLeast: 2, within: { lastDays: 30 }, where: [{ name: 'Amount', op: 'gte', value: 100 }] },
    { type: 'event', name: 'App Launched', did: false, within: { from: '2030-01-01', to: '2030-01-31' } },
    { type: 'property', name: 'Premium', op: 'eq', value: true },
    { type: 'property', name: 'Signed up', op: 'inLastDays', value: 7 },
  ],
};

describe('segment model', () => {
  it('round-trips every kind of condition through the editable tree', () => {
    expect(toFilter(fromFilter(filter))).toEqual(filter);
  });

  it('wraps a lone condition in a group', () => {
    const lone: SegmentFilter = { type: 'property', name: 'City', op: 'contains', value: 'bai' };
    expect(toFilter(fromFilter(lone))).toEqual({ type: 'and', filters: [lone] });
  });

  it('converts typed values and leaves what is not a number for the server to name', () => {
    const test = { ...newPropertyTest(), name: ' Age ', op: 'gt' as const, valueType: 'number' as const, value: 'ten' };
    expect(toFilter(newGroup('and', [test]))).toEqual({ type: 'and', filters: [{ type: 'property', name: 'Age', op: 'gt', value: 'ten' }] });
    const flag = { ...newPropertyTest(), name: 'Premium', valueType: 'boolean' as const, value: 'false' };
    expect(toFilter(newGroup('and', [flag]))).toEqual({ type: 'and', filters: [{ type: 'property', name: 'Premium', op: 'eq', value: false }] });
  });

  it('knows the path of every node and places server problems on them', () => {
    const root = fromFilter(filter) as GroupNode;
    const paths = nodePaths(root);
    const nested = (root.children[1] as GroupNode).children[0]!;
    const event = root.children[2]!;
    expect(paths.get(root.key)).toBe('');
    expect(paths.get(nested.key)).toBe('filters.1.filters.0');
    const where = event.kind === 'event' ? event.where[0]! : null;
    expect(paths.get(where!.key)).toBe('filters.2.where.0');

    const placed = problemsByNode(
      root,
      [
        { path: 'filter.filters.1.filters.0.to', message: 'must not be before from' },
        { path: 'filter.filters.2.where.0.value', message: 'expected a number' },
        { path: 'filter.filters.2', message: 'bad event' },
        { path: 'filter', message: 'too deep' },
      ],
      'filter',
    );
    expect(placed.get(nested.key)).toEqual(['to: must not be before from']);
    expect(placed.get(where!.key)).toEqual(['value: expected a number']);
    expect(placed.get(event.key)).toEqual(['bad event']);
    expect(placed.get(root.key)).toEqual(['too deep']);
  });

  it('leaves the problems of a save that are not about the filter (the segment name) out of the tree', () => {
    const root = newGroup('and', [newPropertyTest()]);
    const placed = problemsByNode(
      root,
      [
        { path: 'name', message: 'must not be empty' },
        { path: 'filterName', message: 'is not a field' },
        { path: 'filter.filters.0.name', message: 'must not be empty' },
      ],
      'filter',
    );
    expect([...placed.entries()]).toEqual([[root.children[0]!.key, ['name: must not be empty']]]);
  });

  it('waits for names and values before estimating', () => {
    const root = newGroup('and', [newPropertyTest()]);
    expect(isIncomplete(root)).toBe(true);
    const named = updateNode(root, root.children[0]!.key, (node) => ({ ...node, name: 'Plan', op: 'exists' }) as typeof node);
    expect(isIncomplete(named)).toBe(false);
    expect(isIncomplete(newGroup('and', [{ ...newEvent(), name: 'Charged' }]))).toBe(false);
    expect(isIncomplete(newGroup('and', []))).toBe(true);
  });

  it('updates and removes nodes anywhere in the tree', () => {
    const inner = newPropertyTest();
    const root = newGroup('and', [newGroup('or', [inner, newPropertyTest()])]);
    const removed = updateNode(root, inner.key, () => null);
    expect((removed.children[0] as GroupNode).children).toHaveLength(1);
    expect((root.children[0] as GroupNode).children).toHaveLength(2);
  });
});
