// A TCP proxy in front of a runtime that a test can cut and restore, to drop a browser's
// socket mid-turn. It forwards bytes unchanged, so `Host` and `Origin` stay the proxy's
// own address and the runtime sees a same-origin page.
import net from "node:net";

/**
 * Listens on 127.0.0.1 and forwards to `targetPort`. `cut()` closes every open connection
 * and holds new ones unanswered (the browser's next try just waits); `restore()` forwards
 * the held ones at once, so the reconnect happens when the test says, not on a timer.
 */
export async function startProxy(targetPort) {
  const open = new Set();
  const held = [];
  let severed = false;

  const forward = (client) => {
    const upstream = net.connect(targetPort, "127.0.0.1");
    const pair = { client, upstream };
    open.add(pair);
    const drop = () => {
      open.delete(pair);
      client.destroy();
      upstream.destroy();
    };
    for (const socket of [client, upstream]) {
      socket.on("error", drop);
      socket.on("close", drop);
    }
    client.pipe(upstream);
    upstream.pipe(client);
  };

  const server = net.createServer((client) => {
    if (!severed) return forward(client);
    client.pause(); // its request waits in the socket's buffer until restore
    client.on("error", () => {});
    held.push(client);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));

  return {
    port: server.address().port,
    cut() {
      severed = true;
      for (const { client, upstream } of open) {
        client.destroy();
        upstream.destroy();
      }
      open.clear();
    },
    restore() {
      severed = false;
      for (const client of held.splice(0)) if (!client.destroyed) forward(client);
    },
    async close() {
      this.cut();
      for (const client of held.splice(0)) client.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
