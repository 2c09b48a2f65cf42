import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AlignmentType, Document, HeadingLevel, Packer, Paragraph, TextRun } from 'docx';
import PDFDocument from 'pdfkit';
import type { ReportDocument } from './report-contents.js';

/**
 * A report exported as PDF (pdfkit, with Noto Sans SC embedded and subset so that Chinese renders
 * everywhere), DOCX (docx) or JSON (S4.4). All three render the same {@link ReportDocument}.
 */

export const EXPORT_FORMATS = ['pdf', 'docx', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ExportFormat, string> = {
  pdf: 'application/pdf',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  json: 'application/json; charset=utf-8',
};

const require = createRequire(import.meta.url);

type Fonts = { regular: Buffer; bold: Buffer };
let fonts: Fonts | null = null;

/** The Noto Sans SC faces, read once per process (about 10 MB each; pdfkit embeds only the glyphs used). */
function loadFonts(): Fonts {
  fonts ??= {
    regular: readFileSync(
      require.resolve('@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf'),
    ),
    bold: readFileSync(require.resolve('@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf')),
  };
  return fonts;
}

export async function renderPdf(document: ReportDocument): Promise<Buffer> {
  const { regular, bold } = loadFonts();
  const pdf = new PDFDocument({
    size: 'A4',
    margin: 56,
    compress: true,
    lang: document.language,
    displayTitle: true,
    info: { Title: document.title, Creator: 'ClaimGuard', Producer: 'ClaimGuard' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('data', (chunk: Buffer) => chunks.push(chunk));
    pdf.on('end', () => resolve(Buffer.concat(chunks)));
    pdf.on('error', reject);
  });
  pdf.registerFont('body', regular);
  pdf.registerFont('heading', bold);

  if (document.drill)
    pdf
      .font('heading')
      .fontSize(12)
      .fillColor('#b00020')
      .text(document.language === 'zh-CN' ? '演练 · 非真实事件' : 'DRILL · NOT A REAL INCIDENT', {
        align: 'center',
      })
      .fillColor('black')
      .moveDown(0.5);
  pdf.font('heading').fontSize(17).text(document.title);
  pdf
    .font('body')
    .fontSize(10)
    .fillColor('#555555')
    .text(document.regimeName)
    .fillColor('black')
    .moveDown(0.8);
  for (const entry of document.meta) {
    pdf.font('heading').fontSize(10).text(`${entry.label}: `, { continued: true });
    pdf.font('body').text(entry.value);
  }
  pdf.moveDown(0.8);
  document.items.forEach((item, index) => {
    pdf
      .font('heading')
      .fontSize(12)
      .text(`${index + 1}. ${item.label}`);
    if (item.citation)
      pdf.font('body').fontSize(8).fillColor('#666666').text(item.citation).fillColor('black');
    pdf.font('body').fontSize(10);
    for (const line of item.facts) pdf.text(line, { indent: 8 });
    if (item.text) pdf.text(item.text, { indent: 8 });
    if (!item.text && item.person === 'required')
      pdf
        .fillColor('#b00020')
        .text(document.language === 'zh-CN' ? '（待填写）' : '(to be completed)', { indent: 8 })
        .fillColor('black');
    pdf.moveDown(0.6);
  });
  if (document.notes) {
    pdf
      .font('heading')
      .fontSize(10)
      .text(document.language === 'zh-CN' ? '说明' : 'Notes');
    pdf.font('body').fontSize(9).text(document.notes).moveDown(0.6);
  }
  pdf
    .font('heading')
    .fontSize(10)
    .text(document.language === 'zh-CN' ? '依据' : 'Sources');
  pdf.font('body').fontSize(9);
  for (const source of document.sources) pdf.text(source);
  pdf
    .moveDown(0.6)
    .fontSize(8)
    .fillColor('#666666')
    .text(
      `${document.language === 'zh-CN' ? '生成时间' : 'Generated'}: ${document.generatedAt} · ClaimGuard`,
    );
  pdf.end();
  return done;
}

const EAST_ASIA_FONT = 'SimSun';

function run(text: string, options: { bold?: boolean; size?: number; color?: string } = {}): TextRun {
  return new TextRun({
    text,
    bold: options.bold ?? false,
    ...(options.size ? { size: options.size } : {}),
    ...(options.color ? { color: options.color } : {}),
    font: { ascii: 'Calibri', hAnsi: 'Calibri', eastAsia: EAST_ASIA_FONT },
  });
}

export async function renderDocx(document: ReportDocument): Promise<Buffer> {
  const zh = document.language === 'zh-CN';
  const children: Paragraph[] = [];
  if (document.drill)
    children.push(
      new Paragraph({
        alignment: AlignmentType.CENTER,
        children: [
          run(zh ? '演练 · 非真实事件' : 'DRILL · NOT A REAL INCIDENT', { bold: true, color: 'B00020' }),
        ],
      }),
    );
  children.push(
    new Paragraph({ heading: HeadingLevel.TITLE, children: [run(document.title, { bold: true, size: 32 })] }),
  );
  children.push(new Paragraph({ children: [run(document.regimeName, { color: '555555' })] }));
  for (const entry of document.meta)
    children.push(new Paragraph({ children: [run(`${entry.label}: `, { bold: true }), run(entry.value)] }));
  document.items.forEach((item, index) => {
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_2,
        children: [run(`${index + 1}. ${item.label}`, { bold: true })],
      }),
    );
    if (item.citation)
      children.push(new Paragraph({ children: [run(item.citation, { size: 16, color: '666666' })] }));
    for (const line of item.facts)
      children.push(new Paragraph({ indent: { left: 240 }, children: [run(line)] }));
    for (const line of (item.text ?? '').split('\n').filter((part) => part.trim()))
      children.push(new Paragraph({ indent: { left: 240 }, children: [run(line)] }));
    if (!item.text && item.person === 'required')
      children.push(
        new Paragraph({
          indent: { left: 240 },
          children: [run(zh ? '（待填写）' : '(to be completed)', { color: 'B00020' })],
        }),
      );
  });
  if (document.notes) {
    children.push(
      new Paragraph({
        heading: HeadingLevel.HEADING_3,
        children: [run(zh ? '说明' : 'Notes', { bold: true })],
      }),
    );
    children.push(new Paragraph({ children: [run(document.notes)] }));
  }
  children.push(
    new Paragraph({
      heading: HeadingLevel.HEADING_3,
      children: [run(zh ? '依据' : 'Sources', { bold: true })],
    }),
  );
  for (const source of document.sources) children.push(new Paragraph({ children: [run(source)] }));
  children.push(
    new Paragraph({
      children: [
        run(`${zh ? '生成时间' : 'Generated'}: ${document.generatedAt} · ClaimGuard`, {
          size: 16,
          color: '666666',
        }),
      ],
    }),
  );
  const docx = new Document({
    creator: 'ClaimGuard',
    title: document.title,
    styles: {
      default: {
        document: { run: { font: { ascii: 'Calibri', hAnsi: 'Calibri', eastAsia: EAST_ASIA_FONT } } },
      },
    },
    sections: [{ children }],
  });
  return Packer.toBuffer(docx);
}
