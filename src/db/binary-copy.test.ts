import { describe, expect, it } from 'vitest';
import { BinaryCopyError, binaryCopyRows } from './binary-copy.js';

function encode(rows: (Buffer | null)[][]): Buffer {
  const parts: Buffer[] = [Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const field of row) {
      const length = Buffer.alloc(4);
      length.writeInt32BE(field === null ? -1 : field.length);
      parts.push(length);
      if (field) parts.push(field);
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

async function* inChunks(bytes: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

async function collect(chunks: AsyncIterable<Buffer>) {
  const rows: (Buffer | null)[][] = [];
  for await (const row of binaryCopyRows(chunks))
    rows.push(row.map((field) => (field ? Buffer.from(field) : null)));
  return rows;
}

describe('binary COPY parser', () => {
  const rows = [
    [Buffer.from([0, 0, 0, 0, 0, 0, 0, 7]), Buffer.from('{"a":1}'), null],
    [Buffer.from([0, 0, 0, 0, 0, 0, 0, 8]), Buffer.alloc(0), Buffer.from('ff', 'hex')],
  ];

  it('yields every row whatever the chunk boundaries', async () => {
    const bytes = encode(rows);
    for (const size of [1, 2, 3, 7, 19, 64, bytes.length])
      expect(await collect(inChunks(bytes, size))).toEqual(rows);
  });

  it('refuses a stream that is not binary COPY, or that ends inside a row', async () => {
    await expect(collect(inChunks(Buffer.from('seq,canonical\n1,x\n........'), 4))).rejects.toBeInstanceOf(
      BinaryCopyError,
    );
    const bytes = encode(rows);
    await expect(collect(inChunks(bytes.subarray(0, bytes.length - 5), 8))).rejects.toBeInstanceOf(
      BinaryCopyError,
    );
  });
});
