// The BullMQ + undici reference peer of bench/e2e/serve_redis.sh: what a Node webhook
// dispatcher on a BullMQ queue does. The producer adds EVENTS jobs (addBulk, 1,000 per call)
// to a queue on the same Redis; one worker (CONCURRENCY jobs at once) sends each job to
// FANOUT endpoints as Standard Webhooks POSTs (HMAC-SHA256 over id.timestamp.body) through
// undici keep-alive pools. Deliveries/s from the first add until the last job completed.
//
//   REDIS_PORT=6379 RECEIVER=http://127.0.0.1:8080 EVENTS=20000 node dispatcher.mjs
import { createHmac } from "node:crypto";
import { Queue, Worker } from "bullmq";
import { Pool } from "undici";

const redisPort = Number(process.env.REDIS_PORT ?? 6379);
const receiver = process.env.RECEIVER ?? "http://127.0.0.1:8080";
const events = Number(process.env.EVENTS ?? 20000);
const fanout = Number(process.env.FANOUT ?? 10);
const concurrency = Number(process.env.CONCURRENCY ?? 50);
const payload = process.env.PAYLOAD ?? '{"order":42}';
const key = Buffer.from("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "base64");
const connection = { host: "127.0.0.1", port: redisPort, maxRetriesPerRequest: null };

const pool = new Pool(receiver, { connections: 50, pipelining: 1 });
const queue = new Queue("webhooks", { connection });
await queue.obliterate({ force: true });

let completed = 0;
let failed = 0;
let done;
const finished = new Promise((resolve) => (done = resolve));

async function deliver(job) {
  const body = job.data.payload;
  const sends = [];
  for (let i = 0; i < fanout; i++) {
    const timestamp = Math.floor(Date.now() / 1000).toString();
    const signature = createHmac("sha256", key).update(`${job.id}.${timestamp}.${body}`).digest("base64");
    sends.push(
      pool
        .request({
          path: `/hooks/e${i}`,
          method: "POST",
          headers: {
            "content-type": "application/json",
            "webhook-id": job.id,
            "webhook-timestamp": timestamp,
            "webhook-signature": `v1,${signature}`,
          },
          body,
        })
        .then(async (response) => {
          await response.body.dump();
          if (response.statusCode < 200 || response.statusCode > 299) {
            throw new Error(`status ${response.statusCode}`);
          }
        }),
    );
  }
  await Promise.all(sends);
}

const start = process.hrtime.bigint();
const worker = new Worker("webhooks", deliver, { connection, concurrency, autorun: true });
const count = () => {
  if (completed + failed === events) done();
};
worker.on("completed", () => { completed++; count(); });
worker.on("failed", () => { failed++; count(); });
for (let sent = 0; sent < events; sent += 1000) {
  const n = Math.min(1000, events - sent);
  await queue.addBulk(Array.from({ length: n }, () => ({ name: "order.paid", data: { payload },
                                                          opts: { removeOnComplete: true } })));
}
await finished;
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(JSON.stringify({ peer: "bullmq+undici", events, fanout, concurrency, completed, failed,
                             deliveries_per_s: Math.round((completed * fanout) / seconds) }));
await worker.close();
await queue.close();
await pool.close();
