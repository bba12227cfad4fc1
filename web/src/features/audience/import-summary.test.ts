import { describe, expect, it } from 'vitest';
import { importSummary } from './import-summary';

describe('importSummary', () => {
  it('counts created and updated rows as imported, and bad rows apart', () => {
    expect(importSummary({ rows: 4, createdRows: 2, updatedRows: 0, unchangedRows: 0, failedRows: 2 })).toBe('Import finished: 2 of 4 rows imported, 2 bad.');
    expect(importSummary({ rows: 1500, createdRows: 1000, updatedRows: 500, unchangedRows: 0, failedRows: 0 })).toBe('Import finished: 1,500 of 1,500 rows imported.');
  });

  it('does not call a re-import of the same file "0 of N rows imported"', () => {
    expect(importSummary({ rows: 4, createdRows: 0, updatedRows: 0, unchangedRows: 2, failedRows: 2 })).toBe('Import finished: 2 of 4 rows imported (2 already up to date), 2 bad.');
  });

  it('says when the file has only its header', () => {
    expect(importSummary({ rows: 0, createdRows: 0, updatedRows: 0, unchangedRows: 0, failedRows: 0 })).toBe('Import finished: the file has a header but no data rows, so nothing was imported.');
  });
});
