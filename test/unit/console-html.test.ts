import { describe, expect, it } from 'vitest';
import { html, query } from '../../src/console/html.js';

describe('console HTML', () => {
  it('escapes every interpolated value, nested lists included, and keeps escaped parts as they are', () => {
    const name = `<img src=x onerror="alert('x')">&\``;
    const row = html`<td>${name}</td>`;
    const page = html`<table>${[row, html`<td>${42}</td>`]}</table><a title="${name}">${null}${undefined}${false}</a>`;
    expect(page.text).toBe(
      '<table><td>&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;&#96;</td><td>42</td></table><a title="&lt;img src=x onerror=&quot;alert(&#39;x&#39;)&quot;&gt;&amp;&#96;"></a>',
    );
    expect(page.text).not.toMatch(/<img/);
  });

  it('query strings encode each value and leave out empty ones', () => {
    expect(query({ source: 'a&b=c', q: '', id: 3, x: undefined })).toBe('?source=a%26b%3Dc&id=3');
    expect(query({})).toBe('');
  });
});
