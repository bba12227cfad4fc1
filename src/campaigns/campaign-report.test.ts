import { describe, expect, it } from 'vitest';
import { csvCell } from './campaign-report.js';

describe('CSV cells of the message log export', () => {
  it('keeps E.164 phones and other plain numbers as they are', () => {
    expect(csvCell('+14155551234')).toBe('+14155551234');
    expect(csvCell('-12')).toBe('-12');
    expect(csvCell('3.5')).toBe('3.5');
    expect(csvCell(7)).toBe('7');
  });

  it('turns anything a spreadsheet would run as a formula into text', () => {
    expect(csvCell('=HYPERLINK("http://evil.example","x")')).toBe(`"'=HYPERLINK(""http://evil.example"",""x"")"`);
    expect(csvCell("+cmd|' /C calc'!A0")).toBe("'+cmd|' /C calc'!A0");
    expect(csvCell('-2+3+cmd|x!A0')).toBe("'-2+3+cmd|x!A0");
    expect(csvCell('@SUM(A1:A9)')).toBe("'@SUM(A1:A9)");
    expect(csvCell('+1 415 555 1234')).toBe("'+1 415 555 1234");
    expect(csvCell('\t=1+1')).toBe("'\t=1+1");
  });

  it('quotes commas, quotes and line breaks, and leaves empty values empty', () => {
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('line 1\nline 2')).toBe('"line 1\nline 2"');
    expect(csvCell(null)).toBe('');
  });
});
