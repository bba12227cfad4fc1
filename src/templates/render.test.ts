import { describe, expect, it } from 'vitest';
import { cleanParameter, compileParams, renderParams, type RenderProfile } from './render.js';
import { checkPlaceholders, fillPlaceholders } from './placeholders.js';

const profile: RenderProfile = { identity: 'u1', phone: '+14155551234', properties: { Name: 'Ana', City: 'MUM', Points: 12 } };

function render(params: string[], who = profile) {
  const compiled = compileParams(params);
  if (!compiled.ok) throw new Error(JSON.stringify(compiled.problems));
  return renderParams(compiled.compiled, who);
}

describe('rendering placeholder values', () => {
  it('renders Liquid over the profile', () => {
    expect(render(['{{ Profile.Name }}', '{% if Profile.City == "MUM" %}MUM50{% else %}IND50{% endif %}', '{{ Profile.Points | plus: 1 }}', '{{ Profile.Phone }}'])).toEqual({
      ok: true,
      values: ['Ana', 'MUM50', '13', '+14155551234'],
    });
  });

  it('is strict about missing values unless a default is given', () => {
    const missing = render(['{{ Profile.Surname }}']);
    expect(missing).toEqual({ ok: false, index: 0, reason: expect.stringContaining('{{1}}: missing value: Profile.Surname') });
    expect(render(['{{ Profile.Surname | default: "there" }}'])).toEqual({ ok: true, values: ['there'] });
  });

  it('refuses empty values', () => {
    expect(render(['{{ Profile.Empty }}'], { ...profile, properties: { Empty: '' } })).toMatchObject({ ok: false, reason: expect.stringContaining('empty') });
  });

  it('reports invalid expressions by index', () => {
    const compiled = compileParams(['ok', '{{ Profile.Name ', '{{ Profile.Name | nope }}']);
    expect(compiled.ok).toBe(false);
    if (!compiled.ok) expect(compiled.problems.map((problem) => problem.path)).toEqual(['params.1', 'params.2']);
  });

  it('folds characters WhatsApp refuses in parameters', () => {
    expect(cleanParameter('a\nb\tc      d')).toBe('a b c    d');
  });
});

describe('placeholders', () => {
  it('counts and fills', () => {
    expect(checkPlaceholders('Hi {{1}}, {{ 2 }} and {{1}}')).toEqual({ ok: true, count: 2 });
    expect(fillPlaceholders('Hi {{1}}, {{ 2 }} and {{1}}', ['A', 'B'])).toBe('Hi A, B and A');
    expect(checkPlaceholders('none')).toEqual({ ok: true, count: 0 });
    expect(checkPlaceholders('{{0}}')).toMatchObject({ ok: false });
  });
});
