import { describe, expect, it } from 'vitest';
import { bodyProblem, characterCount, namespaceProblem, namespaceProblemWhileTyping, placeholdersOf, templateFormProblems, toTemplateInput } from './template-rules';

describe('placeholdersOf', () => {
  it('counts up to the highest positional placeholder', () => {
    expect(placeholdersOf('Hi {{1}}, your order {{2}} ships {{2}}.')).toEqual({ count: 2, numbers: [1, 2], missing: [] });
    expect(placeholdersOf('No values here')).toEqual({ count: 0, numbers: [], missing: [] });
  });

  it('reports gaps', () => {
    expect(placeholdersOf('{{3}} and {{1}}')).toEqual({ count: 3, numbers: [1, 3], missing: [2] });
  });

  it('ignores things that are not positional placeholders', () => {
    expect(placeholdersOf('{{ name }} {{a1}} {1} {{1a}}').count).toBe(0);
  });

  it('counts {{ 1 }} with spaces, as the server does (it saves placeholderCount 1 for it)', () => {
    expect(placeholdersOf('Hi {{ 1 }}, order {{2 }}')).toEqual({ count: 2, numbers: [1, 2], missing: [] });
  });
});

describe('namespace rules', () => {
  it('accepts ACCOUNT:template_name', () => {
    expect(namespaceProblem('ABC:welcome_message')).toBeNull();
    expect(namespaceProblem('ACME_2:order_shipped_v2')).toBeNull();
  });

  it('refuses anything else, naming the expected form', () => {
    for (const bad of ['abc:welcome', 'ABC:Welcome', 'ABC', 'ABC:', ':welcome', 'ABC:wel come', 'ABC:a:b', 'ABC-1:x']) {
      expect(namespaceProblem(bad), bad).toMatch(/ABC:welcome_message/);
    }
    expect(namespaceProblem('  ')).toMatch(/is required/);
  });

  it('while typing, only flags characters that can never become valid', () => {
    expect(namespaceProblemWhileTyping('')).toBeNull();
    expect(namespaceProblemWhileTyping('AB')).toBeNull();
    expect(namespaceProblemWhileTyping('ABC:')).toBeNull();
    expect(namespaceProblemWhileTyping('ABC:wel')).toBeNull();
    expect(namespaceProblemWhileTyping('abc')).not.toBeNull();
    expect(namespaceProblemWhileTyping('ABC:Wel')).not.toBeNull();
    expect(namespaceProblemWhileTyping('ABC:a:b')).not.toBeNull();
  });
});

describe('bodyProblem', () => {
  it('allows up to 1024 characters', () => {
    expect(bodyProblem('x'.repeat(1024))).toBeNull();
    expect(bodyProblem('x'.repeat(1025))).toBe('is 1025 characters long; the most WhatsApp allows is 1024');
    expect(bodyProblem(' ')).toMatch(/is required/);
  });
});

describe('template form', () => {
  it('keys problems by the API field paths', () => {
    expect(Object.keys(templateFormProblems({ providerId: '', namespace: 'x', body: '', attachmentType: 'none', language: '' }))).toEqual([
      'providerId',
      'namespace',
      'body',
    ]);
  });

  it('builds the API body, leaving out an empty language', () => {
    expect(toTemplateInput({ providerId: 'p1', namespace: ' ABC:hi ', body: 'Hi {{1}}', attachmentType: 'image', language: ' ' })).toEqual({
      providerId: 'p1',
      namespace: 'ABC:hi',
      body: 'Hi {{1}}',
      attachmentType: 'image',
    });
    expect(toTemplateInput({ providerId: 'p1', namespace: 'ABC:hi', body: 'Hi', attachmentType: 'none', language: 'en_US' }).language).toBe('en_US');
  });
});

describe('body length', () => {
  it('counts characters, not UTF-16 units: 1024 emoji fit', () => {
    expect(characterCount('👋é')).toBe(2);
    expect(bodyProblem('👋'.repeat(1024))).toBeNull();
    expect(bodyProblem('👋'.repeat(1025))).toBe('is 1025 characters long; the most WhatsApp allows is 1024');
  });
});
