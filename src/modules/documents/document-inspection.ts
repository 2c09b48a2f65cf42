import { fileTypeFromBuffer } from 'file-type';
import sharp from 'sharp';

/**
 * Checks on an uploaded claim document before it is stored: what it really is (from its first bytes, not
 * from what the client says), whether that is a kind we accept, whether the client's name and type agree
 * with it, and whether its size is within the limit for its kind.
 *
 * SECURITY:
 * - The type comes from the content (`file-type` reads magic bytes). A declared type or file extension is
 *   only compared with it: an executable or HTML page named `photo.jpg`, or a PDF sent as `image/png`, is
 *   refused, so nothing downstream (a viewer, a browser given our Content-Type) treats one kind as another.
 * - Only an allow-list of kinds passes. SVG, HTML, office files, archives and executables never do.
 * - Refusals are values with a reason, never exceptions carrying the file name or bytes.
 * - Magic bytes prove the start of a file, not the rest: a file is still served with the type found here,
 *   `X-Content-Type-Options: nosniff` and as an attachment, and images are shown as our own thumbnails.
 */
export type DocumentKind = 'image' | 'pdf';

export interface AcceptedType {
  contentType: string;
  /** The canonical extension for stored files. */
  extension: string;
  kind: DocumentKind;
  /** Extensions a client may name such a file with (lower case, without the dot). */
  extensions: readonly string[];
  /** Content types a client may declare for it besides `contentType`. */
  aliases: readonly string[];
}

/** The allow-list, keyed by the MIME type `file-type` reports. */
const ACCEPTED: Record<string, AcceptedType> = {
  'image/jpeg': {
    contentType: 'image/jpeg',
    extension: 'jpg',
    kind: 'image',
    extensions: ['jpg', 'jpeg', 'jpe', 'jfif'],
    aliases: ['image/jpg', 'image/pjpeg'],
  },
  'image/png': {
    contentType: 'image/png',
    extension: 'png',
    kind: 'image',
    extensions: ['png'],
    aliases: ['image/x-png'],
  },
  'image/webp': {
    contentType: 'image/webp',
    extension: 'webp',
    kind: 'image',
    extensions: ['webp'],
    aliases: [],
  },
  'image/tiff': {
    contentType: 'image/tiff',
    extension: 'tif',
    kind: 'image',
    extensions: ['tif', 'tiff'],
    aliases: ['image/tiff-fx'],
  },
  // iPhone photos: `file-type` reports brand `heic` as image/heic and `mif1` as image/heif.
  'image/heic': {
    contentType: 'image/heic',
    extension: 'heic',
    kind: 'image',
    extensions: ['heic', 'heif'],
    aliases: ['image/heif'],
  },
  'image/heif': {
    contentType: 'image/heif',
    extension: 'heic',
    kind: 'image',
    extensions: ['heic', 'heif'],
    aliases: ['image/heic'],
  },
  'application/pdf': {
    contentType: 'application/pdf',
    extension: 'pdf',
    kind: 'pdf',
    extensions: ['pdf'],
    aliases: ['application/x-pdf'],
  },
};

export const ACCEPTED_CONTENT_TYPES: readonly string[] = Object.keys(ACCEPTED);

/** What a client declares about an upload; each part is optional and, when given, must agree with the content. */
export interface DeclaredUpload {
  fileName?: string | undefined;
  contentType?: string | undefined;
}

/** Largest accepted size per kind, in bytes. */
export interface UploadLimits {
  maxImageBytes: number;
  maxPdfBytes: number;
}

const MIB = 1024 * 1024;
export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = {
  maxImageBytes: 15 * MIB,
  maxPdfBytes: 25 * MIB,
};

export type UploadRefusal =
  /** No bytes at all. */
  | 'empty'
  /** Larger than the limit for its kind (or than every limit, when it is larger than all of them). */
  | 'too-large'
  /** The content is not a kind on the allow-list (or not recognisable at all). */
  | 'unsupported-type'
  /** The declared content type names a different kind than the content is. */
  | 'content-type-mismatch'
  /** The file name's extension does not belong to the kind the content is. */
  | 'extension-mismatch';

export type UploadInspection =
  | { ok: true; contentType: string; extension: string; kind: DocumentKind; size: number }
  | { ok: false; reason: UploadRefusal; limitBytes?: number };

/** Declared types that say nothing about the content: browsers send them for files they do not know. */
const UNINFORMATIVE_TYPES = new Set(['', 'application/octet-stream', 'binary/octet-stream']);

export async function inspectUpload(
  bytes: Uint8Array,
  declared: DeclaredUpload = {},
  limits: Partial<UploadLimits> = {},
): Promise<UploadInspection> {
  const { maxImageBytes, maxPdfBytes } = { ...DEFAULT_UPLOAD_LIMITS, ...limits };
  const size = bytes.byteLength;
  if (size === 0) return { ok: false, reason: 'empty' };
  // Larger than any kind may be: refused before looking inside.
  const largest = Math.max(maxImageBytes, maxPdfBytes);
  if (size > largest) return { ok: false, reason: 'too-large', limitBytes: largest };

  const detected = await fileTypeFromBuffer(bytes);
  const accepted = detected ? ACCEPTED[detected.mime] : undefined;
  if (!accepted) return { ok: false, reason: 'unsupported-type' };

  const declaredType = normaliseContentType(declared.contentType);
  if (
    !UNINFORMATIVE_TYPES.has(declaredType) &&
    declaredType !== accepted.contentType &&
    !accepted.aliases.includes(declaredType)
  ) {
    return { ok: false, reason: 'content-type-mismatch' };
  }

  const extension = extensionOf(declared.fileName);
  if (extension !== undefined && !accepted.extensions.includes(extension)) {
    return { ok: false, reason: 'extension-mismatch' };
  }

  const limit = accepted.kind === 'pdf' ? maxPdfBytes : maxImageBytes;
  if (size > limit) return { ok: false, reason: 'too-large', limitBytes: limit };

  return {
    ok: true,
    contentType: accepted.contentType,
    extension: accepted.extension,
    kind: accepted.kind,
    size,
  };
}

/** `Image/JPEG; charset=binary` → `image/jpeg`. */
function normaliseContentType(value: string | undefined): string {
  return (value ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/**
 * The last extension of a file name, lower case: `Scan.PDF` → `pdf`, `photo.jpg.exe` → `exe`; undefined when
 * the name has none (`scan`, `.profile`). Both kinds of path separator are ignored, as clients send either.
 */
function extensionOf(fileName: string | undefined): string | undefined {
  if (fileName === undefined) return undefined;
  const base = fileName.trim().split(/[/\\]/).pop() ?? '';
  const dot = base.lastIndexOf('.');
  if (dot <= 0) return undefined;
  return base
    .slice(dot + 1)
    .trim()
    .toLowerCase();
}

/** Longest side of a thumbnail, in pixels. */
export const THUMBNAIL_MAX_SIDE = 320;
/**
 * Default largest image (width × height) we decode: 100 megapixels covers 50- and 100-megapixel phone
 * cameras; a decompression bomb (a small file declaring a huge canvas) is refused from its header.
 */
export const DEFAULT_MAX_INPUT_PIXELS = 100_000_000;

export interface ThumbnailOptions {
  maxInputPixels?: number;
}

export type ThumbnailResult =
  | { ok: true; bytes: Uint8Array; contentType: 'image/webp'; width: number; height: number }
  | {
      ok: false;
      /**
       * `too-many-pixels`: over the pixel limit (a decompression bomb or an absurd canvas);
       * `unsupported-image`: not an image this build of sharp decodes (e.g. HEIC: the prebuilt libvips has
       * no HEVC decoder, for patent reasons), or damaged beyond reading.
       */
      reason: 'too-many-pixels' | 'unsupported-image';
    };

/**
 * A WebP thumbnail at most {@link THUMBNAIL_MAX_SIDE} px on its long side, turned upright by the EXIF
 * orientation, never enlarged.
 *
 * SECURITY: the output carries no metadata at all: no EXIF (a photo of an accident carries where and when
 * it was taken, and on which phone), no XMP, no ICC profile (colours are converted to sRGB first). sharp
 * writes none unless asked (`keepMetadata`, `keepExif`, `withMetadata`…), which this never does, and the
 * tests check the output. The pixel limit is checked on the header before anything is decoded, and again
 * by libvips while decoding.
 */
export async function makeThumbnail(
  imageBytes: Uint8Array,
  options: ThumbnailOptions = {},
): Promise<ThumbnailResult> {
  const maxInputPixels = options.maxInputPixels ?? DEFAULT_MAX_INPUT_PIXELS;
  let width: number | undefined;
  let height: number | undefined;
  try {
    // Reads the header only; no limit here so that a bomb is told apart from a broken file.
    ({ width, height } = await sharp(imageBytes, { limitInputPixels: false }).metadata());
  } catch {
    return { ok: false, reason: 'unsupported-image' };
  }
  if (!width || !height) return { ok: false, reason: 'unsupported-image' };
  if (width * height > maxInputPixels) return { ok: false, reason: 'too-many-pixels' };
  try {
    const { data, info } = await sharp(imageBytes, {
      limitInputPixels: maxInputPixels,
      failOn: 'error',
      sequentialRead: true,
    })
      .autoOrient()
      .resize(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE, { fit: 'inside', withoutEnlargement: true })
      .toColourspace('srgb')
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return {
      ok: true,
      bytes: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      contentType: 'image/webp',
      width: info.width,
      height: info.height,
    };
  } catch (error) {
    if (error instanceof Error && /pixel limit/i.test(error.message))
      return { ok: false, reason: 'too-many-pixels' };
    return { ok: false, reason: 'unsupported-image' };
  }
}
