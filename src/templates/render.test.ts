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

  it('renders fixed texts and single properties without Liquid exactly as Liquid does', () => {
    const params = ['{{ Profile.Name }}', '{{Profile.City}}', 'Fixed  code\tA1', '{{ Profile.Points }}', '{{ Profile.identity }}', '{{ Profile.Identity }}', '{{ Profile.Phone }}', '{{ Profile.Note }}'];
    const profiles: RenderProfile[] = [
      profile,
      { identity: 'u2', phone: null, properties: { Name: '  Bo\nB  ', City: 'DEL', Points: 0, Phone: 'from properties', Note: 'x' } },
      { identity: 'u3', phone: '+14155550000', properties: { Name: 'C', City: 'X', Points: '7', identity: 'shadowed', Note: 'y' } },
      { identity: 'u4', phone: null, properties: { Name: 'D', City: 'Y', Points: 1.5, Note: null } },
      { identity: 'u5', phone: null, properties: { Name: ['a', 'b'], City: true, Points: 3, Note: 'z' } },
    ];
    const compiled = compileParams(params);
    if (!compiled.ok) throw new Error('compile');
    // The same templates, every value through Liquid.
    const viaLiquid = { ...compiled.compiled, plans: compiled.compiled.plans.map(() => ({ kind: 'liquid' as const })) };
    for (const who of profiles) {
      for (let index = 0; index < params.length; index++) {
        const one = compileParams([params[index]!]);
        if (!one.ok) throw new Error('compile');
        const alone = { ...one.compiled, plans: one.compiled.plans.map(() => ({ kind: 'liquid' as const })) };
        expect(renderParams(one.compiled, who), `${who.identity} ${params[index]}`).toEqual(renderParams(alone, who));
      }
      expect(renderParams(compiled.compiled, who)).toEqual(renderParams(viaLiquid, who));
    }
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
