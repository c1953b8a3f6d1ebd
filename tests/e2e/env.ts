// Values shared by playwright.config.ts and the browser tests. The runner picks the port once
// (playwright.config.ts) and workers inherit it through the environment, so two runs on one
// machine do not collide.
export const E2E_PORT = Number(process.env.IMS_E2E_PORT ?? 4780);
export const E2E_TOKEN = 'e2e-fixed-test-token-0123456789';
export const E2E_URL = `http://127.0.0.1:${E2E_PORT}`;
/** A second host whose database cannot be reached, on the next port. */
export const E2E_UNREACHABLE_PORT = E2E_PORT + 1;
export const E2E_UNREACHABLE_URL = `http://127.0.0.1:${E2E_UNREACHABLE_PORT}`;
