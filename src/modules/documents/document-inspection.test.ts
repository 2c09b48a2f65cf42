import { crc32 } from 'node:zlib';
import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_MAX_INPUT_PIXELS,
  DEFAULT_UPLOAD_LIMITS,
  inspectUpload,
  makeThumbnail,
  THUMBNAIL_MAX_SIDE,
} from './document-inspection.js';

const MIB = 1024 * 1024;

function solid(width: number, height: number, colour = '#3366cc') {
  return sharp({ create: { width, height, channels: 3, background: colour } });
}

/** A one-page PDF with a correct cross-reference table, built byte by byte. */
function minimalPdf(): Uint8Array {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((object, index) => {
    offsets.push(body.length);
    body += `${index + 1} 0 obj\n${object}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const offset of offsets) body += `${String(offset).padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return new TextEncoder().encode(body);
}

/** The start of an iPhone HEIC file: an ISO-BMFF `ftyp` box with major brand `heic`. */
function heicHeader(): Uint8Array {
  const box = Buffer.alloc(24);
  box.writeUInt32BE(24, 0);
  box.write('ftypheic', 4, 'latin1');
  box.writeUInt32BE(0, 12);
  box.write('mif1heic', 16, 'latin1');
  return box;
}

/** `bytes` at the start of a zero-filled buffer of `size` bytes (magic bytes are all a sniffer reads). */
function padded(bytes: Uint8Array, size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(bytes.subarray(0, Math.min(bytes.length, size)));
  return out;
}

/** Rewrites a PNG's IHDR to claim `width` × `height` (with a correct CRC): a decompression bomb's header. */
function withClaimedSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const out = Buffer.from(png);
  // Signature (8) + IHDR length (4) + "IHDR" (4): width and height follow.
  expect(out.toString('latin1', 12, 16)).toBe('IHDR');
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/** Finds an IFD0 entry in an EXIF block (`Exif\0\0` + TIFF) and says whether a GPS IFD with latitude is there. */
function exifHasGps(exif: Buffer): boolean {
  const tiff = exif.subarray(exif.toString('latin1', 0, 4) === 'Exif' ? 6 : 0);
  const little = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (at: number) => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number) => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const entries = (ifd: number) =>
    Array.from({ length: u16(ifd) }, (_, index) => ({
      tag: u16(ifd + 2 + index * 12),
      value: u32(ifd + 2 + index * 12 + 8),
    }));
  const gpsPointer = entries(u32(4)).find((entry) => entry.tag === 0x8825);
  if (!gpsPointer) return false;
  return entries(gpsPointer.value).some((entry) => entry.tag === 0x0002); // GPSLatitude
}

let jpeg: Uint8Array;
let png: Uint8Array;
let webp: Uint8Array;
let tiff: Uint8Array;
let gif: Uint8Array;
let avif: Uint8Array;
const pdf = minimalPdf();

beforeAll(async () => {
  [jpeg, png, webp, tiff, gif, avif] = await Promise.all([
    solid(64, 48).jpeg().toBuffer(),
    solid(64, 48).png().toBuffer(),
    solid(64, 48).webp().toBuffer(),
    solid(64, 48).tiff().toBuffer(),
    solid(64, 48).gif().toBuffer(),
    solid(64, 48).avif().toBuffer(),
  ]);
});

describe('inspectUpload', () => {
  it('recognises every allowed kind from its content and reports its canonical type and extension', async () => {
    const cases = [
      [jpeg, 'image/jpeg', 'jpg', 'image'],
      [png, 'image/png', 'png', 'image'],
      [webp, 'image/webp', 'webp', 'image'],
      [tiff, 'image/tiff', 'tif', 'image'],
      [heicHeader(), 'image/heic', 'heic', 'image'],
      [pdf, 'application/pdf', 'pdf', 'pdf'],
    ] as const;
    for (const [bytes, contentType, extension, kind] of cases) {
      expect(await inspectUpload(bytes, {}), contentType).toEqual({
        ok: true,
        contentType,
        extension,
        kind,
        size: bytes.byteLength,
      });
    }
  });

  it('accepts matching declarations in their usual spellings', async () => {
    const accepted = [
      [jpeg, { fileName: 'IMG_0001.JPG', contentType: 'image/jpeg' }],
      [jpeg, { fileName: 'photo.jpeg', contentType: 'image/jpg' }],
      [jpeg, { fileName: '车祸现场.jpg', contentType: 'Image/JPEG; charset=binary' }],
      [jpeg, { fileName: 'C:\\Users\\zhang\\Desktop\\scan.jfif', contentType: 'image/pjpeg' }],
      [jpeg, { fileName: 'photo', contentType: 'application/octet-stream' }],
      [jpeg, { fileName: 'report.exe.jpg' }], // the content decides; the last extension agrees with it
      [png, { fileName: 'screen.png', contentType: 'image/png' }],
      [tiff, { fileName: 'fax.TIFF', contentType: 'image/tiff' }],
      [heicHeader(), { fileName: 'IMG_4711.HEIC', contentType: 'image/heif' }],
      [pdf, { fileName: 'invoice.pdf', contentType: 'application/pdf' }],
      [pdf, { fileName: 'invoice.PDF', contentType: '' }],
    ] as const;
    for (const [bytes, declared] of accepted) {
      expect((await inspectUpload(bytes, declared)).ok, JSON.stringify(declared)).toBe(true);
    }
  });

  it('refuses content that is not on the allow-list, whatever it is called', async () => {
    const executable = padded(new TextEncoder().encode('MZ\x90\x00\x03'), 512);
    const html = new TextEncoder().encode('<!DOCTYPE html><html><script>alert(1)</script></html>');
    const svg = new TextEncoder().encode(
      '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
    );
    const zip = padded(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00]), 256);
    const text = new TextEncoder().encode('just some text');
    const refused = [
      [executable, { fileName: 'photo.jpg', contentType: 'image/jpeg' }],
      [html, { fileName: 'photo.jpg', contentType: 'image/jpeg' }],
      [svg, { fileName: 'photo.svg', contentType: 'image/svg+xml' }],
      [zip, { fileName: 'claim.docx' }],
      [text, { fileName: 'notes.pdf', contentType: 'application/pdf' }],
      [gif, { fileName: 'anim.gif', contentType: 'image/gif' }],
      [avif, { fileName: 'photo.avif', contentType: 'image/avif' }],
      [new Uint8Array([0xff, 0xd8]), { fileName: 'truncated.jpg' }],
    ] as const;
    for (const [bytes, declared] of refused) {
      expect(await inspectUpload(bytes, declared), JSON.stringify(declared)).toEqual({
        ok: false,
        reason: 'unsupported-type',
      });
    }
  });

  it('refuses a declared content type that disagrees with the content', async () => {
    const mismatches = [
      [pdf, 'image/png'],
      [jpeg, 'image/png'],
      [png, 'image/jpeg'],
      [jpeg, 'text/html'],
      [jpeg, 'image/svg+xml'],
      [pdf, 'application/x-msdownload'],
      [webp, 'image/tiff'],
    ] as const;
    for (const [bytes, contentType] of mismatches) {
      expect(await inspectUpload(bytes, { contentType }), contentType).toEqual({
        ok: false,
        reason: 'content-type-mismatch',
      });
    }
  });

  it('refuses a file name whose extension disagrees with the content', async () => {
    const mismatches = [
      [jpeg, 'photo.exe'],
      [jpeg, 'photo.jpg.exe'],
      [jpeg, 'photo.html'],
      [jpeg, 'photo.png'],
      [jpeg, 'photo.svg'],
      [pdf, 'scan.jpg'],
      [png, 'claim.pdf'],
      [tiff, 'fax.jpg '],
    ] as const;
    for (const [bytes, fileName] of mismatches) {
      expect(
        await inspectUpload(bytes, { fileName, contentType: 'application/octet-stream' }),
        fileName,
      ).toEqual({
        ok: false,
        reason: 'extension-mismatch',
      });
    }
  });

  it('refuses an empty file', async () => {
    expect(await inspectUpload(new Uint8Array(0), { fileName: 'photo.jpg' })).toEqual({
      ok: false,
      reason: 'empty',
    });
  });

  it('applies per-kind size limits: 15 MiB for images and 25 MiB for PDFs by default', async () => {
    expect(DEFAULT_UPLOAD_LIMITS).toEqual({ maxImageBytes: 15 * MIB, maxPdfBytes: 25 * MIB });
    expect(await inspectUpload(padded(jpeg, 15 * MIB), {})).toMatchObject({ ok: true, size: 15 * MIB });
    expect(await inspectUpload(padded(jpeg, 15 * MIB + 1), {})).toEqual({
      ok: false,
      reason: 'too-large',
      limitBytes: 15 * MIB,
    });
    // The same size is fine for a PDF, up to its own limit.
    expect(await inspectUpload(padded(pdf, 15 * MIB + 1), {})).toMatchObject({ ok: true, kind: 'pdf' });
    expect(await inspectUpload(padded(pdf, 25 * MIB), {})).toMatchObject({ ok: true, kind: 'pdf' });
    expect(await inspectUpload(padded(pdf, 25 * MIB + 1), {})).toEqual({
      ok: false,
      reason: 'too-large',
      limitBytes: 25 * MIB,
    });
  });

  it('takes its limits from the caller', async () => {
    expect(await inspectUpload(jpeg, {}, { maxImageBytes: jpeg.byteLength - 1 })).toEqual({
      ok: false,
      reason: 'too-large',
      limitBytes: jpeg.byteLength - 1,
    });
    expect(await inspectUpload(jpeg, {}, { maxImageBytes: jpeg.byteLength })).toMatchObject({ ok: true });
    expect(await inspectUpload(pdf, {}, { maxPdfBytes: 100 })).toMatchObject({
      ok: false,
      reason: 'too-large',
    });
    // A file larger than every limit is refused before its content is looked at, even if it is garbage.
    expect(await inspectUpload(new Uint8Array(2000), {}, { maxImageBytes: 1000, maxPdfBytes: 1500 })).toEqual(
      {
        ok: false,
        reason: 'too-large',
        limitBytes: 1500,
      },
    );
  });

  it('never returns the file name or declared type in a refusal', async () => {
    const secretName = '张三-身份证-11010519491231002X.exe';
    const refusal = await inspectUpload(jpeg, { fileName: secretName, contentType: 'text/x-zhangsan' });
    expect(refusal.ok).toBe(false);
    expect(JSON.stringify(refusal)).not.toMatch(/张三|11010519491231002X|zhangsan|exe/);
  });
});

describe('makeThumbnail', () => {
  it('loads sharp with WebP output on this machine', () => {
    expect(sharp.versions.vips).toMatch(/^\d+\.\d+/);
    expect(sharp.format.webp.output.buffer).toBe(true);
  });

  it('shrinks to at most 320 px on the long side, keeps the aspect ratio and writes WebP', async () => {
    const large = await solid(1200, 800).jpeg().toBuffer();
    const thumbnail = await makeThumbnail(large);
    expect(thumbnail).toMatchObject({
      ok: true,
      contentType: 'image/webp',
      width: THUMBNAIL_MAX_SIDE,
      height: 213,
    });
    if (!thumbnail.ok) return;
    expect(await fileTypeFromBuffer(thumbnail.bytes)).toEqual({ ext: 'webp', mime: 'image/webp' });
    const metadata = await sharp(thumbnail.bytes).metadata();
    expect([metadata.format, metadata.width, metadata.height]).toEqual(['webp', 320, 213]);

    const tall = await makeThumbnail(await solid(500, 2000).png().toBuffer());
    expect(tall).toMatchObject({ ok: true, width: 80, height: THUMBNAIL_MAX_SIDE });
  });

  it('never enlarges a small image', async () => {
    expect(await makeThumbnail(await solid(100, 50).png().toBuffer())).toMatchObject({
      ok: true,
      width: 100,
      height: 50,
    });
  });

  it('makes thumbnails of every image kind sharp decodes here', async () => {
    for (const bytes of [jpeg, png, webp, tiff]) {
      expect(await makeThumbnail(bytes)).toMatchObject({ ok: true, width: 64, height: 48 });
    }
  });

  it('strips all metadata, including the GPS location of an accident photo', async () => {
    const photo = await solid(1600, 1200)
      .jpeg()
      .withExif({
        IFD0: { Make: 'ClaimPhone', Model: 'Accident 1', Copyright: 'Zhang San' },
        IFD3: {
          GPSLatitudeRef: 'N',
          GPSLatitude: '31/1 14/1 1234/100',
          GPSLongitudeRef: 'E',
          GPSLongitude: '121/1 28/1 0/1',
        },
      })
      .withIccProfile('p3')
      .withXmp(
        '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/" dc:creator="Zhang San"/></rdf:RDF></x:xmpmeta>',
      )
      .toBuffer();
    // The source really carries what must go.
    const source = await sharp(photo).metadata();
    expect(source.exif && exifHasGps(source.exif)).toBe(true);
    expect(source.icc).toBeDefined();
    expect(source.xmp).toBeDefined();

    const thumbnail = await makeThumbnail(photo);
    expect(thumbnail.ok).toBe(true);
    if (!thumbnail.ok) return;
    const metadata = await sharp(thumbnail.bytes).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
    expect(metadata.iptc).toBeUndefined();
    expect(metadata.orientation).toBeUndefined();
    // And at the byte level: no EXIF, XMP or ICC chunk in the WebP container, no trace of the values.
    const text = Buffer.from(thumbnail.bytes).toString('latin1');
    for (const trace of ['EXIF', 'Exif', 'XMP ', 'ICCP', 'ClaimPhone', 'Zhang San', 'VP8X']) {
      expect(text, trace).not.toContain(trace);
    }
  });

  it('turns the picture upright by its EXIF orientation before dropping it', async () => {
    // Left half red, right half blue; orientation 6 means "rotate 90° clockwise to view".
    const sideways = await sharp({ create: { width: 400, height: 200, channels: 3, background: '#0000ff' } })
      .composite([
        {
          input: { create: { width: 200, height: 200, channels: 3, background: '#ff0000' } },
          left: 0,
          top: 0,
        },
      ])
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    expect((await sharp(sideways).metadata()).orientation).toBe(6);

    const thumbnail = await makeThumbnail(sideways);
    expect(thumbnail).toMatchObject({ ok: true, width: 160, height: 320 });
    if (!thumbnail.ok) return;
    const { data, info } = await sharp(thumbnail.bytes)
      .removeAlpha()
      .raw()
      .toBuffer({ resolveWithObject: true });
    const pixel = (x: number, y: number) =>
      Array.from(data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3));
    const [topRed, , topBlue] = pixel(80, 40);
    const [bottomRed, , bottomBlue] = pixel(80, 280);
    // Rotated clockwise, the left (red) half is now on top.
    expect(topRed).toBeGreaterThan(200);
    expect(topBlue).toBeLessThan(60);
    expect(bottomBlue).toBeGreaterThan(200);
    expect(bottomRed).toBeLessThan(60);
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const tiny = await solid(1, 1).png().toBuffer();
    const bomb = withClaimedSize(tiny, 50_000, 50_000);
    expect(bomb.byteLength).toBeLessThan(200);
    expect((await sharp(bomb, { limitInputPixels: false }).metadata()).width).toBe(50_000);
    expect(50_000 * 50_000).toBeGreaterThan(DEFAULT_MAX_INPUT_PIXELS);
    expect(await makeThumbnail(bomb)).toEqual({ ok: false, reason: 'too-many-pixels' });
  });

  it('takes the pixel limit from the caller', async () => {
    expect(await makeThumbnail(jpeg, { maxInputPixels: 64 * 48 - 1 })).toEqual({
      ok: false,
      reason: 'too-many-pixels',
    });
    expect(await makeThumbnail(jpeg, { maxInputPixels: 64 * 48 })).toMatchObject({ ok: true });
  });

  it('refuses what it cannot decode with a reason instead of throwing', async () => {
    for (const bytes of [
      pdf,
      heicHeader(), // the prebuilt libvips has no HEVC decoder
      new Uint8Array([1, 2, 3]),
      jpeg.subarray(0, 40), // truncated
      new Uint8Array(0),
    ]) {
      expect(await makeThumbnail(bytes)).toEqual({ ok: false, reason: 'unsupported-image' });
    }
  });
});
