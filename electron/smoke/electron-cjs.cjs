// CommonJS view of the stand-in; register.mjs loads the ESM module first and shares it here.
module.exports = globalThis.__fakeElectron;
