// Standalone server emitted by `next build` (output: "standalone").
const path = require("path");

process.env.NODE_ENV = "production";
process.chdir(__dirname);

const { startServer } = require("next/dist/server/lib/start-server");

startServer({
  dir: path.join(__dirname),
  isDev: false,
  hostname: "127.0.0.1",
  port: parseInt(process.env.PORT, 10) || 3000,
}).catch((err) => {
  console.error(err);
  process.exit(1);
});
