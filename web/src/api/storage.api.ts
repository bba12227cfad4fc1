import { apiRequest } from './client';

export interface StorageStatus {
  engine: 'sqlite' | 'postgres';
  /** Null on PostgreSQL (its server's disk is not visible) and when the disk could not be read. */
  disk: { freeBytes: number; totalBytes: number; level: 'ok' | 'low' | 'critical'; warnBelowBytes: number; holdBelowBytes: number; campaignsHeld: boolean } | null;
}

/** Free space for the database (GET /api/v1/storage). */
export function storageStatus(): Promise<StorageStatus> {
  return apiRequest('GET', '/api/v1/storage');
}
