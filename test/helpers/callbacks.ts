/**
 * Posting provider callbacks to a test app: recorded fixtures replayed byte for byte, Vonage
 * signatures, and shortcuts to create accounts and read back their callback URLs.
 */
import { createHash, createHmac } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { LightMyRequestResponse } from 'fastify';
import { fixtureText } from './provider-fixtures.js';
import { json, type TestContext, type TestProject } from './context.js';
import { gupshupProviderInput, nexmoProviderInput } from './fixtures.js';

const FIXTURES = fileURLToPath(new URL('../../src/providers/fixtures/', import.meta.url));

export interface CallbackAccountUrls {
  id: string;
  token: string;
  inbound: string;
  delivery: string;
}

function pathOf(url: string): string {
  return new URL(url).pathname;
}

export async function createCallbackAccount(ctx: TestContext, project: TestProject, type: 'gupshup' | 'nexmo', overrides: Record<string, unknown> = {}): Promise<CallbackAccountUrls> {
  const input = type === 'gupshup' ? gupshupProviderInput(overrides) : nexmoProviderInput(overrides);
  const response = await ctx.app.inject({ method: 'POST', url: '/api/v1/providers', headers: project.headers, payload: input });
  if (response.statusCode !== 201) throw new Error(`creating the provider account failed: ${response.body}`);
  const account = json(response);
  const inbound = pathOf(account.inboundCallbackUrl);
  return { id: account.id, token: inbound.split('/')[3]!, inbound, delivery: pathOf(account.deliveryCallbackUrl) };
}

/** Every fixture file of a provider (see src/providers/fixtures/README.md). */
export function fixtureNames(provider: 'gupshup' | 'nexmo'): string[] {
  return readdirSync(`${FIXTURES}${provider}`).sort().map((name) => `${provider}/${name}`);
}

/** True for fixtures that are delivery reports / statuses (they go to the delivery URL). */
export function isReceiptFixture(name: string): boolean {
  return /\/(enterprise-dlr|selfserve-event|status-)/.test(name);
}

/** The HS256 bearer token Vonage puts on a signed webhook. */
export function vonageSignature(body: string, secret: string, nowMs = Date.now()): string {
  const header = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');
  const claims = Buffer.from(
    JSON.stringify({ iat: Math.floor(nowMs / 1000), jti: 'c5ba8f24-1a14-4c10-bfdf-3fbe8ce511b5', iss: 'Vonage', payload_hash: createHash('sha256').update(body).digest('hex') }),
  ).toString('base64url');
  const signature = createHmac('sha256', secret).update(`${header}.${claims}`).digest('base64url');
  return `Bearer ${header}.${claims}.${signature}`;
}

export interface ReplayOptions {
  /** Vonage: sign with this secret. */
  signWith?: string;
  headers?: Record<string, string>;
}

/** Sends a fixture exactly as the provider would: its bytes, content type and method. */
export function replayFixture(ctx: TestContext, url: string, name: string, options: ReplayOptions = {}): Promise<LightMyRequestResponse> {
  const text = fixtureText(name);
  const headers: Record<string, string> = { ...options.headers };
  if (name.endsWith('.query.json')) {
    const query = new URLSearchParams(JSON.parse(text) as Record<string, string>).toString();
    return ctx.app.inject({ method: 'GET', url: `${url}?${query}`, headers });
  }
  headers['content-type'] = name.endsWith('.form.txt') ? 'application/x-www-form-urlencoded' : 'application/json';
  if (options.signWith) headers.authorization = vonageSignature(text, options.signWith);
  return ctx.app.inject({ method: 'POST', url, headers, payload: text });
}

/** Posts a JSON body (exact text) to a callback URL. */
export function postJson(ctx: TestContext, url: string, body: unknown, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  return ctx.app.inject({ method: 'POST', url, headers: { 'content-type': 'application/json', ...headers }, payload: text });
}

/** Runs applier passes until nothing is left to do now. */
export async function applyAll(applier: { runOnce(now?: number): Promise<{ callbacks: number; pendingApplied: number }> }, now?: number): Promise<void> {
  for (let pass = 0; pass < 1000; pass++) {
    const result = await applier.runOnce(now);
    if (result.callbacks === 0 && result.pendingApplied === 0) return;
  }
  throw new Error('the applier did not settle in 1000 passes');
}

/** A Gupshup Enterprise DLR as the batch JSON array carries it. */
export function gupshupDlr(externalId: string, eventType: 'SENT' | 'DELIVERED' | 'READ' | 'FAILED', options: { eventTs?: number; phone?: string; extra?: string; errorCode?: string } = {}) {
  return {
    srcAddr: 'TESTSM',
    channel: 'WHATSAPP',
    externalId,
    cause: eventType === 'FAILED' ? 'UNKNOWN_SUBSCRIBER' : 'SUCCESS',
    errorCode: options.errorCode ?? (eventType === 'FAILED' ? '003' : '000'),
    destAddr: (options.phone ?? '+919876543210').replace('+', ''),
    eventType,
    eventTs: options.eventTs ?? Date.now(),
    ...(options.extra ? { extra: options.extra } : {}),
  };
}

/** A Gupshup Enterprise inbound message (JSON), as posted to the two-way account's URL. */
export function gupshupInbound(from: string, text: string, options: { replyId?: string; context?: string; timestamp?: number; waNumber?: string; type?: string } = {}) {
  return {
    waNumber: options.waNumber ?? '919876543210',
    mobile: from.replace('+', ''),
    replyId: options.replyId ?? `in-${Math.random().toString(36).slice(2)}`,
    ...(options.context ? { messageId: options.context } : {}),
    text,
    type: options.type ?? 'text',
    timestamp: String(options.timestamp ?? Date.now()),
    name: 'Someone',
  };
}
