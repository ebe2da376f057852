// The test API as an Express app, with cors() configured by `python -m addon export express`.
// Usage: node app.js PORT EXPORTED_OPTIONS_FILE
const express = require("express");
const cors = require("cors");

const [port, exported] = process.argv.slice(2);
const app = express();
app.use(cors(require(exported).corsOptions));

// The same bodies as tests/upstream.py, so they compare equal across fronts.
const json = (res, status, text, headers = {}) => res.status(status).set(headers).type("application/json").send(text);

app.all(/\/status\/(\d{3})$/, (req, res) => json(res, Number(req.params[0]), `{"status": ${req.params[0]}}`));
app.all(/\/redirect$/, (req, res) => res.redirect(302, req.query.to || "/"));
app.all(/\/custom$/, (req, res) =>
  json(res, 200, '{"custom": true}', { "X-Custom": "1", "X-Total": "7", "Set-Cookie": "session=abc; Path=/" }));
app.use((req, res) => {
  if (req.method === "OPTIONS") return json(res, 405, '{"error": "method not allowed"}', { Allow: "GET, POST" });
  json(res, 200, JSON.stringify({ method: req.method, path: req.path }));
});
app.listen(Number(port), "127.0.0.1");
