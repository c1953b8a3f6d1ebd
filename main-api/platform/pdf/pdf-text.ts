// Reads back the text of a PDF from this module's renderer (compressed or not), so tests can check what
// a reader would see on each page without any external tool. It understands only what the PDF
// engine writes (Type0 fonts with a ToUnicode map, text drawn with Tm/Tf/TJ), not PDF in general.
import { inflateSync } from 'node:zlib';

function objects(pdf: string): Map<number, string> {
  const out = new Map<number, string>();
  const re = /(?:^|\n)(\d+) 0 obj\n([\s\S]*?)\nendobj/g;
  for (let m = re.exec(pdf); m; m = re.exec(pdf)) out.set(Number(m[1]), m[2] ?? '');
  return out;
}

function ref(dict: string, key: string): number | null {
  const m = new RegExp(`/${key} (\\d+) 0 R`).exec(dict);
  return m ? Number(m[1]) : null;
}

function streamOf(obj: string | undefined): string {
  if (!obj) return '';
  const start = obj.indexOf('stream\n');
  const end = obj.lastIndexOf('\nendstream');
  if (start < 0 || end < 0) return '';
  const dict = obj.slice(0, start);
  const data = obj.slice(start + 'stream\n'.length, end);
  if (/\/Filter \/FlateDecode/.test(dict)) return inflateSync(Buffer.from(data, 'latin1')).toString('latin1');
  if (/\/Filter/.test(dict)) throw new Error('A stream compressed other than by Flate: render with compress: false');
  return data;
}

function utf16(hex: string): string {
  let s = '';
  for (let i = 0; i + 4 <= hex.length; i += 4) s += String.fromCharCode(parseInt(hex.slice(i, i + 4), 16));
  return s;
}

/** Glyph id -> text, from a font's ToUnicode CMap. */
function toUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfrange\n([\s\S]*?)endbfrange/g)) {
    for (const line of (block[1] ?? '').split('\n')) {
      const m = /^<([0-9a-fA-F]+)> <([0-9a-fA-F]+)> (\[.*\]|<[0-9a-fA-F]+>)/.exec(line.trim());
      if (!m) continue;
      const lo = parseInt(m[1] ?? '0', 16);
      const hi = parseInt(m[2] ?? '0', 16);
      const target = m[3] ?? '';
      if (target.startsWith('[')) {
        const items = [...target.matchAll(/<([0-9a-fA-F]+)>/g)].map((x) => utf16(x[1] ?? ''));
        items.forEach((text, i) => map.set(lo + i, text));
      } else {
        const first = parseInt(target.slice(1, -1), 16);
        for (let c = lo; c <= hi; c++) map.set(c, String.fromCodePoint(first + c - lo));
      }
    }
  }
  for (const block of cmap.matchAll(/beginbfchar\n([\s\S]*?)endbfchar/g)) {
    for (const m of (block[1] ?? '').matchAll(/<([0-9a-fA-F]+)> <([0-9a-fA-F]+)>/g)) {
      map.set(parseInt(m[1] ?? '0', 16), utf16(m[2] ?? ''));
    }
  }
  return map;
}

/** A run of text as drawn: its baseline origin in points from the bottom left, and its font size. */
export interface PdfFragment {
  x: number;
  y: number;
  size: number;
  text: string;
}

export interface PdfPage {
  /** The page's MediaBox width and height, in points. */
  width: number;
  height: number;
  fragments: PdfFragment[];
}

/** Every text run of each page with where it is drawn, in drawing order. */
export function extractPdfFragments(pdf: Buffer): PdfPage[] {
  const src = pdf.toString('latin1');
  const objs = objects(src);
  const pagesObj = [...objs.values()].find((o) => /\/Type \/Pages\b/.test(o));
  const kids = [...(/\/Kids \[([^\]]*)\]/.exec(pagesObj ?? '')?.[1] ?? '').matchAll(/(\d+) 0 R/g)].map((m) => Number(m[1]));
  const cmaps = new Map<number, Map<number, string>>();

  return kids.map((pageId) => {
    const page = objs.get(pageId) ?? '';
    const box = /\/MediaBox \[([-\d.]+) ([-\d.]+) ([-\d.]+) ([-\d.]+)\]/.exec(page);
    const resId = ref(page, 'Resources');
    const resources = resId === null ? page : (objs.get(resId) ?? '');
    const fonts = new Map<string, Map<number, string>>();
    const fontDict = /\/Font <<([\s\S]*?)>>/.exec(resources)?.[1] ?? '';
    for (const m of fontDict.matchAll(/\/(\S+) (\d+) 0 R/g)) {
      const fontId = Number(m[2]);
      let cmap = cmaps.get(fontId);
      if (!cmap) {
        const tu = ref(objs.get(fontId) ?? '', 'ToUnicode');
        cmap = tu === null ? new Map() : toUnicode(streamOf(objs.get(tu)));
        cmaps.set(fontId, cmap);
      }
      fonts.set(m[1] ?? '', cmap);
    }

    const contentId = ref(page, 'Contents');
    const content = streamOf(contentId === null ? undefined : objs.get(contentId));
    const fragments: PdfFragment[] = [];
    for (const bt of content.matchAll(/\nBT\n([\s\S]*?)\nET/g)) {
      const body = bt[1] ?? '';
      const tm = /([-\d.]+) ([-\d.]+) Tm/.exec(body);
      const tf = /\/(\S+) ([\d.]+) Tf/.exec(body);
      const font = fonts.get(tf?.[1] ?? '') ?? new Map<number, string>();
      let text = '';
      for (const tj of body.matchAll(/\[(.*?)\] TJ|<([0-9a-fA-F]*)> Tj/g)) {
        const hexes = tj[1] !== undefined ? [...tj[1].matchAll(/<([0-9a-fA-F]*)>/g)].map((h) => h[1] ?? '') : [tj[2] ?? ''];
        for (const hex of hexes) {
          for (let i = 0; i + 4 <= hex.length; i += 4) text += font.get(parseInt(hex.slice(i, i + 4), 16)) ?? '\uFFFD';
        }
      }
      fragments.push({ x: Number(tm?.[1] ?? 0), y: Number(tm?.[2] ?? 0), size: Number(tf?.[2] ?? 0), text });
    }
    return { width: Number(box?.[3] ?? 0), height: Number(box?.[4] ?? 0), fragments };
  });
}

/** Text lines of each page, top to bottom; fragments on one baseline are joined by a space. */
export function extractPdfPages(pdf: Buffer): string[][] {
  return extractPdfFragments(pdf).map((page) => {
    const fragments = [...page.fragments];
    // Baselines of one printed line can differ by rounding; group within half a point.
    fragments.sort((a, b) => b.y - a.y || a.x - b.x);
    const lines: PdfFragment[][] = [];
    for (const f of fragments) {
      const line = lines[lines.length - 1];
      if (line && Math.abs((line[0]?.y ?? 0) - f.y) < 0.5) line.push(f);
      else lines.push([f]);
    }
    return lines.map((l) =>
      l
        .sort((a, b) => a.x - b.x)
        .map((f) => f.text.trim())
        .join(' ')
        .replace(/\s+/g, ' ')
        .trim(),
    );
  });
}
