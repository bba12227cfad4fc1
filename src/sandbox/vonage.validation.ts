/**
 * Reading and validating a Vonage Messages send (reference vonage.md §3, §4, §5, §11.2) in either
 * version's shape: v1 (flat) and v0.1 (`to{type,number}`, `message.content`). Returns the first
 * class of error the real API would answer, with `invalid_parameters` naming each field.
 */
import { splitNamespace } from './sandbox.templates.js';
import { WHATSAPP_USER_ID } from './vonage.events.js';

export type Version = 'v1' | 'v0.1';

export interface Problem {
  name: string;
  reason: string;
}

const MESSAGE_TYPES = new Set(['text', 'image', 'audio', 'video', 'file', 'template', 'sticker', 'reaction', 'custom']);
const MAX_TEXT = 4096;
const MAX_CAPTION = 3000;
/** client_ref: "up to 100 characters" in the v1 spec, 40 in the v0.1 spec (§10). */
const CLIENT_REF_LIMIT: Record<Version, number> = { v1: 100, 'v0.1': 40 };

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isText = (value: unknown): value is string => typeof value === 'string' && value.length > 0;

function isHttpUrl(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** The fields of a send, read from either version's shape. */
export interface Send {
  channel: unknown;
  to: unknown;
  from: unknown;
  toType?: unknown;
  fromType?: unknown;
  messageType: unknown;
  /** Holds the per-type object (`image`, `template`, …) and `text`. */
  content: Record<string, unknown>;
  whatsapp: unknown;
  clientRef: unknown;
  webhookVersion: unknown;
  webhookUrl: unknown;
  context: unknown;
}

export function readSend(version: Version, body: Record<string, unknown>): Send {
  if (version === 'v1') {
    return {
      channel: body.channel,
      to: body.to,
      from: body.from,
      messageType: body.message_type,
      content: body,
      whatsapp: body.whatsapp,
      clientRef: body.client_ref,
      webhookVersion: body.webhook_version,
      webhookUrl: body.webhook_url,
      context: body.context,
    };
  }
  const to = isObject(body.to) ? body.to : {};
  const from = isObject(body.from) ? body.from : {};
  const message = isObject(body.message) ? body.message : {};
  const content = isObject(message.content) ? message.content : {};
  return {
    channel: to.type,
    to: to.number,
    from: from.number,
    toType: to.type,
    fromType: from.type,
    messageType: content.type,
    content,
    whatsapp: message.whatsapp,
    clientRef: body.client_ref,
    webhookVersion: undefined,
    webhookUrl: undefined,
    context: undefined,
  };
}

/** What a template send names, from `template`, `custom` template or legacy `custom` hsm. */
export interface TemplateUse {
  name: string;
  namespace?: string;
  params: string[];
  locale?: string;
  mediaType?: string;
  mediaUrl?: string;
}

function readTemplateParams(value: unknown, path: string, problems: Problem[]): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) {
    problems.push({ name: path, reason: 'must be an array of strings or {"default": string} objects.' });
    return [];
  }
  return value.map((item, index) => {
    if (typeof item === 'string') return item;
    // {default} objects are WhatsApp localizable_params, used by older snippets (§3, §4).
    if (isObject(item) && typeof item.default === 'string') return item.default;
    problems.push({ name: `${path}[${index}]`, reason: 'must be a string or a {"default": string} object.' });
    return '';
  });
}

function readCustomTemplate(custom: Record<string, unknown>, path: string, problems: Problem[]): TemplateUse | undefined {
  if (custom.type === 'template' && isObject(custom.template)) {
    const template = custom.template;
    if (!isText(template.name)) {
      problems.push({ name: `${path}.template.name`, reason: 'is required.' });
      return undefined;
    }
    const params: string[] = [];
    let mediaType: string | undefined;
    let mediaUrl: string | undefined;
    for (const component of Array.isArray(template.components) ? template.components : []) {
      if (!isObject(component) || !Array.isArray(component.parameters)) continue;
      for (const parameter of component.parameters) {
        if (!isObject(parameter)) continue;
        if (component.type === 'body' && parameter.type === 'text' && typeof parameter.text === 'string') params.push(parameter.text);
        if (component.type === 'header' && typeof parameter.type === 'string' && isObject(parameter[parameter.type])) {
          const media = parameter[parameter.type] as Record<string, unknown>;
          if (typeof media.link === 'string') {
            mediaType = parameter.type;
            mediaUrl = media.link;
          }
        }
      }
    }
    const language = isObject(template.language) && typeof template.language.code === 'string' ? template.language.code : undefined;
    const split = typeof template.namespace === 'string' ? { namespace: template.namespace, name: template.name } : splitNamespace(template.name);
    return { ...split, params, ...(language ? { locale: language } : {}), ...(mediaType ? { mediaType } : {}), ...(mediaUrl ? { mediaUrl } : {}) };
  }
  if (custom.type === 'hsm' && isObject(custom.hsm)) {
    const hsm = custom.hsm;
    if (!isText(hsm.element_name)) {
      problems.push({ name: `${path}.hsm.element_name`, reason: 'is required.' });
      return undefined;
    }
    const params = readTemplateParams(hsm.localizable_params, `${path}.hsm.localizable_params`, problems);
    const language = isObject(hsm.language) && typeof hsm.language.code === 'string' ? hsm.language.code : undefined;
    return { name: hsm.element_name, ...(typeof hsm.namespace === 'string' ? { namespace: hsm.namespace } : {}), params, ...(language ? { locale: language } : {}) };
  }
  return undefined;
}

export interface Validated {
  to: string;
  from: string;
  type: string;
  template?: TemplateUse;
  body?: string;
  mediaUrl?: string;
  clientRef?: string;
  webhookVersion?: Version;
  webhookUrl?: string;
}

export type Invalid = { code: number; title: string; detail: string; problems?: Problem[] };

/** Validates a send (§11.2). Returns the first class of error found, like the real API. */
export function validate(version: Version, send: Send): Validated | Invalid {
  const prefix = version === 'v1' ? '' : 'message.content.';
  const params = (problems: Problem[]): Invalid => ({ code: 1150, title: 'Invalid params', detail: 'The value of one or more parameters is invalid.', problems });
  if (version === 'v0.1' && (send.toType !== 'whatsapp' || send.fromType !== 'whatsapp')) {
    if (send.toType === undefined || send.fromType === undefined) return params([{ name: send.toType === undefined ? 'to.type' : 'from.type', reason: 'is required.' }]);
    return { code: 1100, title: 'Unsupported channel', detail: 'The specified channel is not supported.', problems: [{ name: 'to.type', reason: 'the sandbox supports whatsapp only.' }] };
  }
  if (send.channel === undefined) return params([{ name: 'channel', reason: 'is required.' }]);
  if (send.channel !== 'whatsapp') return { code: 1100, title: 'Unsupported channel', detail: 'The specified channel is not supported.', problems: [{ name: 'channel', reason: 'the sandbox supports whatsapp only.' }] };
  if (send.messageType === undefined) return params([{ name: version === 'v1' ? 'message_type' : 'message.content.type', reason: 'is required.' }]);
  if (typeof send.messageType !== 'string' || !MESSAGE_TYPES.has(send.messageType)) {
    return {
      code: 1140,
      title: 'Invalid message type',
      detail: 'The `message_type` parameter is invalid for the given channel.',
      problems: [{ name: version === 'v1' ? 'message_type' : 'message.content.type', reason: `must be one of ${[...MESSAGE_TYPES].join(', ')}.` }],
    };
  }
  const numberProblem = (value: unknown) => (typeof value !== 'string' ? 'is required.' : /^\d{7,15}$/.test(value) ? null : 'must be 7–15 digits with the country code, no "+" or "00".');
  // v1.20: a WhatsApp user id (BSUID) is a recipient too.
  const toProblem = version === 'v1' && typeof send.to === 'string' && WHATSAPP_USER_ID.test(send.to) ? null : numberProblem(send.to);
  if (toProblem) return { code: 1130, title: 'Invalid recipient', detail: 'The `to` parameter is invalid for the given channel.', problems: [{ name: version === 'v1' ? 'to' : 'to.number', reason: toProblem }] };
  const fromProblem = numberProblem(send.from);
  if (fromProblem) return { code: 1120, title: 'Invalid sender', detail: 'The `from` parameter is invalid for the given channel.', problems: [{ name: version === 'v1' ? 'from' : 'from.number', reason: fromProblem }] };
  const limit = CLIENT_REF_LIMIT[version];
  if (send.clientRef !== undefined && (typeof send.clientRef !== 'string' || send.clientRef.length > limit)) {
    return { code: 1060, title: 'Invalid client reference', detail: `The client reference can be a string of up to ${limit} characters.`, problems: [{ name: 'client_ref', reason: `must be a string of at most ${limit} characters.` }] };
  }
  const problems: Problem[] = [];
  if (send.webhookVersion !== undefined && send.webhookVersion !== 'v1' && send.webhookVersion !== 'v0.1') problems.push({ name: 'webhook_version', reason: 'must be v1 or v0.1.' });
  if (send.webhookUrl !== undefined && !isHttpUrl(send.webhookUrl)) problems.push({ name: 'webhook_url', reason: 'must be an absolute http(s) URL.' });
  if (send.context !== undefined && (!isObject(send.context) || !isText(send.context.message_uuid))) problems.push({ name: 'context.message_uuid', reason: 'is required in context.' });

  const type = send.messageType;
  const content = send.content;
  const out: Validated = { to: send.to as string, from: send.from as string, type: type === 'file' ? 'document' : type };
  switch (type) {
    case 'text': {
      const text = content.text;
      if (!isText(text)) problems.push({ name: `${prefix}text`, reason: 'is required.' });
      else if (text.length > MAX_TEXT) problems.push({ name: `${prefix}text`, reason: `must be at most ${MAX_TEXT} characters.` });
      else out.body = text;
      break;
    }
    case 'image':
    case 'video':
    case 'audio':
    case 'file':
    case 'sticker': {
      const media = content[type];
      if (!isObject(media)) {
        problems.push({ name: `${prefix}${type}`, reason: 'is required.' });
        break;
      }
      if (type === 'sticker' && !isText(media.url) && !isText(media.id)) problems.push({ name: `${prefix}sticker.url`, reason: 'is required (or sticker.id).' });
      else if (type !== 'sticker' && !isText(media.url)) problems.push({ name: `${prefix}${type}.url`, reason: 'is required.' });
      else if (isText(media.url)) out.mediaUrl = media.url;
      if (media.caption !== undefined) {
        if (typeof media.caption !== 'string' || media.caption.length > MAX_CAPTION) problems.push({ name: `${prefix}${type}.caption`, reason: `must be a string of at most ${MAX_CAPTION} characters.` });
        else out.body = media.caption;
      }
      break;
    }
    case 'reaction': {
      const reaction = content.reaction;
      if (!isObject(reaction) || (reaction.action !== 'react' && reaction.action !== 'unreact')) problems.push({ name: `${prefix}reaction.action`, reason: 'must be react or unreact.' });
      break;
    }
    case 'custom': {
      const custom = content.custom;
      if (!isObject(custom) || Object.keys(custom).length === 0) {
        problems.push({ name: `${prefix}custom`, reason: 'is required (a WhatsApp message object).' });
        break;
      }
      const template = readCustomTemplate(custom, `${prefix}custom`, problems);
      if (template) {
        out.template = template;
        out.type = template.mediaType ?? 'text';
        if (template.mediaUrl) out.mediaUrl = template.mediaUrl;
      }
      break;
    }
    case 'template': {
      const template = content.template;
      if (!isObject(template) || !isText(template.name)) {
        problems.push({ name: `${prefix}template.name`, reason: 'is required.' });
        break;
      }
      const templateParams = readTemplateParams(template.parameters, `${prefix}template.parameters`, problems);
      // The channel options carry the language: a channel-parameter (1110) error when wrong.
      const whatsappPath = version === 'v1' ? 'whatsapp' : 'message.whatsapp';
      const channelProblems: Problem[] = [];
      const whatsapp = send.whatsapp;
      if (!isObject(whatsapp)) channelProblems.push({ name: whatsappPath, reason: 'is required for templates ({"policy":"deterministic","locale":"en"}).' });
      else {
        if (!isText(whatsapp.locale)) channelProblems.push({ name: `${whatsappPath}.locale`, reason: 'is required.' });
        if (whatsapp.policy !== undefined && whatsapp.policy !== 'deterministic') channelProblems.push({ name: `${whatsappPath}.policy`, reason: 'must be deterministic (fallback was retired by WhatsApp).' });
      }
      if (channelProblems.length > 0 && problems.length === 0) {
        return version === 'v1' ? { code: 1110, title: 'Invalid channel parameters', detail: 'The value of one or more parameters is invalid.', problems: channelProblems } : params(channelProblems);
      }
      out.template = { ...splitNamespace(template.name), params: templateParams, ...(isObject(whatsapp) && typeof whatsapp.locale === 'string' ? { locale: whatsapp.locale } : {}) };
      out.type = 'text';
      break;
    }
  }
  if (problems.length > 0) return params(problems);
  if (typeof send.clientRef === 'string') out.clientRef = send.clientRef;
  if (send.webhookVersion === 'v1' || send.webhookVersion === 'v0.1') out.webhookVersion = send.webhookVersion;
  if (typeof send.webhookUrl === 'string') out.webhookUrl = send.webhookUrl;
  return out;
}

