/**
 * The send journal: a local file where a sending process writes each message's id just before
 * its request to the provider is made (decision 0012).
 *
 * A worker that dies leaves its claimed messages `sending`. Without the journal nobody can tell
 * the ~quarter second of claimed messages it never got to from the few whose request had left,
 * so all of them became `unknown` and were never sent. With it, the message a dead worker never
 * wrote down was certainly never sent, and goes back to the queue; only those it wrote down are
 * `unknown`.
 *
 * Why a plain write() without fsync is enough: data written by a process that then dies (kill -9,
 * out of memory, a crash) is in the kernel's page cache and is read back by the next process.
 * Only a crash of the machine itself can lose it, and that changes the kernel's boot id, which
 * every file records: a file written before a reboot is never trusted.
 *
 * Files: `<data dir>/send-journal/<owner, base64url>.<started ms>.log`, a header line, then one id
 * per line. The writer starts a new file every `rotateMs` and then deletes all but the newest two,
 * so the files cover at least `rotateMs` (longer than a message's lease) back from the last entry.
 * A message claimed before the oldest file began may have been written down in a deleted file: it
 * is `unknown`, as without a journal.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { SendResult } from '../providers/provider.js';

export const SEND_JOURNAL_DIR = 'send-journal';
const HEADER = 'wacast send journal 1 ';

export interface SendJournalSpec {
  /** The lease owner the messages are claimed by. */
  owner: string;
  /** The send-journal directory (`<data dir>/send-journal`). */
  dir: string;
  /** A new file this often; must be longer than a message's lease. */
  rotateMs: number;
}

interface Header {
  owner: string;
  boot: string;
  startedAt: number;
}

/** This boot of the machine (Linux); null where it cannot be read, and then nothing is journaled. */
export function currentBootId(): string | null {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
  } catch {
    return null;
  }
}

const fileKey = (owner: string) => Buffer.from(owner, 'utf8').toString('base64url');

/** Writes all of `text` (a write may take only part of it). */
function writeAll(fd: number, text: string): void {
  const bytes = Buffer.from(text, 'utf8');
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written);
}

/** The owner's journal files, oldest first, with the time each began (from the name). */
function filesOf(dir: string, owner: string): Array<{ path: string; startedAt: number }> {
  const prefix = `${fileKey(owner)}.`;
  const files: Array<{ path: string; startedAt: number }> = [];
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.log')) continue;
    const startedAt = Number(name.slice(prefix.length, -'.log'.length));
    if (Number.isSafeInteger(startedAt)) files.push({ path: join(dir, name), startedAt });
  }
  return files.sort((a, b) => a.startedAt - b.startedAt);
}

/**
 * The journal of one owner in the process that sends. States: `open` (every id is written before
 * its send), `off` (nothing written and no file left, so a dead owner's messages are all
 * `unknown`), `refusing` (a write failed and the files could not be removed: a send now would be
 * missing from a file that says otherwise, so nothing may be sent).
 */
export class SendJournal {
  private fd: number | null = null;
  private startedAt = 0;
  private state: 'open' | 'off' | 'refusing' = 'off';
  /** Why the journal is off or refusing, for the log. */
  problem: string | null = null;

  private constructor(
    private readonly spec: SendJournalSpec,
    private readonly boot: string | null,
    private readonly now: () => number,
  ) {}

  /** Opens a new file for `spec.owner` (older files of the owner stay until rotation). */
  static open(spec: SendJournalSpec, options: { boot?: string | null; now?: () => number } = {}): SendJournal {
    const boot = options.boot === undefined ? currentBootId() : options.boot;
    const journal = new SendJournal(spec, boot, options.now ?? Date.now);
    if (boot === null) {
      journal.problem = 'this system does not tell its boot id';
      journal.removeAll();
      return journal;
    }
    try {
      mkdirSync(spec.dir, { recursive: true, mode: 0o700 });
      journal.startFile();
      journal.state = 'open';
    } catch (error) {
      journal.fail(error);
    }
    return journal;
  }

  get status(): 'open' | 'off' | 'refusing' {
    return this.state;
  }

  /**
   * Writes the ids down, in one write; true when their requests may now be made. Must return
   * before the requests start: a dead process's unwritten messages are sent again.
   */
  record(...ids: string[]): boolean {
    if (this.state !== 'open') return this.state === 'off';
    if (ids.length === 0) return true;
    try {
      if (this.now() - this.startedAt >= this.spec.rotateMs) this.rotate();
      writeAll(this.fd!, `${ids.join('\n')}\n`);
      return true;
    } catch (error) {
      this.fail(error);
      return this.status === 'off';
    }
  }

  /** After a clean stop (every answer stored): the files are no longer needed. */
  close(): void {
    this.closeFd();
    this.removeAll();
    if (this.state === 'open') this.state = 'off';
  }

  private startFile(): void {
    const startedAt = Math.max(this.now(), this.startedAt + 1);
    const fd = openSync(join(this.spec.dir, `${fileKey(this.spec.owner)}.${startedAt}.log`), 'wx', 0o600);
    const header: Header = { owner: this.spec.owner, boot: this.boot!, startedAt };
    writeAll(fd, `${HEADER}${JSON.stringify(header)}\n`);
    this.closeFd();
    this.fd = fd;
    this.startedAt = startedAt;
  }

  /** A new file, then every file of the owner but the newest two is deleted (oldest first). */
  private rotate(): void {
    this.startFile();
    const files = filesOf(this.spec.dir, this.spec.owner);
    for (const file of files.slice(0, -2)) unlinkSync(file.path);
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // Already closed: nothing to release.
    }
    this.fd = null;
  }

  /** No trustworthy journal can be kept: without any file, a dead owner's messages are `unknown`. */
  private fail(error: unknown): void {
    this.problem = (error as Error).message;
    this.closeFd();
    this.state = this.removeAll() ? 'off' : 'refusing';
  }

  private removeAll(): boolean {
    try {
      for (const file of filesOf(this.spec.dir, this.spec.owner)) unlinkSync(file.path);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
      return false;
    }
  }
}

/** What a dead owner's journal says: every id it wrote down since `coverageStart`. */
export interface JournalRecord {
  coverageStart: number;
  ids: Set<string>;
}

/**
 * Reads `owner`'s journal for recovery. Null — nothing can be told, every message is `unknown` —
 * when there is no file, a file is unreadable or malformed, or was written before the machine's
 * last boot.
 */
export function readSendJournal(dir: string, owner: string, boot: string | null = currentBootId()): JournalRecord | null {
  if (boot === null) return null;
  try {
    const files = filesOf(dir, owner);
    if (files.length === 0) return null;
    const ids = new Set<string>();
    for (const file of files) {
      const lines = readFileSync(file.path, 'utf8').split('\n');
      const first = lines[0] ?? '';
      if (!first.startsWith(HEADER)) return null;
      const header = JSON.parse(first.slice(HEADER.length)) as Partial<Header>;
      if (header.owner !== owner || header.boot !== boot || header.startedAt !== file.startedAt) return null;
      // The last element is '' after a complete line, or a line cut short by the crash (its
      // request was never made: the write comes first).
      for (let i = 1; i < lines.length - 1; i++) if (lines[i]) ids.add(lines[i]!);
    }
    return { coverageStart: files[0]!.startedAt, ids };
  } catch {
    // Deleted meanwhile, unreadable or malformed: nothing can be told.
    return null;
  }
}

/**
 * Deletes journal files not written for `maxAgeMs` (owners that died and were recovered, or whose
 * rows another machine recovered), except those of `keepOwners`. A file deleted while its owner
 * still lives costs precision only: the owner's messages claimed before its next file are `unknown`.
 */
export function deleteStaleJournals(dir: string, maxAgeMs: number, keepOwners: Set<string>, now = Date.now()): number {
  let deleted = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return 0;
  }
  const kept = new Set([...keepOwners].map((owner) => `${fileKey(owner)}.`));
  for (const name of names) {
    if (!name.endsWith('.log') || [...kept].some((prefix) => name.startsWith(prefix))) continue;
    const path = join(dir, name);
    try {
      if (now - statSync(path).mtimeMs < maxAgeMs) continue;
      unlinkSync(path);
      deleted++;
    } catch {
      // Deleted by another process meanwhile, or not ours to delete: left.
    }
  }
  return deleted;
}

/** The answer for a message the sender did not send: it goes back to its claimer's queue. */
export function heldBack(detail: string): SendResult {
  return { ok: false, outcome: 'not_sent', category: 'provider_down', retryable: true, detail, raw: { request: { method: '', url: '', body: '' } }, heldBack: true };
}

/** The lease a send is made under: the claiming owner, and the last moment it may be sent. */
export interface SendLease {
  owner: string;
  /** Epoch ms: after this the message's lease may have run out and it may be queued again. */
  notAfter: number;
}

/** The journals of the owners that send through one sender (one thread or process). */
export class SendJournals {
  private readonly journals = new Map<string, SendJournal>();

  open(spec: SendJournalSpec): { status: SendJournal['status']; problem: string | null } {
    this.journals.get(spec.owner)?.close();
    const journal = SendJournal.open(spec);
    this.journals.set(spec.owner, journal);
    return { status: journal.status, problem: journal.problem };
  }

  close(owner: string): void {
    this.journals.get(owner)?.close();
    this.journals.delete(owner);
  }

  /**
   * Writes the messages down, one write per owner. Returns, for each, why it must not be sent (its
   * owner's journal refuses), or null. Must return before any of their requests starts.
   */
  private write(sends: ReadonlyArray<JournalledSend>): Array<string | null> {
    const reasons: Array<string | null> = sends.map(() => null);
    const byOwner = new Map<string, number[]>();
    sends.forEach((send, index) => {
      if (!send.lease) return;
      const indexes = byOwner.get(send.lease.owner);
      if (indexes) indexes.push(index);
      else byOwner.set(send.lease.owner, [index]);
    });
    for (const [owner, indexes] of byOwner) {
      const journal = this.journals.get(owner);
      const ids = indexes.flatMap((index) => (sends[index]!.messageId === undefined ? [] : [sends[index]!.messageId!]));
      if (journal && !journal.record(...ids)) {
        for (const index of indexes) reasons[index] = `the send journal cannot be written (${journal.problem ?? 'unknown error'})`;
      }
    }
    return reasons;
  }

  /**
   * Writes the messages down, then checks their leases: for each, why it must not be sent, or null.
   * The leases are checked after the write, so a message sent is always in the journal of whoever
   * might queue it again once its lease ran out.
   */
  holdBack(sends: ReadonlyArray<JournalledSend>, now: () => number = Date.now): Array<string | null> {
    const reasons = this.write(sends);
    const at = now();
    return sends.map((send, index) => reasons[index] ?? leaseRanOut(send.lease, at));
  }
}

export interface JournalledSend {
  messageId: string | undefined;
  lease: SendLease | undefined;
}

/** Why a send must not be made at `now` (epoch ms) under `lease`, or null. */
function leaseRanOut(lease: SendLease | undefined, now: number): string | null {
  return lease && now > lease.notAfter ? "the message's lease ran out before it was sent" : null;
}
