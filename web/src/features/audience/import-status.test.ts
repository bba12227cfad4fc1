import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ImportStatusBadge } from './import-status';

describe('ImportStatusBadge', () => {
  it('names each status as the dashboard does elsewhere, not with the API value', () => {
    const markup = (status: 'running' | 'completed' | 'failed') => renderToStaticMarkup(createElement(ImportStatusBadge, { status }));
    expect(markup('running')).toBe('<span class="badge badge--accent">Running</span>');
    expect(markup('completed')).toBe('<span class="badge badge--success">Completed</span>');
    expect(markup('failed')).toBe('<span class="badge badge--danger">Failed</span>');
  });
});
