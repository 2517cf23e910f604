/** The answer shortened for a terminal: for HTML its title, heading and visible text. */
export function summarize(body: string, contentType: string): string {
  const limit = 1000;
  const isHtml = /html/i.test(contentType) || /^\s*<(!doctype|html)/i.test(body);
  if (!isHtml) return shorten(body.trim(), limit);
  const text = (pattern: RegExp) => collapse(pattern.exec(body)?.[1] ?? '');
  const lines: string[] = [];
  const title = text(/<title[^>]*>([\s\S]*?)<\/title>/i);
  const heading = text(/<h1[^>]*>([\s\S]*?)<\/h1>/i);
  if (title !== '') lines.push(`title: ${title}`);
  if (heading !== '') lines.push(`h1: ${heading}`);
  const visible = collapse(
    body
      .replace(/<(head|style|script)\b[\s\S]*?<\/\1\s*>/gi, ' ')
      .replace(/<[^>]*>/g, ' ')
      .replace(/&nbsp;/g, ' '),
  );
  lines.push(shorten(decodeEntities(visible), limit));
  return lines.join('\n');
}

function collapse(value: string): string {
  return decodeEntities(value.replace(/<[^>]*>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

function decodeEntities(value: string): string {
  const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", middot: '·' };
  return value.replace(/&(#\d+|#x[0-9a-f]+|[a-z]+);/gi, (entity, code: string) => {
    if (!code.startsWith('#')) return named[code.toLowerCase()] ?? entity;
    const point = /^#x/i.test(code) ? Number.parseInt(code.slice(2), 16) : Number(code.slice(1));
    return point <= 0x10ffff ? String.fromCodePoint(point) : entity;
  });
}

function shorten(value: string, limit: number): string {
  return value.length <= limit
    ? value
    : `${value.slice(0, limit)}… (${value.length - limit} more characters)`;
}
