/**
 * Parses PostgreSQL's binary COPY stream (`COPY … TO STDOUT (FORMAT binary)`) into rows of raw field
 * bytes. Used where a read of every row must go fast (audit verification): no text encoding on the
 * server, no per-row objects in the driver.
 */
const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');

export class BinaryCopyError extends Error {
  override readonly name = 'BinaryCopyError';
}

export async function* binaryCopyRows(chunks: AsyncIterable<Buffer>): AsyncGenerator<(Buffer | null)[]> {
  let buffer: Buffer = Buffer.alloc(0);
  let offset = 0;
  let headerRead = false;
  const available = () => buffer.length - offset;

  for await (const chunk of chunks) {
    buffer = offset < buffer.length ? Buffer.concat([buffer.subarray(offset), chunk]) : chunk;
    offset = 0;
    if (!headerRead) {
      if (available() < 19) continue;
      if (!buffer.subarray(0, 11).equals(SIGNATURE)) throw new BinaryCopyError('not a binary COPY stream');
      const extension = buffer.readInt32BE(15);
      if (available() < 19 + extension) continue;
      offset = 19 + extension;
      headerRead = true;
    }
    for (;;) {
      if (available() < 2) break;
      const fields = buffer.readInt16BE(offset);
      if (fields === -1) return;
      // Walk the row without consuming it until it is complete in the buffer.
      let cursor = offset + 2;
      const row: (Buffer | null)[] = [];
      let complete = true;
      for (let i = 0; i < fields; i++) {
        if (buffer.length - cursor < 4) {
          complete = false;
          break;
        }
        const length = buffer.readInt32BE(cursor);
        cursor += 4;
        if (length === -1) {
          row.push(null);
          continue;
        }
        if (buffer.length - cursor < length) {
          complete = false;
          break;
        }
        row.push(buffer.subarray(cursor, cursor + length));
        cursor += length;
      }
      if (!complete) break;
      offset = cursor;
      yield row;
    }
  }
  // The trailer returns above: a stream that ends without it was cut short.
  throw new BinaryCopyError('the COPY stream ended before its trailer');
}
