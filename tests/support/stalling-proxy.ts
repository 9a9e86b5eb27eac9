import { createServer, connect, type Socket } from "node:net";

/**
 * A TCP proxy in front of Postgres that can be made to stall: while stalled it keeps accepting
 * connections and keeps the open ones, but passes nothing either way — a database that is up
 * but does not answer (a full disk, a lock pile-up, a frozen VM), which is worse than one that
 * is down because nothing fails by itself.
 */
export type StallingProxy = {
  url: string;
  stall: () => void;
  resume: () => void;
  close: () => Promise<void>;
};

export async function startStallingProxy(databaseUrl: string): Promise<StallingProxy> {
  const target = new URL(databaseUrl);
  let stalled = false;
  const pairs = new Set<[Socket, Socket]>();
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const forward = (from: Socket, to: Socket) => {
      from.on("data", (chunk) => {
        if (!stalled) to.write(chunk);
      });
    };
    forward(client, upstream);
    forward(upstream, client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address !== "object") throw new Error("no port");
  const url = new URL(databaseUrl);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  return {
    url: url.href,
    stall: () => {
      stalled = true;
    },
    resume: () => {
      stalled = false;
      // Connections made while stalled lost their bytes: they are no use to anyone now.
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      pairs.clear();
    },
    close: async () => {
      for (const [client, upstream] of pairs) {
        client.destroy();
        upstream.destroy();
      }
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
