// The test API as a Fastify app, with @fastify/cors configured by `python -m addon export fastify`.
// Usage: node app.js PORT EXPORTED_OPTIONS_FILE
const fastify = require("fastify")();

const [port, exported] = process.argv.slice(2);

// The same bodies as tests/upstream.py, so they compare equal across fronts.
const json = (reply, status, text, headers = {}) => reply.code(status).headers(headers).type("application/json").send(text);

async function main() {
  await fastify.register(require("@fastify/cors"), { delegator: require(exported).corsDelegator });
  fastify.route({
    method: ["GET", "POST", "PUT", "DELETE", "PATCH"],
    url: "/*",
    handler: (req, reply) => {
      const path = req.url.split("?")[0];
      const status = path.match(/\/status\/(\d{3})$/);
      if (status) return json(reply, Number(status[1]), `{"status": ${status[1]}}`);
      if (path.endsWith("/redirect")) return reply.redirect(req.query.to || "/", 302);
      if (path.endsWith("/custom")) {
        return json(reply, 200, '{"custom": true}', { "X-Custom": "1", "X-Total": "7", "Set-Cookie": "s=1; Path=/" });
      }
      return json(reply, 200, JSON.stringify({ method: req.method, path }));
    },
  });
  await fastify.listen({ port: Number(port), host: "127.0.0.1" });
}
main();
