/**
 * Positional placeholders `{{1}}`, `{{2}}`, … in an approved template body (WhatsApp's rule:
 * numbered from 1 without gaps). wacast counts them; a campaign supplies exactly that many values.
 */

const PLACEHOLDER = /\{\{\s*(\d+)\s*\}\}/g;

export type PlaceholderCheck = { ok: true; count: number } | { ok: false; message: string };

export function checkPlaceholders(body: string): PlaceholderCheck {
  const stray = body.replace(PLACEHOLDER, '').match(/\{\{[^}]*\}\}/);
  if (stray) return { ok: false, message: `${stray[0]} is not a placeholder: use {{1}}, {{2}}, …` };
  const numbers = new Set<number>();
  for (const match of body.matchAll(PLACEHOLDER)) numbers.add(Number(match[1]));
  if (numbers.size === 0) return { ok: true, count: 0 };
  const max = Math.max(...numbers);
  if (numbers.has(0)) return { ok: false, message: 'placeholders are numbered from {{1}}; {{0}} is not allowed' };
  const missing: string[] = [];
  for (let n = 1; n <= max; n++) if (!numbers.has(n)) missing.push(`{{${n}}}`);
  if (missing.length > 0) {
    return { ok: false, message: `placeholders must be numbered {{1}} to {{${max}}} without gaps; missing ${missing.join(', ')}` };
  }
  return { ok: true, count: max };
}

/** Replaces {{n}} with values[n-1]. Values must already be checked to be `count` long. */
export function fillPlaceholders(body: string, values: readonly string[]): string {
  return body.replace(PLACEHOLDER, (whole, n: string) => values[Number(n) - 1] ?? whole);
}

/**
 * Values typed for one message — an Inbox template reply, a provider account's test message — are
 * sent as typed: only campaigns render Liquid over a profile. A value that looks like Liquid there
 * was almost certainly copied from a campaign and would reach the user as "Hi {{ Profile.Name }}".
 * The problems name each such value (`params.<index>`).
 */
export function liquidInTypedValues(values: readonly string[]): Array<{ path: string; message: string }> {
  return values.flatMap((value, index) =>
    /\{\{[\s\S]*\}\}|\{%[\s\S]*%\}/.test(value)
      ? [{ path: `params.${index}`, message: 'looks like Liquid ({{ … }}), which only campaigns fill in: this message is sent as typed, so write the text itself' }]
      : [],
  );
}
