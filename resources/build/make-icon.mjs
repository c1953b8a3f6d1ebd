// Draws the application icon (a vaccine vial on NHS blue) as PNG files without image tooling:
// each pixel is supersampled 4x4 against simple shapes, then written with zlib.
// Run: node resources/build/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const BLUE = [0, 94, 184];
const DARK = [0, 48, 135];
const WHITE = [255, 255, 255];
const PALE = [65, 182, 230];

function roundedRect(x, y, left, top, right, bottom, r) {
  if (x < left || x > right || y < top || y > bottom) return false;
  const cx = Math.min(Math.max(x, left + r), right - r);
  const cy = Math.min(Math.max(y, top + r), bottom - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

// Shapes in a 0..1 square; later shapes paint over earlier ones.
function colourAt(x, y) {
  let c = null;
  if (roundedRect(x, y, 0.02, 0.02, 0.98, 0.98, 0.2)) c = BLUE;
  if (roundedRect(x, y, 0.34, 0.3, 0.66, 0.86, 0.07)) c = WHITE; // vial body
  if (roundedRect(x, y, 0.38, 0.52, 0.62, 0.82, 0.04)) c = PALE; // vaccine
  if (roundedRect(x, y, 0.38, 0.2, 0.62, 0.29, 0.03)) c = WHITE; // neck and cap
  if (roundedRect(x, y, 0.36, 0.13, 0.64, 0.21, 0.03)) c = DARK;
  if (roundedRect(x, y, 0.41, 0.58, 0.45, 0.78, 0.02)) c = WHITE; // highlight
  return c;
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function png(size) {
  const ss = 4;
  const rows = [];
  for (let py = 0; py < size; py++) {
    const row = Buffer.alloc(1 + size * 4); // filter byte 0, then RGBA
    for (let px = 0; px < size; px++) {
      let r = 0, g = 0, b = 0, a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const c = colourAt((px + (sx + 0.5) / ss) / size, (py + (sy + 0.5) / ss) / size);
          if (c) { r += c[0]; g += c[1]; b += c[2]; a += 1; }
        }
      }
      const o = 1 + px * 4;
      if (a > 0) { row[o] = Math.round(r / a); row[o + 1] = Math.round(g / a); row[o + 2] = Math.round(b / a); }
      row[o + 3] = Math.round((255 * a) / (ss * ss));
    }
    rows.push(row);
  }
  const header = Buffer.alloc(13);
  header.writeUInt32BE(size, 0);
  header.writeUInt32BE(size, 4);
  header[8] = 8; // bit depth
  header[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows), { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const out = new URL('../icons/', import.meta.url);
writeFileSync(new URL('icon.png', out), png(1024));
writeFileSync(new URL('icon-256.png', out), png(256));
writeFileSync(new URL('icon-32.png', out), png(32));
console.log('Wrote resources/icons/icon.png, icon-256.png, icon-32.png');
