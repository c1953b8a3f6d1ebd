// The renderer's one Content-Security-Policy, whichever way the page reaches a browser: the
// app:// protocol handler in Electron and the loopback HTTP host send it as a header, and the
// build writes it into index.html as a <meta> tag (electron.vite.config.ts), which also covers
// the dev server and any transport that forgets the header.

type Directive = { name: string; value: string; headerOnly?: true };

const DIRECTIVES: readonly Directive[] = [
  { name: 'default-src', value: "'self'" },
  { name: 'script-src', value: "'self'" },
  // Naive UI injects <style> elements at run time.
  { name: 'style-src', value: "'self' 'unsafe-inline'" },
  { name: 'img-src', value: "'self' data:" },
  { name: 'font-src', value: "'self' data:" },
  { name: 'connect-src', value: "'self'" },
  { name: 'object-src', value: "'none'" },
  { name: 'base-uri', value: "'none'" },
  { name: 'form-action', value: "'none'" },
  // Browsers ignore frame-ancestors in a <meta> tag (and warn about it), so only headers carry it.
  { name: 'frame-ancestors', value: "'none'", headerOnly: true },
];

const render = (directives: readonly Directive[]): string => directives.map((d) => `${d.name} ${d.value}`).join('; ');

/** The Content-Security-Policy header on every response that serves the renderer. */
export const CONTENT_SECURITY_POLICY = render(DIRECTIVES);

/** The same policy for index.html's <meta http-equiv> tag: the header's, less what a meta tag cannot carry. */
export const CONTENT_SECURITY_POLICY_META = render(DIRECTIVES.filter((d) => !d.headerOnly));
