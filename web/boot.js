// Starts the app from a file instead of Trunk's inline script, so the page runs under a
// strict CSP (`script-src 'self' 'wasm-unsafe-eval'`). Trunk.toml's pattern_script puts
// the hashed file names on this script tag.
const tag = document.querySelector("script[data-wasm]");
const { default: init } = await import(tag.dataset.js);
await init({ module_or_path: tag.dataset.wasm });
