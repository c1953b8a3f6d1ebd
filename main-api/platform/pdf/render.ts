// Renders a pdfmake document to PDF bytes with the embedded Arimo fonts and no file or network
// access. pdfmake's public entry point is a process-wide singleton with global fonts and
// file-access policies; its printer class is used directly instead, so no producer (the printed
// record, letters) changes or depends on settings another makes, and fonts come only from
// fontFiles. Images are given inline (data URLs) in the document's images dictionary.
import { createRequire } from 'node:module';
import type { TDocumentDefinitions } from 'pdfmake/interfaces';
import { fontDescriptors, fontFiles } from './fonts';

interface PdfKitStream extends NodeJS.ReadableStream {
  end(): void;
}
interface PrinterInstance {
  createPdfKitDocument(doc: TDocumentDefinitions, options?: object): Promise<PdfKitStream>;
}
type PrinterClass = new (
  fonts: object,
  virtualfs: object,
  urlResolver: object,
  localAccessPolicy: (path: string) => boolean,
) => PrinterInstance;
interface UrlResolverInstance {
  setUrlAccessPolicy(policy: (url: string) => boolean): void;
}
type UrlResolverClass = new (fs: object) => UrlResolverInstance;

const require = createRequire(import.meta.url);
let classes: { Printer: PrinterClass; UrlResolver: UrlResolverClass } | null = null;

/** A printer per document: pdfmake's printer keeps the document it is making on itself. */
function newPrinter(): PrinterInstance {
  classes ??= {
    Printer: (require('pdfmake/js/Printer') as { default: PrinterClass }).default,
    UrlResolver: (require('pdfmake/js/URLResolver') as { default: UrlResolverClass }).default,
  };
  const urls = new classes.UrlResolver(fontFiles);
  urls.setUrlAccessPolicy(() => false);
  return new classes.Printer(fontDescriptors(), fontFiles, urls, () => false);
}

function toBuffer(stream: PdfKitStream): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => resolve(Buffer.concat(chunks)));
    stream.on('error', reject);
    stream.end();
  });
}

export async function renderPdf(doc: TDocumentDefinitions): Promise<Buffer> {
  return toBuffer(await newPrinter().createPdfKitDocument(doc));
}
