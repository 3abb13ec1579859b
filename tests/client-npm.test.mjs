// tether-client as a user gets it: `npm pack` of pkg/, installed into a fresh directory,
// imported by name, driving a real `tether app-server` through one controller scenario;
// the same scenario runs against the official Letta Code client.
import { test, before, after } from "node:test";
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import WebSocket from "ws";
import { root, startRuntime, TOKEN } from "./lib/runtime.mjs";
import { controllerScenario, withRunTurn } from "./lib/client-scenario.mjs";

// The runtime has no external tools yet when its capability says so; then that step is a todo.
let runtime;
let consumer;
let tetherClient;
before(async () => {
  runtime = await startRuntime();
  consumer = mkdtempSync(path.join(tmpdir(), "tether-client-consumer-"));
  const [{ filename }] = JSON.parse(execFileSync("npm", ["pack", "--json", "--pack-destination", consumer],
    { cwd: path.join(root, "pkg"), encoding: "utf8" }));
  writeFileSync(path.join(consumer, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
  execFileSync("npm", ["install", "--offline", "--no-audit", "--no-fund", "--silent", `./${filename}`], { cwd: consumer });
  writeFileSync(path.join(consumer, "entry.mjs"), 'export * from "tether-client";\n');
  tetherClient = await import(pathToFileURL(path.join(consumer, "entry.mjs")).href);
});
after(async () => {
  await runtime?.stop();
  if (consumer) rmSync(consumer, { recursive: true, force: true });
});

async function externalToolsServed(client) {
  return (await client.info()).capabilities.runtime_external_tools_update === true;
}

test("tether-client (installed from npm pack): the controller scenario", async (t) => {
  const connectWithToken = async (authToken) => {
    const client = tetherClient.createClient({ url: runtime.url, authToken, WebSocket, requestTimeoutMs: 20000 });
    await client.connect();
    return client;
  };
  const probe = await connectWithToken(TOKEN);
  const externalTools = await externalToolsServed(probe);
  probe.close();
  await controllerScenario(t, { connect: () => connectWithToken(TOKEN), connectWithToken, externalTools });
});

test("the official Letta Code client: the same scenario", async (t) => {
  const clientPath = path.join(root, "tests/node_modules/.letta-code-0.32.18/package/dist/app-server-client.js");
  const { createAppServerClient } = await import(pathToFileURL(clientPath).href);
  const connectWithToken = async (authToken) => {
    const client = createAppServerClient({ url: runtime.url, authToken, WebSocket, requestTimeoutMs: 20000 });
    await client.connect();
    return withRunTurn(client);
  };
  const probe = await connectWithToken(TOKEN);
  const externalTools = await externalToolsServed(probe);
  probe.close();
  await controllerScenario(t, { connect: () => connectWithToken(TOKEN), connectWithToken, externalTools });
});
