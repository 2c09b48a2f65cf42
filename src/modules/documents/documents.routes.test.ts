import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StaffSession, signInAs } from '../../test-support/staff-session.js';
import { createTestServer, type TestServer } from '../../test-support/test-server.js';
import { abilityFor } from '../access/abilities.js';
import { CSRF_HEADER } from '../access/route-access.js';
import { seedClaimsWorld } from '../claims/claims-test-kit.js';
import type { DocumentsService } from './documents.service.js';

/**
 * Claim documents over HTTP (issue "Documents"): upload with content checks, metadata-only listing,
 * download of content and thumbnail with purpose and step-up, encryption at rest bound to the row, and
 * the audit trail of every upload, download and refusal.
 */
const MIB = 1024 * 1024;
/** A file name with personal data in it: it must never come back, nor reach the logs. */
const PERSONAL_FILE_NAME = '张三丰-身份证-440304198510123458';

type AuditedEvent = {
  action: string;
  actor: { id: string | null; type: string };
  resource: { type: string; id: string | null };
  dataSubjectId: string | null;
  purpose: string | null;
  outcome: string;
  fields: string[];
  details: Record<string, unknown>;
};

/** A noisy photo with EXIF, so that its bytes are distinctive and its metadata must not survive. */
async function accidentPhoto(seed = 1): Promise<Buffer> {
  return sharp({
    create: {
      width: 640 + seed,
      height: 480,
      channels: 3,
      background: '#000',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .jpeg({ quality: 85 })
    .withExif({ IFD0: { Copyright: 'EXIF-MARKER-ClaimGuard', Artist: 'EXIF-ARTIST-Zhang' } })
    .toBuffer();
}

/** A one-page PDF with a correct cross-reference table. */
function minimalPdf(): Buffer {
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
  return Buffer.from(body, 'latin1');
}

describe('claim documents API', () => {
  let server: TestServer;
  let world: Awaited<ReturnType<typeof seedClaimsWorld>>;
  let intake: StaffSession;
  let adjuster: StaffSession;
  let finance: StaffSession;
  let auditor: StaffSession;
  let claimId: string;

  beforeAll(async () => {
    server = await createTestServer({ rateLimit: 100_000 });
    world = await seedClaimsWorld(server);
    intake = await signInAs(server, 'claims_intake');
    adjuster = await signInAs(server, 'adjuster');
    finance = await signInAs(server, 'finance');
    auditor = await signInAs(server, 'internal_auditor');
    claimId = await reportClaim();
  }, 300_000);

  afterAll(async () => {
    await server?.close();
  });

  async function reportClaim(): Promise<string> {
    const response = await intake.request('POST', '/api/v1/claims', {
      policyNumber: world.motorNumber,
      claimantId: world.zhang,
      incidentDate: world.yesterday,
    });
    expect(response.statusCode).toBe(201);
    return (response.json() as { id: string }).id;
  }

  function upload(
    session: StaffSession,
    id: string,
    bytes: Buffer,
    options: { category?: string; name?: string; type?: string; contentType?: string } = {},
  ) {
    return server.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${id}/documents?category=${options.category ?? 'photo'}`,
      headers: {
        cookie: session.cookie,
        [CSRF_HEADER]: session.csrfToken,
        'content-type': options.contentType ?? 'application/octet-stream',
        ...(options.name !== undefined ? { 'x-document-name': encodeURIComponent(options.name) } : {}),
        ...(options.type !== undefined ? { 'x-document-type': options.type } : {}),
      },
      payload: bytes,
    });
  }

  async function uploaded(session: StaffSession, bytes: Buffer, options = {}): Promise<string> {
    const response = await upload(session, claimId, bytes, options);
    expect(response.statusCode, response.body).toBe(201);
    return (response.json() as { id: string }).id;
  }

  async function auditEvents(action: string): Promise<AuditedEvent[]> {
    const { rows } = await sql<{ canonical: Buffer }>`select canonical from audit_events`.execute(
      server.store.db,
    );
    const pending = await sql<{ event: unknown }>`select event from audit_inbox`
      .execute(server.store.db)
      .catch(() => ({ rows: [] }));
    return [
      ...rows.map((row) => JSON.parse(Buffer.from(row.canonical).toString('utf8'))),
      ...pending.rows.map((row) => row.event),
    ].filter((event) => (event as { action: string }).action === action) as AuditedEvent[];
  }

  async function setSecondFactorAge(session: StaffSession, minutes: number) {
    await sql`update staff_sessions set second_factor_at = now() - make_interval(mins => ${minutes}) where user_id = ${session.userId}`.execute(
      server.store.db,
    );
  }

  it('uploads a photo, lists it as metadata only, and returns thumbnail and content for a purpose', async () => {
    const photo = await accidentPhoto();
    const response = await upload(intake, claimId, photo, { name: 'IMG_0001.JPG', type: 'image/jpeg' });
    expect(response.statusCode, response.body).toBe(201);
    const created = response.json();
    expect(created).toMatchObject({
      claimId,
      category: 'photo',
      contentType: 'image/jpeg',
      size: photo.byteLength,
      uploader: { type: 'staff', role: 'claims_intake' },
      hasThumbnail: true,
    });

    const list = await intake.request('GET', `/api/v1/claims/${claimId}/documents`);
    expect(list.statusCode).toBe(200);
    const items = (list.json() as { items: Record<string, unknown>[] }).items;
    const listed = items.find((item) => item.id === created.id);
    expect(Object.keys(listed ?? {}).sort()).toEqual(
      ['category', 'claimId', 'contentType', 'createdAt', 'hasThumbnail', 'id', 'size', 'uploader'].sort(),
    );
    expect(list.body).not.toContain('IMG_0001');

    const thumbnail = await intake.request(
      'GET',
      `/api/v1/documents/${created.id}/thumbnail?purpose=claim-handling`,
    );
    expect(thumbnail.statusCode).toBe(200);
    expect(thumbnail.headers['content-type']).toBe('image/webp');
    expect(thumbnail.headers['content-disposition']).toBe(
      `attachment; filename="${created.id}-thumbnail.webp"`,
    );
    expect(thumbnail.headers['x-content-type-options']).toBe('nosniff');
    expect(thumbnail.headers['cache-control']).toBe('no-store');
    const thumbnailMeta = await sharp(thumbnail.rawPayload).metadata();
    expect(thumbnailMeta.format).toBe('webp');
    expect(Math.max(thumbnailMeta.width ?? 0, thumbnailMeta.height ?? 0)).toBeLessThanOrEqual(320);
    expect(thumbnailMeta.exif).toBeUndefined();
    expect(thumbnail.rawPayload.toString('latin1')).not.toContain('EXIF-MARKER');

    const content = await intake.request(
      'GET',
      `/api/v1/documents/${created.id}/content?purpose=claim-handling`,
    );
    expect(content.statusCode).toBe(200);
    expect(content.headers['content-type']).toBe('image/jpeg');
    expect(content.headers['content-disposition']).toBe(`attachment; filename="${created.id}.jpg"`);
    expect(content.headers['x-content-type-options']).toBe('nosniff');
    expect(content.headers['cache-control']).toBe('no-store');
    // The original is kept as evidence, byte for byte (its EXIF included); only the thumbnail is stripped.
    expect(Buffer.compare(content.rawPayload, photo)).toBe(0);
  });

  it('stores a medical PDF under the health field, without a thumbnail', async () => {
    const pdf = minimalPdf();
    const id = await uploaded(intake, pdf, {
      category: 'medical',
      name: '出院小结.pdf',
      type: 'application/pdf',
    });
    const { items } = (await intake.request('GET', `/api/v1/claims/${claimId}/documents`)).json() as {
      items: { id: string; category: string; hasThumbnail: boolean; contentType: string }[];
    };
    expect(items.find((item) => item.id === id)).toMatchObject({
      category: 'medical',
      contentType: 'application/pdf',
      hasThumbnail: false,
    });
    const { rows } = await sql<{ field: string }>`select field from documents where id = ${id}`.execute(
      server.store.db,
    );
    expect(rows[0]?.field).toBe('document.health_record');
    const content = await intake.request('GET', `/api/v1/documents/${id}/content?purpose=claim-handling`);
    expect(content.headers['content-type']).toBe('application/pdf');
    expect(content.headers['content-disposition']).toBe(`attachment; filename="${id}.pdf"`);
    expect(Buffer.compare(content.rawPayload, pdf)).toBe(0);
    expect(
      (await intake.request('GET', `/api/v1/documents/${id}/thumbnail?purpose=claim-handling`)).statusCode,
    ).toBe(404);
  });

  it('keeps only ciphertext at rest, bound to its row: moved to another document it does not decrypt', async () => {
    const photo = await accidentPhoto(2);
    const first = await uploaded(intake, photo);
    const second = await uploaded(intake, await accidentPhoto(3));
    const { rows } = await sql<{ id: string; content_ct: Buffer; thumbnail_ct: Buffer | null }>`
      select id, content_ct, thumbnail_ct from documents where id in (${first}, ${second})`.execute(
      server.store.db,
    );
    const stored = rows.find((row) => row.id === first);
    const ciphertext = Buffer.from(stored?.content_ct ?? []);
    expect(ciphertext.byteLength).toBeGreaterThan(photo.byteLength);
    // No run of 32 plaintext bytes anywhere in the ciphertext (the JPEG header, EXIF or pixel data).
    for (const offset of [0, 100, 1_000, Math.floor(photo.byteLength / 2), photo.byteLength - 32]) {
      expect(ciphertext.indexOf(photo.subarray(offset, offset + 32))).toBe(-1);
    }
    expect(ciphertext.toString('latin1')).not.toContain('EXIF-MARKER');
    expect(stored?.thumbnail_ct).not.toBeNull();

    // Swap the first document's ciphertext into the second's row: same subject, same field, other row.
    await sql`update documents set content_ct = ${ciphertext} where id = ${second}`.execute(server.store.db);
    const moved = await intake.request('GET', `/api/v1/documents/${second}/content?purpose=claim-handling`);
    expect(moved.statusCode).toBe(500);
    expect(moved.json()).toMatchObject({ type: '/problems/ciphertext-invalid' });
    expect(Buffer.compare(moved.rawPayload, photo)).not.toBe(0);
    expect(moved.rawPayload.indexOf(photo.subarray(0, 64))).toBe(-1);
  });

  it('refuses empty, oversized, disguised and unsupported files with a reason and without echoing the name', async () => {
    const photo = await accidentPhoto(4);
    const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c33' } })
      .png()
      .toBuffer();
    const cases: {
      name: string;
      bytes: Buffer;
      options: Parameters<typeof upload>[3];
      status: number;
      reason?: string;
    }[] = [
      { name: 'empty', bytes: Buffer.alloc(0), options: {}, status: 400, reason: 'empty' },
      {
        name: 'image over the image limit',
        bytes: Buffer.concat([png, Buffer.alloc(16 * MIB)]),
        options: { name: `${PERSONAL_FILE_NAME}.png` },
        status: 413,
        reason: 'too-large',
      },
      {
        name: 'HTML named photo.jpg',
        bytes: Buffer.from('<!doctype html><html><script>alert(document.cookie)</script></html>'),
        options: { name: `${PERSONAL_FILE_NAME}.jpg`, type: 'image/jpeg' },
        status: 415,
        reason: 'unsupported-type',
      },
      {
        name: 'PDF declared as image/png',
        bytes: minimalPdf(),
        options: { category: 'medical', type: 'image/png', name: `${PERSONAL_FILE_NAME}.png` },
        status: 415,
        reason: 'content-type-mismatch',
      },
      {
        name: 'JPEG named .exe',
        bytes: photo,
        options: { name: `${PERSONAL_FILE_NAME}.jpg.exe` },
        status: 415,
        reason: 'extension-mismatch',
      },
      {
        name: 'GIF (not on the allow-list)',
        bytes: await sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
          .gif()
          .toBuffer(),
        options: {},
        status: 415,
        reason: 'unsupported-type',
      },
      {
        name: 'PDF as a photo',
        bytes: minimalPdf(),
        options: { category: 'photo' },
        status: 415,
        reason: 'category-mismatch',
      },
    ];
    const before = Number(
      (await sql<{ n: string }>`select count(*) as n from documents`.execute(server.store.db)).rows[0]?.n,
    );
    for (const refused of cases) {
      const response = await upload(intake, claimId, refused.bytes, refused.options);
      expect(response.statusCode, refused.name).toBe(refused.status);
      expect(response.headers['content-type']).toContain('application/problem+json');
      if (refused.reason) expect(response.json().reason, refused.name).toBe(refused.reason);
      expect(response.body).not.toContain(PERSONAL_FILE_NAME);
      expect(response.body).not.toContain(encodeURIComponent(PERSONAL_FILE_NAME));
    }
    const tooLarge = await upload(intake, claimId, Buffer.concat([png, Buffer.alloc(16 * MIB)]));
    expect(tooLarge.json()).toMatchObject({ limitBytes: 15 * MIB });
    // Over the route's body limit: refused while reading, before anything is inspected.
    const huge = await upload(intake, claimId, Buffer.alloc(27 * MIB));
    expect(huge.statusCode).toBe(413);
    // Only raw bodies: JSON is not a file.
    const json = await intake.request('POST', `/api/v1/claims/${claimId}/documents?category=photo`, {
      file: 'x',
    });
    expect(json.statusCode).toBe(415);
    // No category, or an unknown one.
    expect((await upload(intake, claimId, photo, { category: 'selfie' })).statusCode).toBe(400);

    const after = Number(
      (await sql<{ n: string }>`select count(*) as n from documents`.execute(server.store.db)).rows[0]?.n,
    );
    expect(after).toBe(before);
    const failures = await auditEvents('document.upload');
    const reasons = failures
      .filter((event) => event.outcome === 'failure')
      .map((event) => event.details.reason);
    expect(reasons).toEqual(
      expect.arrayContaining([
        'empty',
        'too-large',
        'unsupported-type',
        'content-type-mismatch',
        'category-mismatch',
      ]),
    );
  });

  it('lets only staff with update duty on the claim upload, and audits refusals', async () => {
    const photo = await accidentPhoto(5);
    // The adjuster is not assigned to this claim; finance reads claims but does not write on them.
    const outside = await upload(adjuster, claimId, photo);
    expect(outside.statusCode).toBe(403);
    expect(outside.json()).toMatchObject({ type: '/problems/forbidden' });
    expect((await upload(finance, claimId, photo)).statusCode).toBe(403);
    // Without any credential the body is refused before it is read.
    const anonymous = await server.app.inject({
      method: 'POST',
      url: `/api/v1/claims/${claimId}/documents?category=photo`,
      headers: { 'content-type': 'application/octet-stream' },
      payload: photo,
    });
    expect(anonymous.json()).toMatchObject({ status: 401, type: '/problems/unauthenticated' });
    const denied = await auditEvents('claim.update');
    expect(
      denied.some(
        (event) =>
          event.outcome === 'denied' && event.actor.id === adjuster.userId && event.resource.id === claimId,
      ),
    ).toBe(true);
    // Nor does an adjuster outside the claim see its list.
    expect((await adjuster.request('GET', `/api/v1/claims/${claimId}/documents`)).statusCode).toBe(403);
    expect((await finance.request('GET', `/api/v1/claims/${claimId}/documents`)).statusCode).toBe(200);
    expect((await upload(intake, '00000000-0000-4000-8000-000000000000', photo)).statusCode).toBe(404);
  });

  it('audits the upload as personal-data.write and the download as personal-data.unmask with its purpose', async () => {
    const id = await uploaded(intake, await accidentPhoto(6));
    const writes = await auditEvents('personal-data.write');
    const written = writes.filter((event) => event.resource.id === id);
    expect(written.length).toBe(2); // the content and its thumbnail
    for (const event of written) {
      expect(event).toMatchObject({
        actor: { id: intake.userId },
        resource: { type: 'documents', id },
        dataSubjectId: world.zhang,
        fields: ['document.accident_photo'],
      });
    }
    const uploads = await auditEvents('document.upload');
    expect(uploads.some((event) => event.outcome === 'success' && event.resource.id === id)).toBe(true);

    await intake.request('GET', `/api/v1/documents/${id}/content?purpose=fraud-investigation`);
    const unmasks = await auditEvents('personal-data.unmask');
    expect(
      unmasks.some(
        (event) =>
          event.resource.type === 'document' &&
          event.resource.id === id &&
          event.actor.id === intake.userId &&
          event.dataSubjectId === world.zhang &&
          event.purpose === 'fraud-investigation' &&
          event.fields.includes('document.accident_photo'),
      ),
    ).toBe(true);
  });

  it('refuses a download without purpose, with a purpose the catalogue does not allow, without step-up or outside duty, and audits each', async () => {
    const id = await uploaded(intake, await accidentPhoto(7));
    const get = (session: StaffSession, query: string, what = 'content') =>
      session.request('GET', `/api/v1/documents/${id}/${what}${query}`);

    const noPurpose = await get(intake, '');
    expect(noPurpose.json()).toMatchObject({ status: 400, type: '/problems/purpose-required' });
    // customer-service is a catalogue purpose, but not one for accident photos.
    const wrongPurpose = await get(intake, '?purpose=customer-service');
    expect(wrongPurpose.json()).toMatchObject({ status: 403, type: '/problems/purpose-not-allowed' });
    const unknownPurpose = await get(intake, '?purpose=because', 'thumbnail');
    expect(unknownPurpose.json()).toMatchObject({ status: 403, type: '/problems/purpose-not-allowed' });
    const refusals = [
      ...(await auditEvents('document.content')),
      ...(await auditEvents('document.thumbnail')),
    ];
    const reasonsFor = refusals
      .filter((event) => event.resource.id === id && event.outcome === 'denied')
      .map((event) => event.details.reason);
    expect(reasonsFor).toEqual(expect.arrayContaining(['no-purpose', 'purpose-not-allowed']));

    // Outside duty: an adjuster not assigned to the claim.
    const outside = await get(adjuster, '?purpose=claim-handling');
    expect(outside.json()).toMatchObject({ status: 403, type: '/problems/forbidden' });
    expect(
      (await auditEvents('claim.read')).some(
        (event) =>
          event.outcome === 'denied' && event.actor.id === adjuster.userId && event.resource.id === claimId,
      ),
    ).toBe(true);

    // A role without the unmask permission is refused at the route.
    expect((await get(auditor, '?purpose=claim-handling')).json()).toMatchObject({
      status: 403,
      type: '/problems/forbidden',
    });

    // A second factor older than five minutes: step up first.
    await setSecondFactorAge(intake, 6);
    try {
      const stale = await get(intake, '?purpose=claim-handling');
      expect(stale.json()).toMatchObject({ status: 403, type: '/problems/step-up-required' });
      const staleThumbnail = await get(intake, '?purpose=claim-handling', 'thumbnail');
      expect(staleThumbnail.statusCode).toBe(403);
      const denials = await server.auditService.query({ action: 'access.denied', actorId: intake.userId });
      expect(
        denials.items.some(
          (item) =>
            item.event.details?.reason === 'step-up-required' &&
            item.event.resource.id === 'GET /api/v1/documents/:id/content',
        ),
      ).toBe(true);
    } finally {
      await setSecondFactorAge(intake, 0);
    }
    // Nothing was disclosed by any refusal.
    const unmasks = await auditEvents('personal-data.unmask');
    expect(unmasks.filter((event) => event.resource.id === id)).toEqual([]);
  });

  it('lets a customer add documents to their own claim only (portal service API)', async () => {
    const services = server.app.claims;
    if (!services) throw new Error('no claims services');
    const documents: DocumentsService = services.documents;
    const customer = (customerId: string) => ({
      context: { principal: null, requestId: null, ip: null, userAgent: null },
      ability: abilityFor(null),
      customerId,
    });
    const photo = await accidentPhoto(8);
    const created = await documents.upload(customer(world.zhang), claimId, {
      category: 'photo',
      content: photo,
      declared: { fileName: 'photo.jpg' },
    });
    expect(created).toMatchObject({ uploader: { type: 'customer', role: 'customer' }, hasThumbnail: true });
    const { rows } = await sql<{
      uploaded_by_id: string;
    }>`select uploaded_by_id from documents where id = ${created.id}`.execute(server.store.db);
    expect(rows[0]?.uploaded_by_id).toBe(world.zhang);
    // Li is not the claimant.
    await expect(
      documents.upload(customer(world.li), claimId, { category: 'photo', content: photo }),
    ).rejects.toMatchObject({ code: 'forbidden' });
    // A customer cannot unmask through the staff download.
    await expect(
      documents.content(customer(world.zhang), created.id, 'claim-handling'),
    ).rejects.toMatchObject({
      code: 'forbidden',
    });
  });

  it('refuses new documents on a finished claim', async () => {
    const id = await reportClaim();
    const withdrawn = await intake.request('POST', `/api/v1/claims/${id}/transitions`, {
      to: 'withdrawn',
      version: 1,
      reason: '客户来电撤案',
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(200);
    const response = await upload(intake, id, await accidentPhoto(9));
    expect(response.json()).toMatchObject({ status: 409, type: '/problems/conflict' });
  });

  it('documents the routes in OpenAPI', async () => {
    const spec = (await server.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<string, unknown>;
    };
    expect(Object.keys(spec.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/claims/{id}/documents',
        '/api/v1/documents/{id}/content',
        '/api/v1/documents/{id}/thumbnail',
      ]),
    );
  });

  it('never writes file names or personal data into the logs', () => {
    const logs = server.logs.lines.join('\n');
    expect(logs).not.toContain(PERSONAL_FILE_NAME);
    expect(logs).not.toContain(encodeURIComponent(PERSONAL_FILE_NAME));
    expect(logs).not.toContain('出院小结');
    expect(logs).not.toContain('EXIF-MARKER');
  });
});
