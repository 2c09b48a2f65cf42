import { inflateSync } from 'node:zlib';

/**
 * Reads the text of a PDF written by pdfkit, for tests, without a PDF library: inflates the streams,
 * decodes each embedded font's ToUnicode CMap, and decodes the hex strings of every `Tj`/`TJ` with the
 * font selected by the last `Tf`. It handles what pdfkit writes (Identity-H fonts, two-byte glyph ids,
 * bfrange/bfchar CMaps), not PDF in general. Returns one string per text-showing operator, in order.
 */
export function pdfTextRuns(pdf: Buffer): string[] {
  const source = pdf.toString('latin1');
  const objects = new Map<number, { dict: string; stream: Buffer | null }>();
  for (const match of source.matchAll(/(\d+) 0 obj\s*([\s\S]*?)\bendobj/g)) {
    const body = match[2] ?? '';
    const streamAt = body.indexOf('stream');
    if (streamAt < 0) {
      objects.set(Number(match[1]), { dict: body, stream: null });
      continue;
    }
    const dict = body.slice(0, streamAt);
    const length = Number(/\/Length (\d+)/.exec(dict)?.[1] ?? -1);
    let start = streamAt + 'stream'.length;
    if (body[start] === '\r') start++;
    if (body[start] === '\n') start++;
    const raw = Buffer.from(
      body.slice(start, length >= 0 ? start + length : body.lastIndexOf('endstream')),
      'latin1',
    );
    objects.set(Number(match[1]), { dict, stream: dict.includes('/FlateDecode') ? inflateSync(raw) : raw });
  }

  const cmapOf = new Map<number, Map<number, string>>();
  for (const [id, object] of objects) {
    const ref = /\/ToUnicode (\d+) 0 R/.exec(object.dict)?.[1];
    const cmap = ref ? objects.get(Number(ref))?.stream : null;
    if (cmap) cmapOf.set(id, parseCmap(cmap.toString('latin1')));
  }
  const fontOfResource = new Map<string, number>();
  for (const object of objects.values())
    for (const match of object.dict.matchAll(/\/(F\d+) (\d+) 0 R/g))
      fontOfResource.set(match[1] ?? '', Number(match[2]));

  const runs: string[] = [];
  for (const object of objects.values()) {
    if (!object.stream || object.dict.includes('/ToUnicode') || object.dict.includes('/Subtype')) continue;
    const content = object.stream.toString('latin1');
    if (!/T[jJ]/.test(content)) continue;
    let cmap: Map<number, string> | undefined;
    for (const match of content.matchAll(/\/(F\d+) [\d.]+ Tf|(\[[^\]]*\]) TJ|<([0-9a-fA-F]*)> Tj/g)) {
      if (match[1]) {
        cmap = cmapOf.get(fontOfResource.get(match[1]) ?? -1);
        continue;
      }
      const hexes = match[2]
        ? [...match[2].matchAll(/<([0-9a-fA-F]*)>/g)].map((hex) => hex[1] ?? '')
        : [match[3] ?? ''];
      let text = '';
      for (const hex of hexes)
        for (let at = 0; at + 4 <= hex.length; at += 4)
          text += cmap?.get(Number.parseInt(hex.slice(at, at + 4), 16)) ?? '\uFFFD';
      runs.push(text);
    }
  }
  return runs;
}

/** All the text of a pdfkit PDF, runs joined by new lines. */
export function pdfText(pdf: Buffer): string {
  return pdfTextRuns(pdf).join('\n');
}

function utf16(spaced: string): string {
  const hex = spaced.replace(/\s/g, '');
  const units: number[] = [];
  for (let at = 0; at + 4 <= hex.length; at += 4) units.push(Number.parseInt(hex.slice(at, at + 4), 16));
  return String.fromCharCode(...units);
}

function parseCmap(text: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of text.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    const body = block[1] ?? '';
    for (const entry of body.matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*(\[[^\]]*\]|<[0-9a-fA-F]+>)/g)) {
      const from = Number.parseInt(entry[1] ?? '0', 16);
      const to = Number.parseInt(entry[2] ?? '0', 16);
      const target = entry[3] ?? '';
      if (target.startsWith('[')) {
        // An entry may hold several code points (a ligature such as "fi": <0066 0069>).
        const values = [...target.matchAll(/<([0-9a-fA-F ]*)>/g)].map((value) => utf16(value[1] ?? ''));
        for (const [index, value] of values.entries()) map.set(from + index, value);
      } else {
        const base = Number.parseInt(target.slice(1, -1), 16);
        for (let code = from; code <= to; code++) map.set(code, String.fromCharCode(base + code - from));
      }
    }
  }
  for (const block of text.matchAll(/beginbfchar([\s\S]*?)endbfchar/g))
    for (const entry of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>/g))
      map.set(Number.parseInt(entry[1] ?? '0', 16), utf16(entry[2] ?? ''));
  return map;
}
