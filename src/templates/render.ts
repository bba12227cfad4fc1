/**
 * Personalisation: each template placeholder gets a Liquid expression over the profile, e.g.
 * `{{ Profile.Name | default: "there" }}`. Strict about undefined values: a missing property is a
 * render error (the recipient is skipped as "missing placeholder value") unless the expression
 * handles it with `default` or an `if`. Expressions are parsed once per campaign.
 */
import { Liquid, type FS, type Template } from 'liquidjs';
import type { FieldProblem } from '../errors.js';

/** The tags that read files (relative to the working directory by default). */
const FILE_TAGS = ['include', 'render', 'layout'] as const;

/**
 * A Liquid engine for values written by project users (placeholder values, media URLs). Its
 * include, render and layout tags are refused when parsed: Liquid would read any file under the
 * server's working directory, where `data/secret.key` (the master key) and the SQLite database
 * live by default, and a preview answers with what was rendered. It has no file system at all,
 * in case a future tag reads one. Each render is limited in time and memory.
 */
export function newProfileLiquid(): Liquid {
  const engine = new Liquid({
    strictVariables: true,
    lenientIf: true,
    strictFilters: true,
    ownPropertyOnly: true,
    root: [],
    partials: [],
    layouts: [],
    fs: NO_FILES,
    // Rendering is synchronous, on the thread that answers every project's requests: a value
    // renders in microseconds, and these stop a loop or a string doubling in a second at most
    // (a billion loop turns or a 100,000,000-item range would otherwise block it for minutes).
    renderLimit: 1000,
    memoryLimit: 1_000_000,
  });
  for (const name of FILE_TAGS) {
    engine.registerTag(name, {
      parse() {
        throw new Error(`the ${name} tag is not available: values are built from the profile only`);
      },
      render() {
        return '';
      },
    });
  }
  return engine;
}

const noFile = (file: string) => new Error(`no file access in placeholder values (${file})`);
const NO_FILES: FS = {
  exists: () => Promise.resolve(false),
  existsSync: () => false,
  readFile: (file) => Promise.reject(noFile(file)),
  readFileSync: (file) => {
    throw noFile(file);
  },
  resolve: (_root, file) => file,
  contains: () => Promise.resolve(false),
  containsSync: () => false,
  sep: '/',
  dirname: () => '',
};

const liquid = newProfileLiquid();

export interface RenderProfile {
  identity: string;
  phone: string | null;
  properties: Record<string, unknown>;
}

/**
 * How one value is rendered. Most values are a fixed text or one profile property
 * (`{{ Profile.Name }}`): those skip Liquid when the property is a string, which is what Liquid
 * would output for it — publish renders every value of every recipient, and Liquid (with the
 * scope object built for it) was ~6 % of the sending process's main thread. Anything else, and a
 * property that is missing or not a string, goes through Liquid, errors included.
 */
type ValuePlan = { kind: 'text'; text: string } | { kind: 'property'; key: string } | { kind: 'liquid' };

export interface CompiledParams {
  templates: Template[][];
  plans: ValuePlan[];
}

const SIMPLE_PROPERTY = /^\{\{ *Profile\.([A-Za-z_][A-Za-z0-9_]*) *\}\}$/;

function planOf(param: string): ValuePlan {
  if (!param.includes('{')) return { kind: 'text', text: param };
  const property = SIMPLE_PROPERTY.exec(param);
  return property ? { kind: 'property', key: property[1]! } : { kind: 'liquid' };
}

/**
 * How a message names the value of the placeholder at `index` (from 0) for people: `{{3}}`, as
 * the dashboard's field "Value for {{3}}" does, not the API path `params.2`.
 */
export function placeholderName(index: number): string {
  return `{{${index + 1}}}`;
}

/** A value that is not valid Liquid: its index (from 0) and why. */
export interface InvalidParam {
  index: number;
  message: string;
}

/**
 * Parses every expression. On failure, `problems` name each value by its API path (`params.2`)
 * for a 422, and `invalid` holds the same by index, for texts that name it as people see it.
 */
export function compileParams(
  params: readonly string[],
): { ok: true; compiled: CompiledParams } | { ok: false; problems: FieldProblem[]; invalid: InvalidParam[] } {
  const invalid: InvalidParam[] = [];
  const templates: Template[][] = [];
  params.forEach((param, index) => {
    try {
      templates.push(liquid.parse(param));
    } catch (error) {
      invalid.push({ index, message: `is not valid Liquid: ${(error as Error).message.split(', line')[0]}` });
    }
  });
  if (invalid.length === 0) return { ok: true, compiled: { templates, plans: params.map(planOf) } };
  return { ok: false, problems: invalid.map(({ index, message }) => ({ path: `params.${index}`, message })), invalid };
}

/** Why `source` is not valid Liquid for a value (a media URL with placeholders), or null. */
export function liquidProblem(source: string): string | null {
  try {
    liquid.parse(source);
    return null;
  } catch (error) {
    return `is not valid Liquid: ${(error as Error).message.split(', line')[0]}`;
  }
}

/** `Profile.<key>` as profileScope exposes it, without building the scope. */
function profileValue(profile: RenderProfile, key: string): unknown {
  if (key === 'identity' || key === 'Identity') return profile.identity;
  if (key === 'Phone' && profile.phone) return profile.phone;
  return Object.hasOwn(profile.properties, key) ? profile.properties[key] : undefined;
}

/**
 * WhatsApp refuses template parameters with new lines, tabs or more than four consecutive spaces
 * (Meta error 132018); such characters are folded into single spaces instead of failing the send.
 */
export function cleanParameter(value: string): string {
  return value.replace(/[\r\n\t]+/g, ' ').replace(/ {5,}/g, '    ').trim();
}

export type RenderResult = { ok: true; values: string[] } | { ok: false; index: number; reason: string };

export function profileScope(profile: RenderProfile): Record<string, unknown> {
  return { Profile: { ...profile.properties, identity: profile.identity, Identity: profile.identity, ...(profile.phone ? { Phone: profile.phone } : {}) } };
}

/**
 * The time all the values of one recipient may take to render together, in ms. The engine's limit
 * (1 s) is per render: a template has up to ~200 placeholders, and as many values each just under
 * a second would hold the thread every project shares (a preview or a test send) for minutes.
 */
export const VALUES_RENDER_BUDGET_MS = 1_000;

export function renderParams(compiled: CompiledParams, profile: RenderProfile): RenderResult {
  let scope: Record<string, unknown> | null = null;
  let deadline: number | null = null;
  const values: string[] = [];
  for (let index = 0; index < compiled.templates.length; index++) {
    const plan = compiled.plans[index]!;
    let value: string;
    try {
      const direct = plan.kind === 'text' ? plan.text : plan.kind === 'property' ? profileValue(profile, plan.key) : undefined;
      if (typeof direct === 'string') value = cleanParameter(direct);
      else {
        // Each render gets what is left of the recipient's budget (Liquid stops it there).
        const now = performance.now();
        deadline ??= now + VALUES_RENDER_BUDGET_MS;
        const renderLimit = Math.max(1, deadline - now);
        value = cleanParameter(String(liquid.renderSync(compiled.templates[index]!, (scope ??= profileScope(profile)), { renderLimit })));
      }
    } catch (error) {
      const message = (error as Error).message.split(', line')[0] ?? 'render failed';
      return { ok: false, index, reason: `${placeholderName(index)}: ${message.replace(/^undefined variable/, 'missing value')}` };
    }
    if (value === '') return { ok: false, index, reason: `${placeholderName(index)}: the value is empty (use | default: "…")` };
    values.push(value);
  }
  return { ok: true, values };
}
