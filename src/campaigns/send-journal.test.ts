import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { appendFileSync, closeSync, existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteStaleJournals, readSendJournal, SendJournal, SendJournals } from './send-journal.js';

const BOOT = 'boot-a';

describe('send journal', () => {
  let dir: string;
  let clock: number;
  const now = () => clock;
  const open = (owner = 'host:1:aa', rotateMs = 60_000) => SendJournal.open({ owner, dir, rotateMs }, { boot: BOOT, now });

  beforeEach(() => {
    dir = join(mkdtempSync(join(tmpdir(), 'wacast-journal-')), 'send-journal');
    clock = 1_000_000;
  });
  afterEach(() => rmSync(join(dir, '..'), { recursive: true, force: true }));

  it('reads back every id written, from when the journal began', () => {
    const journal = open();
    expect(journal.status).toBe('open');
    expect(journal.record('m1')).toBe(true);
    expect(journal.record('m2')).toBe(true);
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toEqual({ coverageStart: 1_000_000, ids: new Set(['m1', 'm2']) });
  });

  it('tells nothing for an owner without files, or files written before the last boot', () => {
    open().record('m1');
    expect(readSendJournal(dir, 'host:2:bb', BOOT)).toBeNull();
    expect(readSendJournal(dir, 'host:1:aa', 'boot-b')).toBeNull();
    expect(readSendJournal(dir, 'host:1:aa', null)).toBeNull();
  });

  it('ignores a line cut short by a crash (its request was never made)', () => {
    open().record('m1');
    const [file] = readdirSync(dir);
    appendFileSync(join(dir, file!), 'm2-cut-sho');
    expect(readSendJournal(dir, 'host:1:aa', BOOT)?.ids).toEqual(new Set(['m1']));
  });

  it('distrusts a file whose header is not a journal header', () => {
    open().record('m1');
    writeFileSync(join(dir, `${Buffer.from('host:1:aa').toString('base64url')}.5.log`), 'garbage\nm9\n');
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toBeNull();
  });

  it('starts a new file every rotateMs and keeps the newest two, so coverage moves on', () => {
    const journal = open('host:1:aa', 1000);
    journal.record('m1');
    clock += 1000;
    journal.record('m2a', 'm2b');
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toEqual({ coverageStart: 1_000_000, ids: new Set(['m1', 'm2a', 'm2b']) });
    clock += 1000;
    journal.record('m3');
    expect(readdirSync(dir)).toHaveLength(2);
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toEqual({ coverageStart: 1_001_000, ids: new Set(['m2a', 'm2b', 'm3']) });
  });

  it('keeps a second opening (a restarted sender thread) beside the first file', () => {
    open().record('m1');
    clock += 10;
    open().record('m2');
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toEqual({ coverageStart: 1_000_000, ids: new Set(['m1', 'm2']) });
  });

  it('deletes its files when closed', () => {
    const journal = open();
    journal.record('m1');
    journal.close();
    expect(readdirSync(dir)).toEqual([]);
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).toBeNull();
  });

  it('turns off and removes its files when a write fails, so nothing is trusted that is incomplete', () => {
    const journal = open();
    journal.record('m1');
    closeSync((journal as unknown as { fd: number }).fd);
    expect(journal.record('m2')).toBe(true);
    expect(journal.status).toBe('off');
    expect(journal.problem).toMatch(/EBADF/);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('is off, with no file, where the boot id cannot be read', () => {
    const journal = SendJournal.open({ owner: 'host:1:aa', dir, rotateMs: 60_000 }, { boot: null, now });
    expect(journal.status).toBe('off');
    expect(journal.record('m1')).toBe(true);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });

  it('deletes other owners’ files not written for a while, never the kept owners’', () => {
    open('host:1:aa').record('m1');
    open('host:2:bb').record('m2');
    open('host:3:cc').record('m3');
    const old = (Date.now() - 2 * 3600_000) / 1000;
    for (const name of readdirSync(dir)) if (!name.startsWith(Buffer.from('host:3:cc').toString('base64url'))) utimesSync(join(dir, name), old, old);
    expect(deleteStaleJournals(dir, 3600_000, new Set(['host:1:aa']))).toBe(1);
    expect(readSendJournal(dir, 'host:1:aa', BOOT)).not.toBeNull();
    expect(readSendJournal(dir, 'host:2:bb', BOOT)).toBeNull();
    expect(readSendJournal(dir, 'host:3:cc', BOOT)).not.toBeNull();
  });
});

describe('send journals of a sender', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wacast-journals-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the message down before letting it go, and holds back one whose lease has run out', () => {
    const journals = new SendJournals();
    expect(journals.open({ owner: 'w1', dir, rotateMs: 60_000 }).status).toBe('open');
    const clock = () => 5000;
    expect(
      journals.holdBack(
        [
          { messageId: 'm1', lease: { owner: 'w1', notAfter: 5000 } },
          { messageId: 'm2', lease: { owner: 'w1', notAfter: 4999 } },
        ],
        clock,
      ),
    ).toEqual([null, expect.stringMatching(/lease ran out/)]);
    // Written down even when held back: the lease is checked after the write (a recovery that
    // read the file first saw the message as possibly sent).
    expect(readSendJournal(dir, 'w1')?.ids).toEqual(new Set(['m1', 'm2']));
    // No lease (a test send from the dashboard): nothing to write, nothing to check.
    expect(journals.holdBack([{ messageId: 'm3', lease: undefined }], clock)).toEqual([null]);
    journals.close('w1');
    expect(readSendJournal(dir, 'w1')).toBeNull();
  });
});
