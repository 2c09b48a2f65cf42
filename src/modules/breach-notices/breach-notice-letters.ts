import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import type { Language } from '../../config/config.js';

/**
 * Printed breach notices (S4.2) for customers no SMS or email reached: one A4 page per customer with their
 * name and postal address for a window envelope, then the notice in their language. Chinese is set in
 * Noto Sans SC (pdfkit's built-in fonts have no CJK glyphs). Every page carries a small watermark naming
 * the export (campaign, exporter, time), so a letter file that turns up elsewhere says where it came from.
 *
 * SECURITY: the PDF holds names and addresses; it is produced only by BreachNoticesService.letters, which
 * reads them through the vault with a purpose and audits the export.
 */
export type LetterPage = {
  language: Language;
  /** Null when the customer's record has none (the letter still shows where to put it by hand). */
  name: string | null;
  address: string | null;
  subject: string;
  body: string;
};

const require = createRequire(import.meta.url);
const FONT_PATH = require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf');

const LABELS: Record<Language, { to: string; missing: string; date: string }> = {
  'zh-CN': { to: '收件人', missing: '（档案中无此信息，请人工补全）', date: '日期' },
  'en-US': { to: 'To', missing: '(not on file: complete by hand)', date: 'Date' },
};

export async function renderLetters(
  pages: readonly LetterPage[],
  options: { watermark: string },
): Promise<Buffer> {
  const document = new PDFDocument({
    size: 'A4',
    margin: 56,
    autoFirstPage: false,
    info: { Title: 'Notices' },
  });
  const chunks: Buffer[] = [];
  document.on('data', (chunk: Buffer) => chunks.push(chunk));
  const finished = new Promise<Buffer>((resolve, reject) => {
    document.on('end', () => resolve(Buffer.concat(chunks)));
    document.on('error', reject);
  });
  document.registerFont('body', FONT_PATH);
  document.font('body');
  const date = new Date().toISOString().slice(0, 10);
  for (const page of pages) {
    document.addPage();
    const labels = LABELS[page.language];
    document.fontSize(11).text(`${labels.to}: ${page.name ?? labels.missing}`);
    document.text(page.address ?? labels.missing);
    document.moveDown(0.5).fontSize(9).fillColor('#555555').text(`${labels.date}: ${date}`);
    document.moveDown(1.5).fillColor('#000000').fontSize(14).text(page.subject);
    document.moveDown(0.8).fontSize(11).text(page.body, { lineGap: 3 });
    document
      .fontSize(7)
      .fillColor('#999999')
      .text(options.watermark, 56, document.page.height - 40, { lineBreak: false });
    document.fillColor('#000000');
  }
  if (pages.length === 0) document.addPage().fontSize(11).text('—');
  document.end();
  return finished;
}
