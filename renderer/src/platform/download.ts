// Saves a file the main process produced. An <a download> click works in a browser and in
// Electron alike (the window's will-download handling decides where the file goes).
import { base64ToBytes } from '../features/vaccination/vaccination';

export function downloadBase64(fileName: string, contentType: string, base64: string): void {
  downloadBlob(fileName, new Blob([base64ToBytes(base64)], { type: contentType }));
}

/** Saves text made on this side (a CSV of figures already on screen). */
export function downloadText(fileName: string, contentType: string, text: string): void {
  downloadBlob(fileName, new Blob([text], { type: contentType }));
}

function downloadBlob(fileName: string, blob: Blob): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start reading the blob before it is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
