import { describe, expect, it } from 'vitest';
import { caseSpellings } from './dialect.js';

describe('caseSpellings', () => {
  it('gives one spelling for text whose letters are all ASCII: the database folds those', () => {
    expect(caseSpellings('asha pat')).toEqual(['asha pat']);
    expect(caseSpellings('Asha PATEL')).toEqual(['Asha PATEL']);
    expect(caseSpellings('+44 79')).toEqual(['+44 79']);
  });

  it('adds the lower, upper, capitalised-words and capitalised-first spellings of other letters', () => {
    expect(caseSpellings('иван п')).toEqual(['иван п', 'ИВАН П', 'Иван П', 'Иван п']);
    // "Élodie" differs from "ÉLODIE" only in ASCII letters: one spelling.
    expect(caseSpellings('ÉLODIE')).toEqual(['ÉLODIE', 'élodie']);
    expect(caseSpellings('Ωmega')).toEqual(['Ωmega', 'ωmega']);
  });

  it('capitalises a first letter outside the basic plane whole', () => {
    // U+10428 (Deseret small long I) capitalises to U+10400; slicing by UTF-16 unit would split it.
    expect(caseSpellings('\u{10428}\u{10428}')).toEqual(['\u{10428}\u{10428}', '\u{10400}\u{10400}', '\u{10400}\u{10428}']);
  });
});
