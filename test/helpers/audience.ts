/** Profiles straight into the database, for tests of what happens after the audience exists. */
import type { Db } from '../../src/storage/db.js';
import { newId } from '../../src/ids.js';
import { toJson } from '../../src/storage/json.js';

export interface ProfileSeed {
  identity: string;
  phone?: string | null;
  properties?: Record<string, unknown>;
  optedIn?: boolean | null;
  dnd?: boolean | null;
}

export async function seedProfiles(db: Db, projectId: string, seeds: ProfileSeed[]): Promise<void> {
  const now = Date.now();
  for (let start = 0; start < seeds.length; start += 500) {
    await db.kysely
      .insertInto('profiles')
      .values(
        seeds.slice(start, start + 500).map((seed) => ({
          id: newId(now),
          project_id: projectId,
          identity: seed.identity,
          phone: seed.phone ?? null,
          properties: toJson({ ...(seed.phone ? { Phone: seed.phone } : {}), ...seed.properties }),
          msg_whatsapp: seed.optedIn === undefined ? 1 : seed.optedIn === null ? null : seed.optedIn ? 1 : 0,
          dnd_whatsapp: seed.dnd === undefined || seed.dnd === null ? null : seed.dnd ? 1 : 0,
          created_at: now,
          updated_at: now,
        })),
      )
      .execute();
  }
}

export async function seedPhoneDnd(db: Db, projectId: string, phone: string): Promise<void> {
  await db.kysely.insertInto('phone_dnd').values({ project_id: projectId, phone, dnd: 1, source: 'test', updated_at: Date.now() }).execute();
}

/** `+1415555` + a zero-padded number: valid-looking distinct US numbers. */
export function testPhone(n: number): string {
  return `+1415${String(5550000 + n).padStart(7, '0')}`;
}
