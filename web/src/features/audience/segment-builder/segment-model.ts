/**
 * The segment builder's editable tree and its translation to the API's filter JSON (and back).
 * Groups map one to one onto `{"type":"and"|"or","filters":[…]}`, so every node knows its path
 * in the filter (`filters.1.where.0`): a 422 from the server (`filters.1.where.0.value`) is shown
 * on the condition it names.
 */
import type { Bound, EventCondition, PropertyOp, PropertyTest, Scalar, SegmentFilter } from '../../../api/audience.types';

export type ValueType = 'text' | 'number' | 'boolean' | 'date';

export interface PropertyTestNode {
  key: string;
  kind: 'property';
  name: string;
  op: PropertyOp;
  valueType: ValueType;
  /** The value as typed; `in`/`notIn` take a comma-separated list. */
  value: string;
  /** Upper bound of `between`. */
  to: string;
}

export type EventWindowKind = 'any' | 'lastDays' | 'range';

export interface EventNode {
  key: string;
  kind: 'event';
  name: string;
  did: boolean;
  atLeast: string;
  window: EventWindowKind;
  lastDays: string;
  from: string;
  to: string;
  where: PropertyTestNode[];
}

export interface GroupNode {
  key: string;
  kind: 'group';
  combinator: 'and' | 'or';
  children: FilterNode[];
}

export type FilterNode = GroupNode | PropertyTestNode | EventNode;

export const OP_LABELS: Record<PropertyOp, string> = {
  eq: 'equals',
  ne: 'does not equal',
  in: 'is one of',
  notIn: 'is none of',
  contains: 'contains',
  notContains: 'does not contain',
  exists: 'exists',
  notExists: 'does not exist',
  gt: 'is greater than',
  gte: 'is at least',
  lt: 'is less than',
  lte: 'is at most',
  between: 'is between',
  inLastDays: 'is in the last N days',
};

/** The operators that make sense for a value type. */
export function opsFor(type: ValueType): PropertyOp[] {
  switch (type) {
    case 'text':
      return ['eq', 'ne', 'in', 'notIn', 'contains', 'notContains', 'exists', 'notExists'];
    case 'number':
      return ['eq', 'ne', 'in', 'notIn', 'gt', 'gte', 'lt', 'lte', 'between', 'exists', 'notExists'];
    case 'boolean':
      return ['eq', 'ne', 'exists', 'notExists'];
    case 'date':
      return ['gt', 'gte', 'lt', 'lte', 'between', 'inLastDays', 'exists', 'notExists'];
  }
}

let counter = 0;
const nextKey = () => `n${++counter}`;

export function newPropertyTest(): PropertyTestNode {
  return { key: nextKey(), kind: 'property', name: '', op: 'eq', valueType: 'text', value: '', to: '' };
}

export function newEvent(): EventNode {
  return { key: nextKey(), kind: 'event', name: '', did: true, atLeast: '1', window: 'any', lastDays: '30', from: '', to: '', where: [] };
}

export function newGroup(combinator: 'and' | 'or' = 'and', children: FilterNode[] = []): GroupNode {
  return { key: nextKey(), kind: 'group', combinator, children };
}

function scalar(text: string, type: ValueType): Scalar {
  const value = text.trim();
  if (type === 'number') return value === '' || Number.isNaN(Number(value)) ? value : Number(value);
  if (type === 'boolean') return value === 'true' ? true : value === 'false' ? false : value;
  return value;
}

function bound(text: string, type: ValueType): Bound {
  const value = text.trim();
  return type === 'number' && value !== '' && !Number.isNaN(Number(value)) ? Number(value) : value;
}

function listOf(text: string, type: ValueType): Scalar[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => scalar(item, type));
}

/** One property test as the API takes it (the value converted to its type; what cannot be converted is sent as typed, for the server to name). */
export function toPropertyTest(node: PropertyTestNode): PropertyTest {
  const name = node.name.trim();
  switch (node.op) {
    case 'exists':
    case 'notExists':
      return { name, op: node.op };
    case 'in':
    case 'notIn':
      return { name, op: node.op, value: listOf(node.value, node.valueType) };
    case 'contains':
    case 'notContains':
      return { name, op: node.op, value: node.value };
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { name, op: node.op, value: bound(node.value, node.valueType) };
    case 'between':
      return { name, op: 'between', from: bound(node.value, node.valueType), to: bound(node.to, node.valueType) };
    case 'inLastDays':
      return { name, op: 'inLastDays', value: Number(node.value.trim()) };
    default:
      return { name, op: node.op, value: scalar(node.value, node.valueType) };
  }
}

function toEvent(node: EventNode): EventCondition {
  const event: EventCondition = { type: 'event', name: node.name.trim() };
  if (!node.did) event.did = false;
  const atLeast = node.atLeast.trim();
  if (atLeast !== '' && atLeast !== '1') event.atLeast = Number(atLeast);
  if (node.window === 'lastDays') event.within = { lastDays: Number(node.lastDays.trim()) };
  if (node.window === 'range') event.within = { from: node.from, to: node.to };
  if (node.where.length > 0) event.where = node.where.map(toPropertyTest);
  return event;
}

export function toFilter(node: FilterNode): SegmentFilter {
  if (node.kind === 'group') return { type: node.combinator, filters: node.children.map(toFilter) };
  if (node.kind === 'event') return toEvent(node);
  return { type: 'property', ...toPropertyTest(node) } as SegmentFilter;
}

function typeOf(value: unknown): ValueType {
  if (typeof value === 'number') return 'number';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) return 'date';
  return 'text';
}

function fromPropertyTest(test: PropertyTest): PropertyTestNode {
  const node = newPropertyTest();
  node.name = test.name;
  node.op = test.op;
  if (test.op === 'between') {
    node.valueType = typeOf(test.from);
    node.value = String(test.from);
    node.to = String(test.to);
  } else if (test.op === 'inLastDays') {
    node.valueType = 'date';
    node.value = String(test.value);
  } else if (test.op === 'in' || test.op === 'notIn') {
    node.valueType = typeOf(test.value[0]);
    node.value = test.value.map(String).join(', ');
  } else if ('value' in test) {
    node.valueType = typeOf(test.value);
    node.value = String(test.value);
  }
  return node;
}

/** The editable tree of a saved filter; the root is always a group. */
export function fromFilter(filter: SegmentFilter, root = true): FilterNode {
  if (filter.type === 'and' || filter.type === 'or') return newGroup(filter.type, filter.filters.map((child) => fromFilter(child, false)));
  let node: FilterNode;
  if (filter.type === 'event') {
    const event = newEvent();
    event.name = filter.name;
    event.did = filter.did !== false;
    event.atLeast = String(filter.atLeast ?? 1);
    if (filter.within && 'lastDays' in filter.within) {
      event.window = 'lastDays';
      event.lastDays = String(filter.within.lastDays);
    } else if (filter.within) {
      event.window = 'range';
      event.from = filter.within.from;
      event.to = filter.within.to;
    }
    event.where = (filter.where ?? []).map(fromPropertyTest);
    node = event;
  } else {
    const { type: _type, ...test } = filter;
    node = fromPropertyTest(test as PropertyTest);
  }
  return root ? newGroup('and', [node]) : node;
}

/** Paths of every node in the filter (`''` for the root group, `filters.0`, `filters.1.where.0`…). */
export function nodePaths(root: FilterNode): Map<string, string> {
  const paths = new Map<string, string>();
  const walk = (node: FilterNode, path: string) => {
    paths.set(node.key, path);
    if (node.kind === 'group') node.children.forEach((child, index) => walk(child, path ? `${path}.filters.${index}` : `filters.${index}`));
    if (node.kind === 'event') node.where.forEach((test, index) => paths.set(test.key, `${path}.where.${index}`));
  };
  walk(root, '');
  return paths;
}

/**
 * Places server problems on the nodes they name: the node with the longest path that the
 * problem's path starts with gets "field: message" (or just the message for the node itself).
 * With a `prefix` (`filter` in a segment save), only the problems under it are about the tree:
 * the prefix is stripped, and the others (the segment's `name`) are left to their own fields.
 * Problems about the whole filter go to `''` (the root group).
 */
export function problemsByNode(root: FilterNode, problems: ReadonlyArray<{ path: string; message: string }>, prefix = ''): Map<string, string[]> {
  const byPath = [...nodePaths(root).entries()].sort((a, b) => b[1].length - a[1].length);
  const result = new Map<string, string[]>();
  for (const problem of problems) {
    let path = problem.path;
    if (prefix) {
      if (!isUnder(path, prefix)) continue;
      path = path.slice(prefix.length).replace(/^\./, '');
    }
    const match = byPath.find(([, nodePath]) => nodePath === '' || path === nodePath || path.startsWith(`${nodePath}.`));
    if (!match) continue;
    const rest = match[1] === '' ? path : path.slice(match[1].length).replace(/^\./, '');
    const text = rest ? `${rest}: ${problem.message}` : problem.message;
    result.set(match[0], [...(result.get(match[0]) ?? []), text]);
  }
  return result;
}

/** Whether `path` is `prefix` itself or a path inside it (`filter`, `filter.filters.0`; not `filterX`). */
export function isUnder(path: string, prefix: string): boolean {
  return path === prefix || path.startsWith(`${prefix}.`);
}

/** Conditions not filled in yet (no property or event name): nothing to estimate until they are. */
export function isIncomplete(node: FilterNode): boolean {
  if (node.kind === 'group') return node.children.length === 0 || node.children.some(isIncomplete);
  if (node.kind === 'event') return node.name.trim() === '' || node.where.some(isIncomplete);
  return node.name.trim() === '' || (node.op !== 'exists' && node.op !== 'notExists' && node.value.trim() === '');
}

/** Replaces the node with `key` (anywhere in the tree) by `update(node)`; `null` removes it. */
export function updateNode(root: GroupNode, key: string, update: (node: FilterNode) => FilterNode | null): GroupNode {
  const visit = (node: FilterNode): FilterNode | null => {
    if (node.key === key) return update(node);
    if (node.kind === 'group') {
      return { ...node, children: node.children.map(visit).filter((child): child is FilterNode => child !== null) };
    }
    if (node.kind === 'event') {
      return { ...node, where: node.where.map(visit).filter((child): child is PropertyTestNode => child !== null && child.kind === 'property') };
    }
    return node;
  };
  return visit(root) as GroupNode;
}
