import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { ColumnHeads } from './column-heads';

describe('ColumnHeads', () => {
  it('writes the heading row the tables had by hand: plain, numeric and screen-reader-only columns', () => {
    const markup = renderToStaticMarkup(createElement(ColumnHeads, { columns: ['Name', { label: 'Sent', numeric: true }, { label: 'Actions', hidden: true }] }));
    expect(markup).toBe(
      '<thead><tr><th scope="col">Name</th><th scope="col" class="num">Sent</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>',
    );
  });
});
